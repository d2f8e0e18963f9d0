"""The executors' bookkeeping, with a worker that loads no model (`fake_worker.py`): each
job comes back once, a dying worker costs only the job that killed it, threads are shared
out, and usage errors are clear."""

from __future__ import annotations

from itertools import islice

import pytest

from polyphony.batch import executors
from polyphony.errors import UsageError
from tests.batch.fake_worker import FakeWorker, job


def _all(executor, jobs, in_flight=2):
    """As `Batch.run` drives an executor: `in_flight` jobs at a time, one more as each
    finishes."""
    queue, done = iter(jobs), {}
    try:
        for first in islice(queue, in_flight):
            executor.submit(first)
        for _ in jobs:
            finished = executor.next()
            done[finished.name] = finished
            following = next(queue, None)
            if following is not None:
                executor.submit(following)
        return done
    finally:
        executor.close()


def test_two_pool_processes_share_the_jobs_with_a_core_each(tmp_path, monkeypatch):
    import os

    monkeypatch.setattr(executors, "cores", lambda: 2)
    before = os.environ.get("OMP_NUM_THREADS")
    pool = executors.start("local", 2, worker=FakeWorker)
    done = _all(pool, [job(f"m{i}", tmp_path) for i in range(6)])
    assert sorted(done) == [f"m{i}" for i in range(6)] and all(f.ok for f in done.values())
    assert len({f.models["pid"] for f in done.values()}) == 2  # two processes did the work
    assert {f.models["threads"] for f in done.values()} == {1}
    assert {f.models["omp"] for f in done.values()} == {"1"}  # in the workers only
    assert os.environ.get("OMP_NUM_THREADS") == before


def test_a_worker_that_dies_fails_only_the_job_it_died_on(tmp_path):
    pool = executors.start("local", 2, worker=FakeWorker)
    names = ["a", "die-always", "b", "die-once", "c"]
    done = _all(pool, [job(n, tmp_path) for n in names])
    assert sorted(done) == sorted(names)
    assert not done["die-always"].ok and "worker analysing it died" in done[
        "die-always"].error
    assert all(done[n].ok for n in ("a", "b", "c", "die-once"))  # run again in a new pool


def test_one_worker_runs_in_this_process(tmp_path):
    import os

    done = _all(executors.start("local", 1, worker=FakeWorker), [job("m", tmp_path)], 1)
    assert done["m"].models["pid"] == os.getpid()


@pytest.mark.parametrize(("kind", "workers", "address", "problem"), [
    ("slurm", 1, None, "unknown executor"),
    ("local", 0, None, "at least 1"),
    ("local", 1, "10.0.0.1:6379", "needs --executor ray"),
])
def test_a_wrong_executor_setting_is_a_usage_error(kind, workers, address, problem):
    with pytest.raises(UsageError, match=problem):
        executors.start(kind, workers, address=address, worker=FakeWorker)
