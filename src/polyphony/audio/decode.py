"""Decode any audio or video file into 16 kHz mono float32 for every later stage.

PyAV carries its own FFmpeg, so no system binary is needed, and torchcodec (which pyannote
would otherwise try, and which cannot load here) is never touched: pyannote and
faster-whisper both receive in-memory waveforms.

A long recording is not held in memory whole: `stream` yields it in blocks cut at the
quietest moment near each block boundary, so that no word is cut in two.
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
    offset: float = 0.0  # where these samples start in the recording, in seconds

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


def _too_short(path: Path) -> InputError:
    return InputError("holds no audio (shorter than 0.1 s)", path=path,
                      hint="give a recording with speech in it")


def decode(path: str | Path, sample_rate: int = SAMPLE_RATE) -> Waveform:
    """Read a whole recording. Bad input raises `InputError` naming the file and the
    problem."""
    path = Path(path)
    check_file(path)
    parts = list(_blocks(path, sample_rate))
    samples = np.concatenate(parts).astype(np.float32, copy=False) if parts else np.zeros(
        0, np.float32)
    if samples.size < sample_rate // 10:
        raise _too_short(path)
    np.clip(samples, -1.0, 1.0, out=samples)
    return Waveform(samples, sample_rate, path)


def quietest_cut(samples: np.ndarray, sample_rate: int, lo: int, hi: int,
                 window: float = 0.2) -> int:
    """The sample index in [lo, hi) at the centre of the least energetic `window`: where a
    cut is least likely to split a word."""
    size = max(1, round(window * sample_rate))
    frames = (hi - lo) // size
    if frames < 1:
        return (lo + hi) // 2
    energy = np.square(samples[lo:lo + frames * size].reshape(frames, size)).sum(axis=1)
    return lo + int(np.argmin(energy)) * size + size // 2


def stream(path: str | Path, block_seconds: float, margin_seconds: float = 30.0,
           sample_rate: int = SAMPLE_RATE) -> Iterator[Waveform]:
    """Yield the recording in consecutive blocks of about `block_seconds` (at most
    `block_seconds + 2 * margin_seconds`), each cut at the quietest moment within
    `margin_seconds` of its nominal end. Memory is bounded by the block size, whatever the
    recording's length; the same file always gives the same blocks."""
    path = Path(path)
    check_file(path)
    block = round(block_seconds * sample_rate)
    margin = min(round(margin_seconds * sample_rate), block // 4)
    pending: list[np.ndarray] = []
    held, emitted = 0, 0
    for part in _blocks(path, sample_rate):
        pending.append(part)
        held += len(part)
        if held < block + 2 * margin:
            continue
        buffer = np.concatenate(pending)
        cut = quietest_cut(buffer, sample_rate, block - margin, block + margin)
        yield Waveform(np.clip(buffer[:cut], -1.0, 1.0), sample_rate, path,
                       emitted / sample_rate)
        emitted += cut
        pending, held = [buffer[cut:]], len(buffer) - cut
    if emitted + held < sample_rate // 10:
        raise _too_short(path)
    if held:
        samples = np.concatenate(pending).astype(np.float32, copy=False)
        yield Waveform(np.clip(samples, -1.0, 1.0), sample_rate, path, emitted / sample_rate)
