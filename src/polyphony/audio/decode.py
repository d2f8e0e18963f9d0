"""Decode any audio or video file into 16 kHz mono float32 for every later stage.

PyAV carries its own FFmpeg, so no system binary is needed, and torchcodec (which pyannote
would otherwise try, and which cannot load here) is never touched: pyannote and
faster-whisper both receive in-memory waveforms.

A long recording is not held in memory whole: `stream` yields it in blocks cut at the
quietest moment near each block boundary, so that no word is cut in two.
"""

from __future__ import annotations

import struct
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

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


@contextmanager
def open_audio(path: Path) -> Iterator[tuple[Any, Any]]:
    """The PyAV container and its first audio stream (the one every stage uses); a file
    FFmpeg cannot read, or one without sound, is the user's error, named."""
    import av

    try:
        container = av.open(str(path))
    except (av.error.FFmpegError, UnicodeDecodeError) as exc:
        raise InputError("is not an audio or video file that FFmpeg can read", path=path,
                         hint="convert it to WAV, FLAC, MP3 or M4A") from exc
    with container:
        if not container.streams.audio:
            raise InputError("has no audio stream", path=path,
                             hint="give a recording that contains sound")
        yield container, container.streams.audio[0]


def frames(path: Path, container: Any, stream: Any, resampler: Any) -> Iterator[np.ndarray]:
    """Every frame of `stream`, through `resampler`, as (channels, samples) arrays; a
    decoding error (a damaged file) is the user's, named."""
    import av

    try:
        for frame in container.decode(stream):
            for out in resampler.resample(frame):
                yield out.to_ndarray()
        for out in resampler.resample(None):
            yield out.to_ndarray()
    except av.error.FFmpegError as exc:
        raise InputError(f"could not be decoded ({exc})", path=path,
                         hint="the file may be truncated or damaged") from exc


def _blocks(path: Path, sample_rate: int) -> Iterator[np.ndarray]:
    import av

    with open_audio(path) as (container, stream):
        resampler = av.AudioResampler(format="flt", layout="mono", rate=sample_rate)
        for array in frames(path, container, stream, resampler):
            yield array.reshape(-1)


@dataclass(frozen=True)
class AudioInfo:
    """What the file says about its sound, before it is resampled to 16 kHz mono: recorded
    in the provenance, and the source of the `narrowband_audio` and `truncated_recording`
    flags."""

    container: str
    codec: str
    sample_rate: int
    channels: int
    declared_duration: float | None  # seconds, from the header; None where it has none
    video: bool
    decoded_duration: float | None = None

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def probe(path: Path) -> AudioInfo:
    """Read the header of the first audio stream (the one every stage uses)."""
    check_file(path)
    with open_audio(path) as (container, stream):
        declared = None
        if stream.duration is not None and stream.time_base is not None:
            declared = float(stream.duration * stream.time_base)
        elif container.duration is not None:
            declared = container.duration / 1_000_000  # AV_TIME_BASE
        if container.format.name == "wav":  # FFmpeg trusts the file size, not the header
            declared = _wav_declared_duration(path) or declared
        return AudioInfo(container.format.name, stream.codec_context.name,
                         int(stream.codec_context.sample_rate or 0),
                         int(stream.codec_context.channels or 0), declared,
                         bool(container.streams.video))


def _wav_declared_duration(path: Path) -> float | None:
    """The length the RIFF header's `data` chunk declares, so that a WAV cut short in
    copying is noticed. None for a header that declares no length (a streamed WAV)."""
    with path.open("rb") as fh:
        head = fh.read(4096)
    if head[:4] != b"RIFF" or head[8:12] != b"WAVE":
        return None
    at, byte_rate = 12, 0
    while at + 8 <= len(head):
        chunk, size = head[at:at + 4], struct.unpack("<I", head[at + 4:at + 8])[0]
        if chunk == b"fmt " and at + 20 <= len(head):
            byte_rate = struct.unpack("<I", head[at + 16:at + 20])[0]
        if chunk == b"data":
            return size / byte_rate if byte_rate and 0 < size < 0xFFFFFFFF else None
        at += 8 + size + (size & 1)
    return None


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
