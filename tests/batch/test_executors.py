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


@pytest.mark.parametrize(("nodes", "workers", "cuda", "shares"), [
    ([{"CPU": 2}], 1, False, (2.0, 0.0)),
    ([{"CPU": 2}], 4, False, (0.5, 0.0)),  # more workers than CPUs: a fraction each
    ([{"CPU": 4}, {"CPU": 4}], 3, False, (2.0, 0.0)),  # 8/3 each would not fit a node
    ([{"CPU": 8, "GPU": 2}], 3, True, (8 / 3, 0.5)),  # 2 to a GPU: all three placed
    ([{"CPU": 8, "GPU": 2}], 2, True, (4.0, 1.0)),
    ([{"CPU": 8, "GPU": 2}], 2, False, (4.0, 0.0)),
])
def test_ray_shares_are_ones_the_cluster_can_place(nodes, workers, cuda, shares):
    assert executors._shares(nodes, workers, cuda) == pytest.approx(shares)
