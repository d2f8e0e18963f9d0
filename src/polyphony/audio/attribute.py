"""Give every recognised word a speaker, and turn diarized speech into utterances.

Timing comes from the diarization, text from the recogniser. Each overlap-aware diarized
segment becomes one utterance with exactly the segment's times, so speaking time, gaps and
overlaps keep the diarization's frame resolution (Whisper's word times are much coarser,
and a word may reach a little past its utterance's edges). Each word goes to the speaker who
is active over most of its span in the *exclusive* diarization, then into that speaker's
segment it overlaps most. Consequences worth knowing:

- a Whisper segment that spans two speakers is split at the speaker change;
- diarized speech with no transcribed words (a backchannel or a short "yes" that Whisper
  dropped) stays as an utterance with empty text, so timing metrics still count it;
- a word spoken while another speaker is active is marked `overlap=True`.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace

import numpy as np

from polyphony.conversation import Utterance, Word


@dataclass(frozen=True)
class Turn:
    """One diarized stretch of speech by one speaker label."""

    start: float
    end: float
    speaker: str


def _overlaps(starts: np.ndarray, ends: np.ndarray, s: float, e: float) -> np.ndarray:
    return np.clip(np.minimum(ends, e) - np.maximum(starts, s), 0.0, None)


def _arrays(turns: Sequence[Turn]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    return (np.array([t.start for t in turns], float), np.array([t.end for t in turns], float),
            np.array([t.speaker for t in turns], object))


def speaker_of(word: Word, exclusive: Sequence[Turn]) -> str | None:
    """The speaker active over most of the word's span; the nearest one if nobody is."""
    if not exclusive:
        return None
    starts, ends, speakers = _arrays(exclusive)
    ov = _overlaps(starts, ends, word.start, word.end)
    totals: dict[str, float] = {}
    for spk, d in zip(speakers[ov > 0], ov[ov > 0], strict=True):
        totals[spk] = totals.get(spk, 0.0) + float(d)
    if totals:
        return max(totals, key=lambda k: (totals[k], k))
    mid = (word.start + word.end) / 2
    distance = np.maximum(starts - mid, mid - ends)
    return str(speakers[int(np.argmin(distance))])


def overlapped_regions(turns: Sequence[Turn]) -> list[tuple[float, float]]:
    """Where at least two speakers are active, from the overlap-aware diarization."""
    events = sorted([(t.start, 1) for t in turns] + [(t.end, -1) for t in turns])
    regions, active, opened = [], 0, 0.0
    for time, delta in events:
        before = active
        active += delta
        if before < 2 <= active:
            opened = time
        elif before >= 2 > active and time > opened:
            regions.append((opened, time))
    return regions


def attribute(
    words: Iterable[Word],
    overlap_aware: Sequence[Turn],
    exclusive: Sequence[Turn],
    min_empty: float = 0.1,
) -> list[Utterance]:
    """Utterances from diarized turns, each holding the words attributed to its speaker.

    `min_empty` drops word-less segments shorter than it: such slivers are segmentation
    noise, not speech. Segments that received words are always kept. A word that already
    carries a speaker who has turns here keeps that speaker: with --split-channels, the
    channel it was heard in says who spoke it.
    """
    turns = sorted(overlap_aware, key=lambda t: (t.start, t.end, t.speaker))
    overlaps = overlapped_regions(turns)
    ov_starts = np.array([s for s, _ in overlaps], float)
    ov_ends = np.array([e for _, e in overlaps], float)
    starts, ends, speakers = _arrays(turns)

    bins: list[list[Word]] = [[] for _ in turns]
    known = set(speakers.tolist())
    for word in words:
        speaker = (word.speaker if word.speaker in known  # already known (by channel)
                   else speaker_of(word, exclusive) or speaker_of(word, turns))
        if speaker is None:
            continue
        covered = float(_overlaps(ov_starts, ov_ends, word.start, word.end).sum())
        span = max(word.end - word.start, 1e-6)
        word = replace(word, speaker=speaker, overlap=covered / span >= 0.5)
        mine = np.flatnonzero(speakers == speaker)
        ov = _overlaps(starts[mine], ends[mine], word.start, word.end)
        if ov.max() > 0:
            index = mine[int(np.argmax(ov))]
        else:
            mid = (word.start + word.end) / 2
            index = mine[int(np.argmin(np.maximum(starts[mine] - mid, mid - ends[mine])))]
        bins[index].append(word)

    utterances = []
    for turn, ws in zip(turns, bins, strict=True):
        if not ws and turn.end - turn.start < min_empty:
            continue
        text = " ".join(w.text for w in ws)
        utterances.append(Utterance(turn.speaker, turn.start, turn.end, text, tuple(ws)))
    return utterances
