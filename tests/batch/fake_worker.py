"""A stand-in for `batch.worker.Worker` that loads no model, for the executors' own
bookkeeping: it answers at once, dies on request, and says which process ran it. The
real Worker is tested with the real models in test_run.py."""

from __future__ import annotations

import os
import time
from pathlib import Path

from polyphony.batch.worker import Finished, Job


class FakeWorker:
    def __init__(self, threads: int) -> None:
        self.threads = threads

    def run(self, job: Job) -> Finished:
        if job.name.startswith("die"):
            marker = job.out / f"{job.name}.died"
            if Path(job.name).stem == "die-always" or not marker.exists():
                marker.touch()
                os._exit(1)  # the process dies, as one killed for memory does
        time.sleep(0.1)  # long enough that both pool processes get work
        folder = job.out / job.name
        folder.mkdir(parents=True, exist_ok=True)
        (folder / "conversation.json").write_text("{}")  # what marks a results folder
        return Finished(job.name, job.out / job.name, None, None, {"total": 0.0},
                        {"pid": os.getpid(), "threads": self.threads,
                         "omp": os.environ.get("OMP_NUM_THREADS")})


def job(name: str, out: Path) -> Job:
    from polyphony.audio.pipeline import Settings

    return Job(name, out / f"{name}.wav", out, "0" * 64, None, Settings())
