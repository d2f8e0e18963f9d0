"""One batch worker: its own models, and the analysis of each job handed to it.

A `Worker` lives in the process that runs it (this one, a pool process or a Ray actor) and
owns an `Engines`, so its models load once and every recording it is given streams through
them. Jobs and what comes back are small, picklable records: no audio crosses a process
boundary, only paths, and each worker writes its results folder itself (atomically, by
rename), so the catalogue is only told of a folder that is complete.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from polyphony import __version__
from polyphony.analyze import analyze_recording, attempt
from polyphony.audio.engines import Engines
from polyphony.audio.pipeline import Settings
from polyphony.roster import load as load_roster


@dataclass(frozen=True)
class Job:
    name: str
    path: Path
    out: Path
    digest: str  # the recording's sha256 when it was planned,
    stamp: tuple[int, int] | None  # and its size and mtime then
    settings: Settings
    roster: Path | None = None
    consent: Path | None = None
    deidentify: bool = False
    check_consent: bool = True


@dataclass(frozen=True)
class Finished:
    """What became of a job. `error` is one line (file, problem, hint); `problem` the
    problem alone, by which a summary groups failures; `trace` a bug's traceback;
    `digest` the sha256 of what was analysed, if the file changed after it was
    planned."""

    name: str
    folder: Path | None
    error: str | None
    trace: str | None
    timings: dict[str, float]
    models: dict[str, Any]
    problem: str | None = None
    digest: str | None = None

    @property
    def ok(self) -> bool:
        return self.error is None


class Worker:
    """Analyses the jobs it is given with models it loads once (`threads` CPU threads
    each)."""

    def __init__(self, threads: int | None = None) -> None:
        self.engines = Engines(threads)

    def run(self, job: Job) -> Finished:
        started = time.perf_counter()
        changed = stamp(job.path) != job.stamp  # replaced, or still copied, since planned
        outcome = attempt(job.path, lambda: analyze_recording(
            job.path, job.out, roster=load_roster(job.roster) if job.roster else None,
            settings=job.settings, consent_file=job.consent, force=True,
            deidentify=job.deidentify, check_consent=job.check_consent, name=job.name,
            engines=self.engines, digest=None if changed else job.digest))
        timings = {"total": round(time.perf_counter() - started, 3)}
        if outcome.result is None:
            error = outcome.error
            return Finished(job.name, None, str(error), outcome.trace, timings, {},
                            error.problem if error else None)
        result = outcome.result
        provenance = result.analysis.conversation.provenance
        models = {**provenance.models, "polyphony": __version__}
        return Finished(job.name, result.folder, None, None,
                        {**result.metrics["timings"], **timings}, models,
                        digest=provenance.recording_sha256 if changed else None)


def stamp(path: Path) -> tuple[int, int] | None:
    """Size and modification time: a worker that finds them changed since the batch was
    planned hashes the recording again, so that what was analysed is what is recorded."""
    try:
        info = path.stat()
    except OSError:
        return None  # the analysis says what is wrong with it
    return info.st_size, info.st_mtime_ns
