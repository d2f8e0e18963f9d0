"""Re-segmentation after clustering: re-embed each diarized segment as a whole and move it
to the nearest speaker centroid, until nothing moves.

pyannote clusters embeddings of 10 s windows masked to one local speaker; a short turn
between two other voices gets a blurred embedding there. One embedding of the whole
segment is cleaner. Centroids are duration-weighted means of the segment embeddings.
Segments shorter than `MIN_DURATION` (backchannels) keep their label, and a speaker is
never emptied: quiet voices stay.

A segment never moves to a speaker who is talking at the same time (a backchannel over
someone's turn is re-embedded with their voice in it, and would otherwise join them).

When clustering returned fewer speakers than asked for (the roster's or the user's
count), the most spread-out speaker is split in two until the count is reached, before
the reassignment rounds. With a count given this is how the voices the clustering did not
hear are found (`diarize._cluster_blocks`): a quiet person, or two who sound alike. Such a
split is recorded: the two speakers were one voice to the speaker model, so who said what
between them is uncertain, and the report flags them.

Embedding needs the audio, and reassignment needs every segment: `segment_vectors` runs
block by block as a long recording streams past, and `reassign` then works on vectors
alone, so memory does not grow with the audio.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from polyphony.audio.attribute import Turn
from polyphony.audio.decode import Waveform

MIN_DURATION = 0.5
ITERATIONS = 3

# Clips of 1-D float32 samples -> a unit vector each. Given all at once, so that the
# speaker model can run several together (`onnx_cpu.Forward.map`).
Embedder = Callable[[Sequence[np.ndarray]], list[np.ndarray]]


def segment_vectors(waveform: Waveform, turns: Sequence[Turn], embed: Embedder,
                    min_duration: float = MIN_DURATION) -> dict[int, np.ndarray]:
    """Embeddings of the turns (by index) that start inside `waveform` and last at least
    `min_duration`."""
    rate, end = waveform.sample_rate, waveform.offset + waveform.duration
    clips = {}
    for i, t in enumerate(turns):
        if waveform.offset <= t.start < end and t.end - t.start >= min_duration:
            a = round((t.start - waveform.offset) * rate)
            b = round((min(t.end, end) - waveform.offset) * rate)
            clips[i] = waveform.samples[a:b]
    if not clips:
        return {}
    return dict(zip(clips, embed(list(clips.values())), strict=True))


def most_voices(turns: Sequence[Turn], min_duration: float = MIN_DURATION) -> int:
    """An upper bound on the voices that splitting (`reassign` with `at_least`) can make
    of `turns`: a split needs a speaker with two segments long enough to embed, so at best
    each such segment ends up a voice of its own, beside the speakers who have none. It is
    reached unless every speaker's segments are alike (`_two_means`)."""
    embedded = Counter(t.speaker for t in turns if t.end - t.start >= min_duration)
    return len({t.speaker for t in turns} - set(embedded)) + sum(embedded.values())


def _centroid(vectors: np.ndarray, weights: np.ndarray) -> np.ndarray:
    c = (vectors * weights[:, None]).sum(axis=0)
    return c / (np.linalg.norm(c) + 1e-12)


@dataclass(frozen=True)
class Reassignment:
    """The relabelled turns, and each split made to reach the count asked for: (speaker
    split, speaker split off from it)."""

    turns: tuple[Turn, ...]
    splits: tuple[tuple[str, str], ...] = ()


def _split_most_dispersed(vectors: np.ndarray, duration: np.ndarray, label: np.ndarray,
                          usable: np.ndarray, new: int) -> int | None:
    """Split the speaker whose segments spread most around their centroid in two (2-means
    from its two least similar segments); the second half gets label `new`. A speaker
    whose segments will not part (all alike) gives way to the next most spread. Returns
    the label split, or None when no speaker could be."""
    spreads = []
    for k in np.unique(label):
        members = np.flatnonzero((label == k) & usable)
        if len(members) >= 2:
            c = _centroid(vectors[members], duration[members])
            spreads.append((float(((1 - vectors[members] @ c) * duration[members]).sum()),
                            int(k), members))
    for _, k, members in sorted(spreads, key=lambda s: (-s[0], s[1])):
        second = _two_means(vectors[members], duration[members])
        if second is not None:
            label[members[second]] = new
            return k
    return None


def _two_means(v: np.ndarray, duration: np.ndarray) -> np.ndarray | None:
    """Which of the unit vectors `v` form the second of two groups (2-means from the two
    least similar, duration-weighted centroids), or None when they do not part."""
    a, b = np.unravel_index(np.argmin(v @ v.T), (len(v), len(v)))
    ca, cb = v[a], v[b]
    for _ in range(10):
        first = (v @ ca) >= (v @ cb)
        if first.all() or not first.any():
            return None
        ca, cb = _centroid(v[first], duration[first]), _centroid(v[~first], duration[~first])
    return ~first


def reassign(turns: Sequence[Turn], vectors: dict[int, np.ndarray], at_least: int = 0,
             iterations: int = ITERATIONS) -> Reassignment:
    """The turns relabelled by their whole-segment `vectors` (turns without a vector keep
    their speaker, unless their speaker is split)."""
    labels = sorted({t.speaker for t in turns})
    if not vectors or (len(labels) < 2 and at_least < 2):
        return Reassignment(tuple(turns))
    label = np.array([labels.index(t.speaker) for t in turns])
    duration = np.array([t.end - t.start for t in turns])
    usable = np.array([i in vectors for i in range(len(turns))])
    dim = len(next(iter(vectors.values())))
    matrix = np.stack([vectors.get(i, np.zeros(dim)) for i in range(len(turns))])
    splits = []
    while len(labels) < at_least:
        name = f"SPEAKER_{len(labels):02d}"
        while name in labels:
            name += "b"
        split = _split_most_dispersed(matrix, duration, label, usable, len(labels))
        if split is None:
            break
        splits.append((labels[split], name))
        labels.append(name)
    clash = _overlapping_pairs(turns)
    for _ in range(iterations):
        centroids = np.stack([_centroid(matrix[(label == k) & usable],
                                        duration[(label == k) & usable])
                              for k in range(len(labels))])
        scores = matrix @ centroids.T
        scores[:, [not ((label == k) & usable).any() for k in range(len(labels))]] = -np.inf
        scores[clash[:, 0], label[clash[:, 1]]] = -np.inf  # nobody overlaps themselves
        moved = label.copy()
        free = usable & np.isfinite(scores).any(axis=1)
        moved[free] = scores[free].argmax(axis=1)  # a speaker of short segments attracts none
        met = clash[(moved[clash[:, 0]] == moved[clash[:, 1]]) & (moved[clash[:, 0]]
                                                                  != label[clash[:, 0]])]
        moved[met[:, 0]] = label[met[:, 0]]  # two overlapping turns moved to one speaker
        # never empty a speaker: restoring one's turns can empty another that had only
        # turns moved in, so until none is empty (at worst every turn back where it was)
        while empty := [k for k in range(len(labels)) if not (moved == k).any()]:
            for k in empty:
                moved[label == k] = k
        if (moved == label).all():
            break
        label = moved
    return Reassignment(tuple(Turn(t.start, t.end, labels[k])
                              for t, k in zip(turns, label, strict=True)), tuple(splits))


def _overlapping_pairs(turns: Sequence[Turn]) -> np.ndarray:
    """(i, j) for every two turns that overlap in time, both ways round: a sweep over the
    turns sorted by start, O(n log n + pairs)."""
    order = sorted(range(len(turns)), key=lambda i: turns[i].start)
    pairs, active = [], []
    for i in order:
        active = [j for j in active if turns[j].end > turns[i].start]
        pairs += [(i, j) for j in active] + [(j, i) for j in active]
        active.append(i)
    return np.array(pairs, dtype=int).reshape(-1, 2)


def follow(exclusive: Sequence[Turn], before: Sequence[Turn],
           after: Sequence[Turn]) -> tuple[Turn, ...]:
    """Give each exclusive segment the new label of the overlap-aware turn, of the same old
    speaker, that covers it most. A binary search over each speaker's turns finds the few
    candidates: O(n log n) for a long recording."""
    by_speaker: dict[str, list[tuple[Turn, str]]] = {}
    for old, new in zip(before, after, strict=True):
        by_speaker.setdefault(old.speaker, []).append((old, new.speaker))
    index = {}
    for speaker, pairs in by_speaker.items():
        pairs.sort(key=lambda p: p[0].start)
        index[speaker] = (np.array([p[0].start for p in pairs]),
                          np.maximum.accumulate([p[0].end for p in pairs]), pairs)
    out = []
    for seg in exclusive:
        best, label = 0.0, seg.speaker
        if seg.speaker in index:
            starts, reach, pairs = index[seg.speaker]  # reach: the latest end so far
            lo = int(np.searchsorted(reach, seg.start, side="right"))
            hi = int(np.searchsorted(starts, seg.end, side="left"))
            for old, new in pairs[lo:hi]:
                cover = min(old.end, seg.end) - max(old.start, seg.start)
                if cover > best:
                    best, label = cover, new
        out.append(Turn(seg.start, seg.end, label))
    return tuple(out)
