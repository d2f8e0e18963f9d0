"""Transcript and diarization formats, one module per format, each with read and write."""
