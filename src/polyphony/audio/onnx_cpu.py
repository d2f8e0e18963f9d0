"""A torch model's forward pass through ONNX Runtime, for the CPU.

The speaker-embedding passes are most of diarization's time (a py-spy profile of a
10-minute meeting: 64% of the samples in CAM++, two thirds of that in its convolutions).
On this 2-core CPU, ONNX Runtime ran CAM++ 1.2x (10 s inputs) to 2x (1.5 s) faster than
torch, to 3e-6, and diarizing the example took 3.4 s instead of 5.1 s with the same
result (docs/performance.md). torch stays on a GPU, where it is the faster of the two.

The graph is exported from the bundled weights the first time it is needed, into
polyphony's cache, named by the weights' checksum and the torch and opset versions that
made it; it is written beside its final name and renamed into place, so that two first
runs at once never read half a file. Nothing is downloaded.
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

from polyphony.errors import ModelError
from polyphony.models import cache_dir

OPSET = 17


class Forward:
    """`module`'s forward pass on float32 inputs whose axis 0 (the batch) and the axes
    `varying` may differ in length from `example`'s.

    The inputs are spread over `threads` single-threaded runs at once (one session; ONNX
    Runtime runs concurrent calls): on 2 cores, two CAM++ inputs at a time took 15 ms
    each, against 21 ms one after another with two threads inside each run."""

    def __init__(self, name: str, sha256: str, module: Any, example: Any, threads: int,
                 varying: tuple[int, ...] = ()) -> None:
        import onnxruntime as ort

        path = _exported(name, sha256, module, example, varying)
        options = ort.SessionOptions()
        options.intra_op_num_threads = 1
        options.inter_op_num_threads = 1
        options.log_severity_level = 3  # errors only: no notices on the user's terminal
        # the arena keeps the largest buffers any input shape needed: with inputs of every
        # length it held 0.6 GB more at the peak of a 10-minute analysis, for no speed
        options.enable_cpu_mem_arena = False
        self._session = ort.InferenceSession(str(path), options,
                                             providers=["CPUExecutionProvider"])
        self._input = self._session.get_inputs()[0].name
        self._threads = threads
        self._pool = ThreadPoolExecutor(threads) if threads > 1 else None

    def __call__(self, x: np.ndarray) -> np.ndarray:
        """One input; a batch is split across the threads."""
        if self._pool is None or len(x) < 2:
            return self._run(x)
        parts = np.array_split(x, min(len(x), self._threads))
        return np.concatenate(list(self._pool.map(self._run, parts)))

    def map(self, inputs: Sequence[np.ndarray]) -> list[np.ndarray]:
        """Several inputs of different shapes, run at once across the threads."""
        if self._pool is None:
            return [self._run(x) for x in inputs]
        return list(self._pool.map(self._run, inputs))

    def _run(self, x: np.ndarray) -> np.ndarray:
        return self._session.run(None, {self._input: np.ascontiguousarray(x, np.float32)})[0]


def _exported(name: str, sha256: str, module: Any, example: Any,
              varying: tuple[int, ...]) -> Path:
    import torch

    version = torch.__version__.replace("+", "-")
    path = cache_dir() / "onnx" / f"{name}-{sha256[:12]}-torch{version}-opset{OPSET}.onnx"
    if path.is_file():
        return path
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, partial = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
        os.close(fd)
    except OSError as exc:
        raise ModelError(f"the cache for model {name} cannot be written "
                         f"({exc.strerror or exc})", path=path.parent,
                         hint="set POLYPHONY_CACHE to a writable folder") from None
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
        raise ModelError(f"the cache for model {name} cannot be written "
                         f"({exc.strerror or exc})", path=path,
                         hint="free some space, or set POLYPHONY_CACHE") from None
    finally:
        Path(partial).unlink(missing_ok=True)
    return path
