"""Time course (METRICS.md §5): windowed speaking-time shares."""

from __future__ import annotations

import math

import numpy as np

from polyphony.metrics import intervals

WINDOW = 300.0
STEP = 60.0


def windows(region: tuple[float, float], window: float = WINDOW,
            step: float = STEP) -> list[tuple[float, float]]:
    """Windows from the region start, every `step`, the last one ending at the region end.
    A region shorter than one window is a single window."""
    t0, t1 = region
    count = max(1, math.ceil((t1 - t0 - window) / step - 1e-9) + 1)
    return [(t0 + k * step, min(t0 + k * step + window, t1)) for k in range(count)]


def timecourse(speech: dict[str, tuple[np.ndarray, np.ndarray]], region: tuple[float, float],
               window: float = WINDOW, step: float = STEP) -> dict:
    """`speech` maps each participant to their merged speech intervals."""
    out = []
    for w0, w1 in windows(region, window, step):
        times = {}
        for pid, (starts, ends) in speech.items():
            s, e = intervals.clip(starts, ends, w0, w1)
            times[pid] = float((e - s).sum())
        total = sum(times.values())
        out.append({"start": w0, "end": w1,
                    "share_time": {pid: (t / total if total > 0 else None)
                                   for pid, t in times.items()}})
    return {"window": window, "step": step, "windows": out}
