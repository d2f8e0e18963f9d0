"""The library call behind `polyphony analyze`: a recording in, a results folder out.

One bad recording never stops the others (`attempt`, `analyze_all`): `polyphony analyze`
and `polyphony batch` share that rule, and print or record what it returns.
"""

from __future__ import annotations

import traceback
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from polyphony.audio.engines import Engines
from polyphony.audio.pipeline import Analysis, Settings, analyze
from polyphony.conversation import Conversation, Provenance, Utterance
from polyphony.errors import InternalError, PolyphonyError, UsageError
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
                      check_consent: bool = True, name: str | None = None,
                      engines: Engines | None = None, digest: str | None = None) -> Result:
    """Consent check, the full pipeline, metrics, and every output file, in one call.

    A de-identified report is made to be shared with an Action Learning Set, so
    `deidentify` needs everyone's `sharing` consent as well as `analysis`. The results go
    to `out/<name>/`, by default the recording's stem (`results_names` for several).
    `engines` keeps the models loaded for the next call; `digest` is the recording's
    sha256 if the caller has it."""
    recording = Path(recording)
    name = name or recording.stem
    folder = output_dir(out, name, force)
    purposes = ("analysis", "sharing") if deidentify else ("analysis",)
    analysis = analyze(recording, roster=roster, settings=settings, consent_file=consent_file,
                       purposes=purposes, check_consent=check_consent, engines=engines,
                       digest=digest)
    metrics = compute_metrics(analysis.conversation)
    metrics["timings"] = {k: round(v, 3) for k, v in analysis.timings.items()}
    files = write_all(folder, name, analysis.conversation,
                      diarization_conversation(analysis), metrics, deidentify,
                      roster.participants if roster else ())
    return Result(recording, folder, files, metrics, analysis)


@dataclass(frozen=True)
class Outcome:
    """What became of one recording: its `Result`, or the error that stopped it (with the
    traceback, when that error was a bug rather than the input's fault)."""

    recording: Path
    result: Result | None = None
    error: PolyphonyError | None = None
    trace: str | None = None

    @property
    def ok(self) -> bool:
        return self.result is not None


def attempt(recording: str | Path, analysis: Callable[[], Result]) -> Outcome:
    """`analysis()` of `recording`, contained: a bad, unconsented or undecodable
    recording, or a bug that only it triggers, becomes a failed `Outcome` naming the file,
    and the caller goes on with the next one."""
    recording = Path(recording)
    try:
        return Outcome(recording, result=analysis())
    except PolyphonyError as error:
        return Outcome(recording, error=error.located(recording))
    except Exception as exc:  # one file's bug must not cost the other files their results
        return Outcome(recording, error=InternalError.of(exc).located(recording),
                       trace=traceback.format_exc())


def analyze_all(recordings: Sequence[str | Path], out: str | Path, *,
                starting: Callable[[Path], None] | None = None,
                **options: Any) -> Iterator[Outcome]:
    """`attempt` each recording in turn, with one `Engines` for all (the models load
    once), into `out/<name>/` with names that cannot collide (`results_names`)."""
    options.setdefault("engines", Engines())
    for path, name in zip(map(Path, recordings), results_names(recordings), strict=True):
        if starting is not None:
            starting(path)
        if name is None:
            yield Outcome(path, error=UsageError(
                "another recording of this run has the same file name, and would write "
                "the same results folder", path=path,
                hint="analyse it with an --out of its own"))
            continue
        yield attempt(path, lambda p=path, n=name: analyze_recording(p, out, name=n,
                                                                     **options))
