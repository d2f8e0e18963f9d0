"""The audio stages: decode, diarize, transcribe, attribute, and the pipeline that runs them.
Audio goes no further than this package."""
