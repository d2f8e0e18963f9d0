"""The models one worker holds: loaded on first use, kept for every recording it analyses.

Whatever analyses many recordings (`polyphony analyze a.wav b.wav`, a batch worker, a Ray
actor) owns one `Engines` and hands it down the pipeline, so the second recording pays
for no loading. The object is the cache: two `Engines` hold two copies, and dropping one
frees its models. One-off library calls that pass none share a default (`resolve`).

`threads` is the CPU threads each model may use (torch's pools, CTranslate2's workers).
N batch workers on C cores get C // N each: left at every core, each process spreads its
matrix products over all of them and the workers slow one another down.
"""

from __future__ import annotations

import contextlib
import os
from dataclasses import dataclass, field
from typing import Any


@dataclass(eq=False)
class Engines:
    """Whisper models and diarization pipelines by their settings, loaded once each."""

    threads: int | None = None  # None: every core
    _loaded: dict[tuple[Any, ...], Any] = field(default_factory=dict, repr=False)

    def __post_init__(self) -> None:
        if self.threads is not None and self.threads < 1:
            raise ValueError(f"threads must be at least 1, not {self.threads}")

    @property
    def cpu_threads(self) -> int:
        return self.threads or cores()

    def whisper(self, model: str, device: str, engine: str = "faster-whisper"):
        """The Whisper model `model` for `engine` (`transcribe.ENGINES`): for faster-whisper
        a registry name or a local directory, for openai-whisper a `.pt` file."""
        from polyphony.audio import transcribe

        return self._get(("whisper", engine, model, device),
                         lambda: transcribe.load_model(model, device, self.cpu_threads,
                                                       engine))

    def diarization(self, threshold: float, step: float, device: str,
                    local_pipeline: str | None):
        """pyannote's SpeakerDiarization pipeline, built from the bundled weights (or the
        user's local pipeline directory)."""
        from polyphony.audio import diarize

        return self._get(("diarization", threshold, step, device, local_pipeline),
                         lambda: diarize.load_pipeline(threshold, step, device,
                                                       local_pipeline, self.cpu_threads))

    def _get(self, key: tuple[Any, ...], load):
        if key not in self._loaded:
            if self.threads is not None:
                _torch_threads(self.threads)
            self._loaded[key] = load()
        return self._loaded[key]


def cores() -> int:
    """The CPU cores this process may run on (its affinity, which a container or a
    scheduler may have narrowed), not every core of the machine."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not Linux
        return os.cpu_count() or 1


def _torch_threads(threads: int) -> None:
    """torch's pools for this process, which is the worker's own. The inter-op pool can
    only be sized before torch first uses it."""
    import torch

    torch.set_num_threads(threads)
    with contextlib.suppress(RuntimeError):  # already in use: it stays as it is
        torch.set_num_interop_threads(threads)


_SHARED: Engines | None = None


def resolve(engines: Engines | None) -> Engines:
    """`engines`, or the process's default for library calls that were given none."""
    global _SHARED
    if engines is not None:
        return engines
    if _SHARED is None:
        _SHARED = Engines()
    return _SHARED
