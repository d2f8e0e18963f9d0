"""What every report shares, so that a person has one colour and a time one form in the
page, the comparison and the terminal."""

from __future__ import annotations

from collections.abc import Iterable

PALETTE = ("#1b6ca8", "#d1495b", "#66a182", "#edae49", "#8e6c8a", "#2e4057", "#c17c74",
           "#00798c")


def colours(ids: Iterable[str]) -> dict[str, str]:
    """Each id its colour, in order, the palette repeating past eight."""
    return {pid: PALETTE[i % len(PALETTE)] for i, pid in enumerate(ids)}


def clock(seconds: float) -> str:
    """Seconds as min:ss, as every report writes a time."""
    m, s = divmod(int(seconds), 60)
    return f"{m}:{s:02d}"
