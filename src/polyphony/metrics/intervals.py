"""Interval arithmetic on sorted numpy arrays: the timing under every metric family."""

from __future__ import annotations

import numpy as np


def union(starts: np.ndarray, ends: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Merge intervals into disjoint, sorted ones (touching intervals merge)."""
    if len(starts) == 0:
        return np.zeros(0), np.zeros(0)
    order = np.argsort(starts, kind="stable")
    s, e = np.asarray(starts, float)[order], np.asarray(ends, float)[order]
    reach = np.maximum.accumulate(e)
    new = np.ones(len(s), bool)
    new[1:] = s[1:] > reach[:-1]
    group = np.cumsum(new) - 1
    return s[new], np.maximum.reduceat(e, np.flatnonzero(new))[: group[-1] + 1]


def length(starts: np.ndarray, ends: np.ndarray) -> float:
    """Total duration of the union of the intervals."""
    s, e = union(starts, ends)
    return float((e - s).sum())


def clip(starts: np.ndarray, ends: np.ndarray, t0: float,
         t1: float) -> tuple[np.ndarray, np.ndarray]:
    """Restrict intervals to [t0, t1], dropping those left empty."""
    s, e = np.maximum(starts, t0), np.minimum(ends, t1)
    keep = e > s
    return s[keep], e[keep]


def covered_by_at_least(per_speaker: list[tuple[np.ndarray, np.ndarray]], k: int) -> float:
    """Time during which at least `k` of the given (already merged) interval sets are active."""
    edges = [(s, np.ones_like(s)) for s, _ in per_speaker] + [
        (e, -np.ones_like(e)) for _, e in per_speaker]
    if not edges:
        return 0.0
    times = np.concatenate([t for t, _ in edges])
    deltas = np.concatenate([d for _, d in edges])
    if times.size == 0:
        return 0.0
    order = np.lexsort((deltas, times))  # at equal times, close before opening
    times, deltas = times[order], deltas[order]
    active = np.cumsum(deltas)
    spans = np.diff(times)
    return float(spans[active[:-1] >= k].sum())
