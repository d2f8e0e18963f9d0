"""Enrolment: the roster's voice samples name the diarized voices.

A participant's `voice` is a span of the recording where they speak alone ("12.0-18.5",
seconds; many network meetings open with a round in which each person says who they are)
or a clip of their voice (a file, which the consent manifest must cover like any
recording). Each sample is embedded with the diarization's own speaker model (CAM++), a
person's samples averaged; each diarized voice is the duration-weighted mean of its
segments' embeddings (the vectors re-segmentation computes). People and voices are paired
by the one-to-one assignment that maximises the summed cosine similarity (the Hungarian
method, scipy's `linear_sum_assignment`). A pair under `THRESHOLD` leaves the voice
unnamed and is flagged `uncertain_identity`; a voice paired with nobody stays
"Speaker N".

`THRESHOLD` was calibrated with `benchmarks/enrolment.py` (docs/diarization.md,
"Naming voices").
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from polyphony.audio import decode
from polyphony.audio.attribute import Turn
from polyphony.audio.decode import Waveform
from polyphony.audio.resegment import Embedder
from polyphony.errors import InputError
from polyphony.roster import Roster

# Calibrated with benchmarks/enrolment.py (docs/diarization.md, "Naming voices"): every
# right pair of the 17 measured scored at least 0.74; wrong pairs averaged 0.52.
THRESHOLD = 0.7
MIN_SAMPLE = 2.0  # seconds: shorter, a speaker embedding is mostly noise
SILENT_DBFS = -60.0  # digital silence is under -80; a quiet far-field talker can be -50
_SPAN = re.compile(r"^\s*(\d+(?:\.\d*)?)\s*-\s*(\d+(?:\.\d*)?)\s*$")


@dataclass(frozen=True)
class Sample:
    participant: str
    source: str  # the roster's words: "12.0-18.5" or a file path
    waveform: Waveform


def span(text: str) -> tuple[float, float] | None:
    """("12.0-18.5") -> (12.0, 18.5); None for anything that is not a span (a path)."""
    match = _SPAN.match(text)
    return (float(match[1]), float(match[2])) if match else None


def clips(roster: Roster) -> list[Path]:
    """The voice samples that are files (each needs consent, like the recording)."""
    base = roster.path.parent if roster.path else Path()
    return [base / item for items in roster.voices.values() for item in items
            if span(item) is None]


def load_samples(roster: Roster, recording: Path, duration: float | None) -> list[Sample]:
    """Every voice sample, read and checked before any model runs: a span inside the
    recording and at least `MIN_SAMPLE` long, no span given to two people, a clip that
    decodes, and none of them silent."""
    where = roster.path or "roster"
    spans: dict[tuple[float, float], str] = {}
    wanted: list[tuple[str, str, tuple[float, float]]] = []
    samples: list[Sample] = []
    base = roster.path.parent if roster.path else Path()
    for pid, items in roster.voices.items():
        for item in items:
            bounds = span(item)
            if bounds is None:
                clip = base / item
                try:
                    samples.append(_checked(Sample(pid, item, decode.decode(clip)), where))
                except InputError as error:
                    raise InputError(f"the voice sample of {pid}, {item}, cannot be used: "
                                     f"{error.problem}", path=where, hint=error.hint) from None
                continue
            start, end = bounds
            if end - start < MIN_SAMPLE:
                raise InputError(f"the voice span {item!r} of {pid} lasts {end - start:.1f} s, "
                                 f"under the {MIN_SAMPLE:g} s a voice needs", path=where,
                                 hint="give a longer stretch where they speak alone")
            if duration is not None and end > duration + 0.05:
                raise InputError(f"the voice span {item!r} of {pid} ends after the "
                                 f"recording ({duration:.1f} s)", path=where,
                                 hint="give times in seconds from the start of the recording")
            for (a, b), other in spans.items():
                if other != pid and min(b, end) - max(a, start) > 0:
                    raise InputError(f"the voice span {item!r} of {pid} overlaps "
                                     f"{a:g}-{b:g}, given to {other}", path=where,
                                     hint="one stretch of speech is one person's")
            spans[bounds] = pid
            wanted.append((pid, item, bounds))
    found = _excerpts(recording, wanted)
    missing = sorted({item for _, item, _ in wanted} - {s.source for s in found})
    if missing:
        raise InputError(f"the voice span {missing[0]!r} lies outside the recording",
                         path=where, hint="give times in seconds from the start of the "
                                          "recording")
    samples += [_checked(s, where) for s in found]
    return samples


def _excerpts(recording: Path, wanted: Sequence[tuple[str, str, tuple[float, float]]]
              ) -> list[Sample]:
    """The spans, read from the recording's first blocks only (they usually lie in the
    opening round), stopping once past the last."""
    if not wanted:
        return []
    last = max(end for _, _, (_, end) in wanted)
    out: list[Sample] = []
    for block in decode.stream(recording, block_seconds=max(60.0, last + 5.0)):
        for pid, item, (start, end) in wanted:
            a, b = max(start, block.offset), min(end, block.offset + block.duration)
            if b - a > 0.5 * (end - start):  # the block holding most of the span
                i, j = (round((t - block.offset) * block.sample_rate) for t in (a, b))
                out.append(Sample(pid, item, Waveform(block.samples[i:j].copy(),
                                                      block.sample_rate, recording, a)))
        if block.offset + block.duration >= last:
            break
    return out


def _checked(sample: Sample, where: str | Path) -> Sample:
    samples = sample.waveform.samples
    if sample.waveform.duration < MIN_SAMPLE:
        raise InputError(f"the voice sample {sample.source!r} of {sample.participant} lasts "
                         f"{sample.waveform.duration:.1f} s, under the {MIN_SAMPLE:g} s a "
                         "voice needs", path=where)
    level = 10 * np.log10(float(np.mean(np.square(samples))) + 1e-12)
    if level < SILENT_DBFS:
        raise InputError(f"the voice sample {sample.source!r} of {sample.participant} is "
                         f"silent ({level:.0f} dBFS)", path=where,
                         hint="give a stretch where they speak")
    return sample


def voices(turns: Sequence[Turn], vectors: Mapping[int, np.ndarray]) -> dict[str, np.ndarray]:
    """Each diarized voice as the duration-weighted mean of its segments' embeddings."""
    sums: dict[str, np.ndarray] = {}
    for i, vector in vectors.items():
        t = turns[i]
        sums[t.speaker] = sums.get(t.speaker, 0) + vector * (t.end - t.start)
    return {label: v / (np.linalg.norm(v) + 1e-12) for label, v in sums.items()}


def people(samples: Sequence[Sample], embed: Embedder) -> dict[str, np.ndarray]:
    """Each enrolled person's voice: the mean of their samples' embeddings."""
    sums: dict[str, np.ndarray] = {}
    vectors = embed([s.waveform.samples for s in samples]) if samples else []
    for s, vector in zip(samples, vectors, strict=True):
        sums[s.participant] = sums.get(s.participant, 0) + vector
    return {pid: v / (np.linalg.norm(v) + 1e-12) for pid, v in sums.items()}


def assign(people: Mapping[str, np.ndarray], voices: Mapping[str, np.ndarray],
           threshold: float = THRESHOLD) -> tuple[dict[str, str], list[dict[str, Any]]]:
    """({voice label: participant id} for the pairs at or above `threshold`, and every
    pair the assignment made, with its similarity, whether it named the voice, and the
    voice's similarity to every enrolled person, for whoever checks it)."""
    from scipy.optimize import linear_sum_assignment

    pids, labels = list(people), list(voices)
    if not pids or not labels:
        return {}, []
    similarity = np.array([[float(people[p] @ voices[v]) for v in labels] for p in pids])
    rows, cols = linear_sum_assignment(-similarity)
    named: dict[str, str] = {}
    matches = []
    for r, c in zip(rows, cols, strict=True):
        value = round(float(similarity[r, c]), 3)
        ok = value >= threshold
        if ok:
            named[labels[c]] = pids[r]
        matches.append({"voice": labels[c], "participant": pids[r], "similarity": value,
                        "named": ok, "similarities": {
                            p: round(float(similarity[k, c]), 3) for k, p in enumerate(pids)}})
    return named, matches
