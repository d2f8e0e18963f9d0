"""A torch model's forward pass through ONNX Runtime, for the CPU.

The speaker-embedding passes were most of diarization's time (a py-spy profile of a
10-minute meeting: 62% of the samples in CAM++, two thirds of that in its convolutions).
On this 2-core CPU, ONNX Runtime ran CAM++ 1.2x (10 s inputs) to 2x (1.5 s) faster than
torch, to about 2e-5, and segmentation windows 1.5x; the diarization of the 10-minute
meeting is identical (docs/performance.md). torch stays on a GPU.

The graph is exported from the bundled weights the first time it is needed, into
polyphony's cache, named by the weights' checksum, the torch and opset versions, this
module's export version and the example input's shape; it is written beside its final
name and renamed into place, so that two first runs at once never read half a file. A
cached graph that ONNX Runtime cannot load (cut short, corrupted) is exported again.
Nothing is downloaded.
"""

from __future__ import annotations

import os
import tempfile
import warnings
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import numpy as np

from polyphony.errors import ModelError, one_line
from polyphony.models import cache_dir, cache_unwritable

OPSET = 17
# Bump when what is exported changes (the axes left free, the example's shape, the code
# wrapping a model), so that no graph exported before is reused.
EXPORT_VERSION = 1


class Forward:
    """`module`'s forward pass on float32 inputs whose axis 0 (the batch) and the axes
    `varying` may differ in length from `example`'s.

    Several inputs (`map`, or a batch split along axis 0) run as single-threaded calls,
    `threads` at once: on 2 cores, two CAM++ inputs at a time took 15 ms each, against
    21 ms one after another with two threads inside each call. A lone input runs on a
    session with `threads` threads of its own."""

    def __init__(self, name: str, sha256: str, module: Any, example: Any, threads: int,
                 varying: tuple[int, ...] = ()) -> None:
        path = _exported(name, sha256, module, example, varying)
        try:
            self._alone = _session(path, threads)
        except Exception:  # onnxruntime raises its own types for a graph it cannot read
            path.unlink(missing_ok=True)
            path = _exported(name, sha256, module, example, varying)
            self._alone = _session(path, threads, retried=True)
        self._each = _session(path, 1) if threads > 1 else self._alone
        self._input = self._alone.get_inputs()[0].name
        self._threads = threads
        self._pool = ThreadPoolExecutor(threads) if threads > 1 else None

    def __call__(self, x: np.ndarray) -> np.ndarray:
        """One input; a batch of several is split across the threads."""
        if self._pool is None or len(x) < 2:
            return self._run(self._alone, x)
        parts = np.array_split(x, min(len(x), self._threads))
        return np.concatenate(list(self._pool.map(self._run_each, parts)))

    def map(self, inputs: Sequence[np.ndarray]) -> list[np.ndarray]:
        """Several inputs of different shapes, run at once across the threads."""
        if self._pool is None or len(inputs) < 2:
            return [self._run(self._alone, x) for x in inputs]
        return list(self._pool.map(self._run_each, inputs))

    def _run_each(self, x: np.ndarray) -> np.ndarray:
        return self._run(self._each, x)

    def _run(self, session: Any, x: np.ndarray) -> np.ndarray:
        return session.run(None, {self._input: np.ascontiguousarray(x, np.float32)})[0]


def _session(path: Path, threads: int, retried: bool = False) -> Any:
    import onnxruntime as ort

    options = ort.SessionOptions()
    options.intra_op_num_threads = threads
    options.inter_op_num_threads = 1
    options.log_severity_level = 3  # errors only: no notices on the user's terminal
    # the arena keeps the largest buffers any input shape needed: with inputs of every
    # length it held 0.6 GB more at the peak of a 10-minute analysis
    options.enable_cpu_mem_arena = False
    try:
        return ort.InferenceSession(str(path), options, providers=["CPUExecutionProvider"])
    except Exception as exc:
        if not retried:
            raise
        raise ModelError(f"ONNX Runtime cannot load the graph exported into the cache "
                         f"({one_line(exc)})", path=path,
                         hint="delete the file, or set POLYPHONY_CACHE to another "
                              "folder") from None


def _exported(name: str, sha256: str, module: Any, example: Any,
              varying: tuple[int, ...]) -> Path:
    import torch

    version = torch.__version__.replace("+", "-")
    shape = "x".join("N" if axis in varying else str(n)
                     for axis, n in enumerate(example.shape) if axis > 0)
    path = cache_dir() / "onnx" / (f"{name}-{sha256[:12]}-torch{version}-opset{OPSET}"
                                   f"-v{EXPORT_VERSION}-{shape}.onnx")
    if path.is_file():
        return path
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, partial = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
        os.close(fd)
    except OSError as exc:
        raise cache_unwritable(name, exc, path.parent) from None
    try:
        with torch.inference_mode(False), torch.no_grad(), warnings.catch_warnings():
            # the tracer's notes on shape-dependent branches: the inputs polyphony gives
            # always take the traced branch (see the callers), so they are not the user's
            warnings.simplefilter("ignore")
            torch.onnx.export(module, (example,), partial, input_names=["x"],
                              output_names=["y"], opset_version=OPSET, dynamo=False,
                              dynamic_axes={"x": {0: "batch"} | {a: f"axis{a}" for a in varying},
                                            "y": {0: "batch"}})
        os.replace(partial, path)
    except OSError as exc:
        raise cache_unwritable(name, exc, path, full=True) from None
    finally:
        Path(partial).unlink(missing_ok=True)
    return path
