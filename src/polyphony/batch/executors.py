"""Where a batch's jobs run: here, in a pool of worker processes, or on Ray.

Every executor takes a job (`submit`) and gives back whichever finishes next (`next`);
the batch keeps one job per worker in flight, so the catalogue marks a recording
`running` only when a worker has it. Each worker owns a `Worker` (its models, loaded
once) and its share of the CPUs.

- `local`, 1 worker: in this process, no start-up cost.
- `local`, N workers: N processes started with `spawn` (torch and CTranslate2 are not
  safe to fork once their thread pools run), each with `cores() // N` threads.
- `ray`: N actors, on a local Ray started for the batch (`local_ray.py`: nothing leaves
  the machine) or on the cluster at `address`. The recordings and the batch folder must
  then be at the same paths on every node (a shared file system), and polyphony
  installed there. One actor holds all of a worker's models: handing audio between
  per-model actors would cost more than one more copy of the models saves.
"""

from __future__ import annotations

import math
import multiprocessing
import os
from collections import deque
from collections.abc import Callable
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from typing import Any, Protocol

from threadpoolctl import threadpool_limits

from polyphony.audio.engines import cores
from polyphony.batch import EXECUTORS, local_ray
from polyphony.batch.worker import Finished, Job, Worker
from polyphony.errors import PolyphonyError, UsageError

_DIED = ("the worker analysing it died (killed, or out of memory); --retry-failed runs "
         "it again")
_PLACED_WITHIN = 300.0  # seconds for Ray to start every actor, or the batch stops
_THREAD_VARIABLES = ("OMP_NUM_THREADS", "MKL_NUM_THREADS", "OPENBLAS_NUM_THREADS")


def threads_per_worker(workers: int) -> int:
    return max(1, cores() // workers)


class Executor(Protocol):
    def submit(self, job: Job) -> None: ...
    def next(self) -> Finished: ...
    def close(self) -> None: ...


def _failed(job: Job, problem: str) -> Finished:
    """A job that ended without a result, reported as every error is (`PolyphonyError`)."""
    return Finished(job.name, None, str(PolyphonyError(problem, path=job.path)), None, {},
                    {}, problem)


class InProcess:
    """One worker, in this process: jobs run when their result is asked for."""

    def __init__(self, threads: int, worker: type[Worker] = Worker) -> None:
        self._worker = worker(threads)
        self._queue: deque[Job] = deque()

    def submit(self, job: Job) -> None:
        self._queue.append(job)

    def next(self) -> Finished:
        return self._worker.run(self._queue.popleft())

    def close(self) -> None:
        self._queue.clear()


_PROCESS_WORKER: Worker | None = None  # in a pool process: the worker it is


def _start_worker(worker: type[Worker], threads: int) -> None:
    """A pool process's start. The OpenMP and BLAS pools that torch and CTranslate2 bring
    read these variables when those libraries first load, which is later, in the
    analysis: set here, they hold in this process only."""
    global _PROCESS_WORKER
    os.environ.update(dict.fromkeys(_THREAD_VARIABLES, str(threads)))
    threadpool_limits(threads)  # numpy's BLAS, loaded already when this module was
    _PROCESS_WORKER = worker(threads)


def _run_job(job: Job) -> Finished:
    assert _PROCESS_WORKER is not None, "pool process started without its worker"
    return _PROCESS_WORKER.run(job)


class Pool:
    """`workers` processes, each with its own models and `threads` threads.

    When a worker process dies (killed, out of memory), the pool breaks, every job in
    flight is lost with it, and which one killed it is unknown. Those jobs are then run
    again one at a time in a new pool (the others wait): one that dies alone is the
    culprit, and fails; the rest get their results. A job that had finished before the
    break keeps its result."""

    def __init__(self, workers: int, threads: int, worker: type[Worker] = Worker) -> None:
        self._args = (workers, threads, worker)
        self._pool = self._new()
        self._running: dict[Future[Finished], Job] = {}
        self._finished: deque[Finished] = deque()  # results to hand out before waiting
        self._suspects: deque[Job] = deque()  # lost in a crash, to run again alone
        self._solo: Job | None = None  # the suspect running alone now
        self._held: deque[Job] = deque()  # submitted while suspects run

    def _new(self) -> ProcessPoolExecutor:
        workers, threads, worker = self._args
        return ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("spawn"),
                                   initializer=_start_worker, initargs=(worker, threads))

    def submit(self, job: Job) -> None:
        if self._solo is not None or self._suspects:
            self._held.append(job)
            return
        try:
            self._running[self._pool.submit(_run_job, job)] = job
        except BrokenProcessPool:  # a worker died since the last result was handed out
            self._held.append(job)
            self._recover()

    def next(self) -> Finished:
        while not self._finished:
            finished, _ = wait(self._running, return_when=FIRST_COMPLETED)
            future = next(iter(finished))
            job = self._running.pop(future)
            try:
                self._finished.append(future.result())
            except BrokenProcessPool:
                self._running[future] = job
                self._recover()
                continue
            if job is self._solo:
                self._solo = None
            self._advance()
        return self._finished.popleft()

    def _recover(self) -> None:
        """A new pool after a crash: results finished before it are kept, the rest are
        suspects; a suspect that was running alone is the culprit."""
        lost = []
        for future, job in self._running.items():
            if future.done() and not future.cancelled() and future.exception() is None:
                self._finished.append(future.result())
            else:
                lost.append(job)
        self._running.clear()
        self._pool.shutdown(cancel_futures=True)
        self._pool = self._new()
        culprit, self._solo = self._solo, None
        if culprit is not None and culprit in lost:
            lost.remove(culprit)
            self._finished.append(_failed(culprit, _DIED))
        self._suspects.extend(lost)
        self._advance()

    def _advance(self) -> None:
        """With nothing in flight: the next suspect alone, or, once none is left, the
        jobs held back meanwhile."""
        if self._running or self._solo is not None:
            return
        if self._suspects:
            self._solo = self._suspects.popleft()
            self._running[self._pool.submit(_run_job, self._solo)] = self._solo
            return
        while self._held:
            self.submit(self._held.popleft())

    def close(self) -> None:
        self._pool.shutdown(cancel_futures=True)


def _shares(nodes: list[dict[str, float]], workers: int, cuda: bool) -> tuple[float, float]:
    """The CPUs and GPUs each of `workers` actors asks for, so that all of them can be
    placed: the largest CPU share of which the nodes hold `workers` between them, and a
    GPU share 1/m, m actors to a GPU (Ray places a share under 1 on one GPU)."""
    cpus = [n.get("CPU", 0.0) for n in nodes]
    shares = sorted({c / k for c in cpus for k in range(1, workers + 1) if c > 0},
                    reverse=True)
    cpu = next((c for c in shares if sum(int(n / c + 1e-9) for n in cpus) >= workers),
               min(shares, default=1.0))
    gpus = sum(int(n.get("GPU", 0.0)) for n in nodes)
    gpu = 1.0 / math.ceil(workers / gpus) if cuda and gpus else 0.0
    return cpu, gpu


class Ray:
    """`workers` Ray actors, each with its own models and its share of the cluster's CPUs
    (and GPUs, when the analysis runs on CUDA). An actor Ray cannot place, or one whose
    start fails, stops the batch with one line rather than a silent wait."""

    def __init__(self, workers: int, address: str | None, cuda: bool,
                 worker: type[Worker] = Worker) -> None:
        options: dict[str, Any] = {"include_dashboard": False, "log_to_driver": False,
                                   "logging_level": "ERROR"}
        try:
            if address is None:  # for this batch, reachable from this machine only
                self._ray, self._stop = local_ray.start(cores(), **options)
            else:
                self._ray, self._stop = _join(address, **options)
        except ImportError:
            raise UsageError("--executor ray needs Ray, which is not installed",
                             hint="pip install 'polyphony[ray]'") from None
        except (ConnectionError, RuntimeError, ValueError) as exc:
            raise UsageError(f"Ray could not start or connect ({exc})",
                             hint="check --ray-address, or leave it out for a local Ray"
                             ) from None
        self._idle: list[Any] = []
        self._running: dict[Any, tuple[Any, Job]] = {}  # result ref -> (actor, job)
        self._waiting: deque[Job] = deque()
        try:
            self._place(workers, cuda, worker)
        except BaseException:
            self.close()
            raise

    def _place(self, workers: int, cuda: bool, worker: type[Worker]) -> None:
        ray = self._ray
        nodes = [n["Resources"] for n in ray.nodes() if n.get("Alive")]
        cpus, gpus = _shares(nodes, workers, cuda)
        threads = max(1, int(cpus))
        self._new = lambda: ray.remote(num_cpus=cpus, num_gpus=gpus)(worker).remote(threads)
        self._idle = [self._new() for _ in range(workers)]
        ready, _ = ray.wait([a.__ray_ready__.remote() for a in self._idle],
                            num_returns=workers, timeout=_PLACED_WITHIN)
        if len(ready) < workers:
            raise UsageError(f"Ray started {len(ready)} of {workers} workers within "
                             f"{_PLACED_WITHIN:.0f} s (its nodes have {nodes})",
                             hint="use fewer --workers, or check the cluster")
        try:
            ray.get(ready)  # a worker that could not start says why here
        except ray.exceptions.RayError as exc:
            raise UsageError(f"a Ray worker could not start ({exc})",
                             hint="is polyphony installed on every node?") from None

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
        self._stop()


def _join(address: str, **options: Any) -> tuple[Any, Callable[[], None]]:
    """The cluster at `address`, and what disconnects from it (it runs on)."""
    import ray

    if not ray.is_initialized():
        ray.init(address=address, **options)
    return ray, ray.shutdown


def start(kind: str, workers: int, *, device: str = "cpu", address: str | None = None,
          worker: type[Worker] = Worker) -> Executor:
    """The executor `kind` with `workers` workers (`worker`: what each runs)."""
    if kind not in EXECUTORS:
        raise UsageError(f"unknown executor {kind!r}", hint="use local or ray")
    if workers < 1:
        raise UsageError(f"--workers must be at least 1, not {workers}")
    if address is not None and kind != "ray":
        raise UsageError("--ray-address needs --executor ray")
    if kind == "ray":
        return Ray(workers, address, device == "cuda", worker)
    threads = threads_per_worker(workers)
    return InProcess(threads, worker) if workers == 1 else Pool(workers, threads, worker)
