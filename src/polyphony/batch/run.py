"""A batch: many recordings analysed into one folder, resumably, by one or more workers.

    with Batch("recordings/", "results/") as batch:
        for outcome in batch.run(workers=2):
            print(outcome.name, outcome.status, outcome.reason)

Opening a batch takes the catalogue's lock and plans: each recording is hashed (sha256,
once: the hash is reused for the consent check, the provenance and the catalogue) and
compared with the catalogue. A recording done before with the same bytes and the same
settings (`settings_key`: the analysis settings, the roster's bytes, the polyphony version
and the ASR model) is skipped, and so is one that failed before, unless `retry_failed`.
Everything else is run, and each outcome recorded as it comes.

The results of recording `name` are `DIR/<name>/`, as `polyphony analyze` writes them
(`inputs.py` says how names are chosen so that they cannot collide).
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import time
from collections.abc import Iterator
from contextlib import ExitStack
from dataclasses import dataclass
from itertools import islice
from pathlib import Path
from types import TracebackType
from typing import Any

from polyphony import __version__
from polyphony.audio.pipeline import Settings, resolve_device
from polyphony.batch import executors
from polyphony.batch.catalogue import Catalogue, Entry
from polyphony.batch.inputs import Item, discover
from polyphony.batch.worker import Finished, Job, Worker, stamp
from polyphony.errors import InputError, PolyphonyError
from polyphony.files import sha256
from polyphony.models import registry


@dataclass(frozen=True)
class Processed:
    """What became of one recording in this run: done; failed (with the reason, and the
    problem alone, to group by); skipped (done before, unchanged); or not retried
    (failed before, unchanged, without `retry_failed`)."""

    name: str
    path: Path
    status: str
    reason: str | None = None
    folder: Path | None = None
    seconds: float | None = None
    problem: str | None = None


class Batch:
    """A batch folder, locked and planned while the `with` block runs."""

    def __init__(self, source: str | Path, out: str | Path, *,
                 settings: Settings = Settings(), retry_failed: bool = False,
                 deidentify: bool = False, check_consent: bool = True) -> None:
        self.source, self.out = Path(source), Path(out)
        self.settings = dataclasses.replace(settings, device=resolve_device(settings.device))
        self.retry_failed = retry_failed
        self.deidentify, self.check_consent = deidentify, check_consent
        self._catalogue: Catalogue | None = None
        self._held = ExitStack()  # the catalogue, open and locked
        self.todo: list[Job] = []
        self.not_run: list[Processed] = []
        self._paths: dict[str, Path] = {}

    def __enter__(self) -> Batch:
        items = discover(self.source, self.out)
        if not items:
            raise InputError("holds no recordings to analyse", path=self.source,
                             hint="give a folder of audio or video files, or a manifest "
                                  "with a row per recording (docs/batch.md)")
        self._catalogue = self._held.enter_context(Catalogue.open(self.out))
        try:
            for item in items:
                self._plan(item)
        except BaseException:
            self.__exit__(None, None, None)
            raise
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None,
                 trace: TracebackType | None) -> None:
        self._held.close()
        self._catalogue = None

    @property
    def catalogue(self) -> Catalogue:
        if self._catalogue is None:
            raise RuntimeError("a Batch is used inside `with Batch(...) as batch:`")
        return self._catalogue

    def _plan(self, item: Item) -> None:
        """Skip, fail or queue one item."""
        catalogue = self.catalogue
        path = item.path.absolute()
        digest, key, recorded, stamped = None, None, {"roster": _text(item.roster)}, None
        problem = item.problem
        if problem is None:
            try:
                stamped, digest = stamp(path), sha256(path)
                key, recorded = self._settings(item)
            except OSError as exc:
                problem = f"cannot be read ({exc.strerror or exc})"
        previous = catalogue.get(item.name)
        if problem is not None:
            reason = str(PolyphonyError(problem, path=item.where))
            self.not_run.append(Processed(item.name, path, "failed", reason, problem=problem))
            if previous is None or previous.status != "done":  # finished results stand
                catalogue.pending(item.name, str(path), digest, key, recorded,
                                  item.meeting_id, item.network_id, item.date)
                catalogue.failed(item.name, reason, problem, None)
            return
        if previous is not None and (previous.sha256, previous.settings_key) == (digest, key):
            outcome = _unchanged(previous, item, path, self.out, self.retry_failed)
            if outcome is not None:
                if (previous.path, previous.meeting_id, previous.network_id, previous.date
                        ) != (str(path), item.meeting_id, item.network_id, item.date):
                    catalogue.describe(item.name, str(path), item.meeting_id,
                                       item.network_id, item.date)
                self.not_run.append(outcome)
                return
        catalogue.pending(item.name, str(path), digest, key, recorded, item.meeting_id,
                          item.network_id, item.date)
        self.todo.append(Job(item.name, path, self.out.absolute(), digest or "",
                             stamped, self.settings, _absolute(item.roster),
                             _absolute(item.consent), self.deidentify, self.check_consent))

    def _settings(self, item: Item) -> tuple[str, dict[str, Any]]:
        """What decides whether a done recording needs analysing again, with its hash:
        the analysis settings, the roster's bytes, the ASR model's and polyphony's
        versions (not where the files are: a batch moved to another disk is still done)."""
        entry = registry().get(self.settings.asr_model)
        keyed = {"analysis": dataclasses.asdict(self.settings),
                 "deidentify": self.deidentify, "consent_checked": self.check_consent,
                 "roster_sha256": sha256(item.roster) if item.roster else None,
                 "asr_model_sha256": entry.sha256 if entry else None,
                 "polyphony": __version__}
        key = hashlib.sha256(json.dumps(keyed, sort_keys=True).encode()).hexdigest()
        return key, {**keyed, "roster": _text(item.roster)}

    def run(self, workers: int = 1, executor: str = "local",
            ray_address: str | None = None, *,
            worker: type[Worker] = Worker) -> Iterator[Processed]:
        """Every recording's outcome: those not run first, then each analysed one as it
        finishes. Each is in the catalogue before it is yielded. `worker` is what each
        worker runs (a stand-in that loads no model, in tests)."""
        yield from self.not_run
        if not self.todo:
            return
        self._paths = {job.name: job.path for job in self.todo}
        pool = executors.start(executor, workers, device=self.settings.device,
                               address=ray_address, worker=worker)
        started: dict[str, float] = {}
        queue = iter(self.todo)
        try:
            for job in islice(queue, workers):
                self._submit(pool, job, started)
            for _ in range(len(self.todo)):
                finished = pool.next()
                job = next(queue, None)
                if job is not None:
                    self._submit(pool, job, started)
                yield self._record(finished, time.perf_counter() - started[finished.name])
        finally:
            pool.close()

    def _submit(self, pool: executors.Executor, job: Job, started: dict[str, float]) -> None:
        self.catalogue.running(job.name)
        started[job.name] = time.perf_counter()
        pool.submit(job)

    def _record(self, finished: Finished, seconds: float) -> Processed:
        job_path = self._paths[finished.name]
        if finished.ok and finished.folder is not None:
            self.catalogue.done(finished.name, str(finished.folder), finished.timings,
                                finished.models, finished.digest)
            return Processed(finished.name, job_path, "done", None, finished.folder, seconds)
        self.catalogue.failed(finished.name, finished.error or "failed", finished.problem,
                              finished.trace, finished.timings)
        return Processed(finished.name, job_path, "failed", finished.error, None, seconds,
                         finished.problem)


def _unchanged(previous: Entry, item: Item, path: Path, out: Path,
               retry_failed: bool) -> Processed | None:
    """The outcome of a recording unchanged since its catalogue row, when it is not run
    again: done before (with its results folder in place), or failed before and not
    retried. None when it must run."""
    if previous.status == "done" and (out / previous.name / "conversation.json").is_file():
        return Processed(item.name, path, "skipped", "done before, unchanged",
                         out / item.name)
    if previous.status == "failed" and not retry_failed:
        return Processed(item.name, path, "not retried",
                         f"{previous.error}; --retry-failed runs it again",
                         problem=previous.problem)
    return None


def _absolute(path: Path | None) -> Path | None:
    """As a worker elsewhere (a Ray node, another working folder) finds it."""
    return path.absolute() if path is not None else None


def _text(path: Path | None) -> str | None:
    return str(path) if path is not None else None
