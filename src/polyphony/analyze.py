"""The library call behind `polyphony analyze`: a recording in, a results folder out."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
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


def results_names(recordings: Sequence[str | Path]) -> list[str | None]:
    """The results folder name of each recording analysed together: its stem, or its whole
    file name where another recording shares the stem (`talk.wav`, `talk.mp3`), so that
    none overwrites another. None where even the file names collide (`a/x.wav`,
    `b/x.wav`): such a recording needs an --out of its own."""
    paths = [Path(r) for r in recordings]
    stems = Counter(p.stem for p in paths)
    names = [p.stem if stems[p.stem] == 1 else p.name for p in paths]
    seen: Counter[str] = Counter()
    out: list[str | None] = []
    for name in names:
        seen[name] += 1
        out.append(name if seen[name] == 1 else None)
    return out


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
                      check_consent: bool = True, name: str | None = None) -> Result:
    """Consent check, the full pipeline, metrics, and every output file, in one call.

    A de-identified report is made to be shared with an Action Learning Set, so
    `deidentify` needs everyone's `sharing` consent as well as `analysis`. The results go
    to `out/<name>/`, by default the recording's stem (`results_names` for several)."""
    recording = Path(recording)
    name = name or recording.stem
    folder = output_dir(out, name, force)
    purposes = ("analysis", "sharing") if deidentify else ("analysis",)
    analysis = analyze(recording, roster=roster, settings=settings, consent_file=consent_file,
                       purposes=purposes, check_consent=check_consent)
    metrics = compute_metrics(analysis.conversation)
    metrics["timings"] = {k: round(v, 3) for k, v in analysis.timings.items()}
    files = write_all(folder, name, analysis.conversation,
                      diarization_conversation(analysis), metrics, deidentify,
                      roster.participants if roster else ())
    return Result(recording, folder, files, metrics, analysis)
