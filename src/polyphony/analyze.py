"""The library call behind `polyphony analyze`: a recording in, a results folder out."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from polyphony.audio.pipeline import Analysis, Settings, analyze
from polyphony.conversation import Conversation, Provenance, Utterance
from polyphony.metrics import compute_metrics
from polyphony.report.outputs import output_dir, write_all
from polyphony.roster import Roster


@dataclass(frozen=True)
class Result:
    recording: Path
    folder: Path
    files: dict[str, Path]
    metrics: dict[str, Any]
    analysis: Analysis


def diarization_conversation(analysis: Analysis) -> Conversation:
    """The overlap-aware diarization as a text-less Conversation, for RTTM output."""
    turns = analysis.diarization.overlap_aware
    return Conversation.build(
        (Utterance(t.speaker, t.start, t.end) for t in turns),
        analysis.conversation.participants, analysis.conversation.region,
        Provenance(source="automatic", has_text=False))


def analyze_recording(recording: str | Path, out: str | Path, *, roster: Roster | None = None,
                      settings: Settings = Settings(), consent_file: str | Path | None = None,
                      force: bool = False, deidentify: bool = False,
                      check_consent: bool = True) -> Result:
    """Consent check, the full pipeline, metrics, and every output file, in one call.

    A de-identified report is made to be shared with an Action Learning Set, so
    `deidentify` needs everyone's `sharing` consent as well as `analysis`."""
    recording = Path(recording)
    folder = output_dir(out, recording.stem, force)
    purposes = ("analysis", "sharing") if deidentify else ("analysis",)
    analysis = analyze(recording, roster=roster, settings=settings, consent_file=consent_file,
                       purposes=purposes, check_consent=check_consent)
    metrics = compute_metrics(analysis.conversation,
                              expected_speakers=analysis.expected_speakers,
                              split_voices=analysis.diarization.splits)
    metrics["timings"] = {k: round(v, 3) for k, v in analysis.timings.items()}
    files = write_all(folder, recording.stem, analysis.conversation,
                      diarization_conversation(analysis), metrics, deidentify)
    return Result(recording, folder, files, metrics, analysis)
