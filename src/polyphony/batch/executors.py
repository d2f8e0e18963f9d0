"""Where a batch's jobs run: here, in a pool of worker processes, or on Ray.

Every executor takes a job (`submit`) and gives back whichever finishes next (`next`);
the batch keeps one job per worker in flight, so the catalogue marks a recording
`running` only when a worker has it. Each worker owns a `Worker` (its models, loaded
once). Threads: the cores this process may use, shared out evenly (`threads_per_worker`).

- `local`, 1 worker: in this process, no start-up cost.
- `local`, N workers: N processes started with `spawn` (torch and CTranslate2 are not
  safe to fork once their thread pools run).
- `ray`: N actors, on the local machine by default (dashboard off, usage statistics off,
  nothing reported anywhere) or on the cluster at `address`. The recordings and the batch
  folder must then be at the same paths on every node (a shared file system), and
  polyphony installed there. One actor holds all of a worker's models: they are small
  (about 1 GB), and handing audio between per-model actors would cost more than it saves.
  A GPU is requested per actor (a share of one where there are more actors than GPUs)
  when the analysis runs on CUDA.
"""

from __future__ import annotations

import multiprocessing
import os
from collections import deque
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from typing import Any, Protocol

from polyphony.batch.worker import Finished, Job, Worker
from polyphony.errors import UsageError

EXECUTORS = ("local", "ray")
_DIED = ("the worker analysing it died (killed, or out of memory); --retry-failed runs "
         "it again")


def cores() -> int:
    """The CPU cores this process may run on."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not Linux
        return os.cpu_count() or 1


def threads_per_worker(workers: int) -> int:
    return max(1, cores() // workers)


class Executor(Protocol):
    def submit(self, job: Job) -> None: ...
    def next(self) -> Finished: ...
    def close(self) -> None: ...


def _failed(job: Job, problem: str) -> Finished:
    return Finished(job.name, None, f"{job.path}: {problem}", None, {}, {}, problem)


class InProcess:
    """One worker, in this process: jobs run when their result is asked for."""

    def __init__(self, threads: int) -> None:
        self._worker = Worker(threads)
        self._queue: deque[Job] = deque()

    def submit(self, job: Job) -> None:
        self._queue.append(job)

    def next(self) -> Finished:
        return self._worker.run(self._queue.popleft())

    def close(self) -> None:
        self._queue.clear()


_PROCESS_WORKER: Worker | None = None  # in a pool process: the worker it is


def _start_worker(threads: int) -> None:
    global _PROCESS_WORKER
    _PROCESS_WORKER = Worker(threads)


def _run_job(job: Job) -> Finished:
    assert _PROCESS_WORKER is not None, "pool process started without its worker"
    return _PROCESS_WORKER.run(job)


class Pool:
    """`workers` processes, each with its own models."""

    def __init__(self, workers: int, threads: int) -> None:
        self._args = (workers, threads)
        self._pool = self._new()
        self._running: dict[Future[Finished], Job] = {}
        self._done: deque[Finished] = deque()

    def _new(self) -> ProcessPoolExecutor:
        workers, threads = self._args
        return ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("spawn"),
                                   initializer=_start_worker, initargs=(threads,))

    def submit(self, job: Job) -> None:
        try:
            self._running[self._pool.submit(_run_job, job)] = job
        except BrokenProcessPool:
            self._done.append(_failed(job, _DIED))

    def next(self) -> Finished:
        if self._done:
            return self._done.popleft()
        finished, _ = wait(self._running, return_when=FIRST_COMPLETED)
        future = next(iter(finished))
        job = self._running.pop(future)
        try:
            return future.result()
        except BrokenProcessPool:
            # Every job in flight is lost with the pool; which one killed it is unknown.
            for other in self._running.values():
                self._done.append(_failed(other, _DIED))
            self._running.clear()
            self._pool.shutdown(cancel_futures=True)
            self._pool = self._new()
            return _failed(job, _DIED)

    def close(self) -> None:
        self._pool.shutdown(cancel_futures=True)


class Ray:
    """`workers` Ray actors, each with its own models."""

    def __init__(self, workers: int, threads: int, address: str | None, gpus: float) -> None:
        import ray

        self._started = not ray.is_initialized()  # then this batch stops it too
        if self._started:
            options: dict[str, Any] = {"include_dashboard": False, "log_to_driver": False,
                                       "logging_level": "ERROR"}
            if address is None:
                options["num_cpus"] = cores()
            ray.init(address=address, **options)
        self._ray = ray
        self._new = lambda: ray.remote(num_cpus=threads, num_gpus=gpus)(Worker).remote(threads)
        self._idle = [self._new() for _ in range(workers)]
        self._running: dict[Any, tuple[Any, Job]] = {}  # result ref -> (actor, job)
        self._waiting: deque[Job] = deque()

    def submit(self, job: Job) -> None:
        if self._idle:
            actor = self._idle.pop()
            self._running[actor.run.remote(job)] = (actor, job)
        else:
            self._waiting.append(job)

    def next(self) -> Finished:
        [ref], _ = self._ray.wait(list(self._running), num_returns=1)
        actor, job = self._running.pop(ref)
        try:
            finished = self._ray.get(ref)
        except self._ray.exceptions.RayActorError:  # the actor died with its job
            finished, actor = _failed(job, _DIED), self._new()
        except self._ray.exceptions.RayError as exc:
            finished = _failed(job, f"Ray could not run it ({type(exc).__name__}: {exc})")
        self._idle.append(actor)
        if self._waiting:
            self.submit(self._waiting.popleft())
        return finished

    def close(self) -> None:
        for actor in [*self._idle, *(a for a, _ in self._running.values())]:
            self._ray.kill(actor)
        self._idle.clear()
        self._running.clear()
        if self._started:
            self._ray.shutdown()


def start(kind: str, workers: int, *, device: str = "cpu",
          address: str | None = None) -> Executor:
    """The executor `kind` with `workers` workers."""
    if kind not in EXECUTORS:
        raise UsageError(f"unknown executor {kind!r}", hint="use local or ray")
    if workers < 1:
        raise UsageError(f"--workers must be at least 1, not {workers}")
    if address is not None and kind != "ray":
        raise UsageError("--ray-address needs --executor ray")
    threads = threads_per_worker(workers)
    if kind == "ray":
        return Ray(workers, threads, address, min(1.0, 1 / workers) if device == "cuda" else 0)
    return InProcess(threads) if workers == 1 else Pool(workers, threads)
