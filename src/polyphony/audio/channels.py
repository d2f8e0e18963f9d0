"""`--split-channels`: a recording whose channels each hold one speaker (a headset per
person, a telephone call recorded as two channels) is diarized by channel, not by voice.

Each channel is one speaker, `C1`, `C2`, ...: a label that means the same channel in every
run, so a roster maps it once (`speaker = "C1"`). Speech is where Silero VAD (faster-
whisper's, on ONNX Runtime) hears it in that channel. A headset also picks up the others,
more quietly: in any 50 ms frame where another channel is also speech and at least
`BLEED_DB` louder, this channel's speech is taken for that other voice's bleed and removed.
Each channel is transcribed on its own, and a word counts only inside its channel's
speech, so bleed is not transcribed twice.

Each channel is decoded whole: memory grows with the recording (about 230 MB per channel
per hour), unlike the streamed mono path.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np

from polyphony.audio.attribute import Turn
from polyphony.audio.decode import SAMPLE_RATE, Waveform, frames, open_audio
from polyphony.audio.diarize import Diarization
from polyphony.conversation import Word
from polyphony.errors import InputError

BLEED_DB = 15.0
FRAME = 0.05  # seconds
MIN_TURN = 0.2  # seconds: what is left of a turn after bleed removal, shorter, is dropped


def label(channel: int) -> str:
    """The speaker id of channel `channel` (0-based): C1, C2, ..."""
    return f"C{channel + 1}"


def decode_channels(path: Path, sample_rate: int = SAMPLE_RATE) -> list[Waveform]:
    """Each channel of the first audio stream, resampled to 16 kHz, as its own waveform."""
    import av

    with open_audio(path) as (container, stream):
        layout = stream.codec_context.layout.name
        resampler = av.AudioResampler(format="fltp", layout=layout, rate=sample_rate)
        parts = list(frames(path, container, stream, resampler))
    if sum(p.shape[1] for p in parts) < sample_rate // 10:
        raise InputError("holds no audio (shorter than 0.1 s)", path=path,
                         hint="give a recording with speech in it")
    samples = np.concatenate(parts, axis=1).astype(np.float32, copy=False)
    if samples.shape[0] < 2:
        raise InputError("has a single channel: --split-channels needs a recording with "
                         "one speaker per channel", path=path,
                         hint="analyse it without --split-channels")
    return [Waveform(np.clip(channel, -1.0, 1.0), sample_rate, path) for channel in samples]


def speech(waveform: Waveform) -> list[tuple[float, float]]:
    """Where Silero VAD hears speech in one channel, in seconds."""
    from faster_whisper.vad import VadOptions, get_speech_timestamps

    options = VadOptions(min_silence_duration_ms=300, speech_pad_ms=100,
                         min_speech_duration_ms=150)
    return [(s["start"] / waveform.sample_rate, s["end"] / waveform.sample_rate)
            for s in get_speech_timestamps(waveform.samples, options)]


def _frames(regions: Sequence[tuple[float, float]], n: int) -> np.ndarray:
    mask = np.zeros(n, bool)
    for start, end in regions:
        mask[int(start / FRAME):int(np.ceil(end / FRAME))] = True
    return mask


def _levels(waveform: Waveform, n: int) -> np.ndarray:
    """Each 50 ms frame's energy in dB."""
    size = round(FRAME * waveform.sample_rate)
    samples = np.zeros(n * size, np.float32)
    samples[:min(len(waveform.samples), n * size)] = waveform.samples[:n * size]
    power = np.square(samples.reshape(n, size)).mean(axis=1)
    return 10 * np.log10(power + 1e-12)


def without_bleed(regions: Sequence[Sequence[tuple[float, float]]],
                  channels: Sequence[Waveform]) -> list[list[Turn]]:
    """Each channel's speech turns, less the frames where another channel's speech is at
    least `BLEED_DB` louder (the other voice heard through this microphone)."""
    n = max(1, int(np.ceil(max(c.duration for c in channels) / FRAME)))
    active = np.stack([_frames(r, n) for r in regions])
    level = np.stack([_levels(c, n) for c in channels])
    out = []
    for c in range(len(channels)):
        others = np.where(active, level, -np.inf)
        others[c] = -np.inf
        mine = active[c] & ~(others.max(axis=0) >= level[c] + BLEED_DB)
        out.append(_turns(mine, label(c)))
    return out


def _turns(mask: np.ndarray, speaker: str) -> list[Turn]:
    edges = np.flatnonzero(np.diff(np.concatenate([[0], mask.astype(np.int8), [0]])))
    return [Turn(start * FRAME, end * FRAME, speaker)
            for start, end in zip(edges[::2], edges[1::2], strict=True)
            if (end - start) * FRAME >= MIN_TURN]


def exclusive(turns: Sequence[Turn]) -> tuple[Turn, ...]:
    """One speaker at a time, for word attribution: where two channels overlap, the turn
    that started first keeps the time until it ends."""
    out: list[Turn] = []
    for turn in sorted(turns, key=lambda t: (t.start, t.end)):
        start = max(turn.start, out[-1].end) if out else turn.start
        if turn.end > start:
            out.append(Turn(start, turn.end, turn.speaker))
    return tuple(out)


def diarization(turns: Sequence[Sequence[Turn]]) -> Diarization:
    every = sorted((t for channel in turns for t in channel), key=lambda t: (t.start, t.end))
    return Diarization(tuple(every), exclusive(every))


def own_words(words: Sequence[Word], turns: Sequence[Turn], speaker: str) -> list[Word]:
    """The words of one channel that lie mostly inside its own speech, labelled with it:
    a word outside it is another voice's bleed, transcribed in its own channel."""
    starts = np.array([t.start for t in turns], float)
    ends = np.array([t.end for t in turns], float)
    kept = []
    for word in words:
        span = max(word.end - word.start, 1e-3)
        inside = np.clip(np.minimum(ends, word.end) - np.maximum(starts, word.start), 0,
                         None).sum()
        if inside / span >= 0.5:
            kept.append(Word(word.start, word.end, word.text, speaker, word.probability))
    return kept
