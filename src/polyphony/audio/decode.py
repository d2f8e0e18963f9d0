"""Decode any audio or video file into 16 kHz mono float32, once, for every later stage.

PyAV carries its own FFmpeg, so no system binary is needed, and torchcodec (which pyannote
would otherwise try, and which cannot load here) is never touched: pyannote and
faster-whisper both receive the in-memory waveform.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from polyphony.errors import InputError

SAMPLE_RATE = 16_000


@dataclass(frozen=True)
class Waveform:
    """Mono float32 samples in [-1, 1] at `sample_rate`, and where they came from."""

    samples: np.ndarray
    sample_rate: int
    path: Path | None = None

    @property
    def duration(self) -> float:
        return len(self.samples) / self.sample_rate

    def as_pyannote(self) -> dict:
        """The in-memory form pyannote.audio accepts instead of a file path."""
        import torch

        return {"waveform": torch.from_numpy(self.samples)[None, :],
                "sample_rate": self.sample_rate}


def _blocks(path: Path, sample_rate: int) -> Iterator[np.ndarray]:
    import av

    try:
        container = av.open(str(path))
    except (av.error.FFmpegError, UnicodeDecodeError) as exc:
        raise InputError("is not an audio or video file that FFmpeg can read",
                         path=path, hint="convert it to WAV, FLAC, MP3 or M4A") from exc
    with container:
        if not container.streams.audio:
            raise InputError("has no audio stream", path=path,
                             hint="give a recording that contains sound")
        stream = container.streams.audio[0]
        resampler = av.AudioResampler(format="flt", layout="mono", rate=sample_rate)
        try:
            for frame in container.decode(stream):
                for out in resampler.resample(frame):
                    yield out.to_ndarray().reshape(-1)
            for out in resampler.resample(None):
                yield out.to_ndarray().reshape(-1)
        except av.error.FFmpegError as exc:
            raise InputError(f"could not be decoded ({exc})", path=path,
                             hint="the file may be truncated or damaged") from exc


def check_file(path: Path) -> None:
    """The cheap checks, done before consent is looked up or anything is decoded."""
    if not path.exists():
        raise InputError("no such file", path=path, hint="check the path")
    if path.is_dir():
        raise InputError("is a directory, not a recording", path=path)
    if path.stat().st_size == 0:
        raise InputError("is empty (0 bytes)", path=path,
                         hint="the recording may not have been saved; copy it again")


def decode(path: str | Path, sample_rate: int = SAMPLE_RATE) -> Waveform:
    """Read a recording. Bad input raises `InputError` naming the file and the problem."""
    path = Path(path)
    check_file(path)
    parts = list(_blocks(path, sample_rate))
    samples = np.concatenate(parts).astype(np.float32, copy=False) if parts else np.zeros(
        0, np.float32)
    if samples.size < sample_rate // 10:
        raise InputError("holds no audio (shorter than 0.1 s)", path=path,
                         hint="give a recording with speech in it")
    np.clip(samples, -1.0, 1.0, out=samples)
    return Waveform(samples, sample_rate, path)
