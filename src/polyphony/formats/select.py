"""Choosing what to read from a file that holds more than one conversation's worth:
several recordings (RTTM and STM file ids, AnnoMI transcripts), or tiers (ELAN, TextGrid).

Merging two recordings into one conversation invents overlaps and phantom speakers, so a
file with several is refused unless one is chosen, and the refusal lists them.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from fnmatch import fnmatchcase
from pathlib import Path
from typing import TypeVar

from polyphony.errors import InputError

T = TypeVar("T")


def recording(by_id: Mapping[str, T], chosen: str | None, path: Path,
              what: str = "recordings", option: str = "--recording") -> T:
    """The rows of the chosen recording, or of the only one."""
    if chosen is not None:
        if chosen not in by_id:
            raise InputError(f"holds no {what[:-1]} {chosen!r}", path=path,
                             hint=f"it holds: {_listing(list(by_id))}")
        return by_id[chosen]
    if len(by_id) > 1:
        raise InputError(f"holds {len(by_id)} {what}: {_listing(list(by_id))}", path=path,
                         hint=f"choose one with {option} ID")
    return next(iter(by_id.values()))


def _listing(ids: Sequence[str], most: int = 12) -> str:
    shown = ", ".join(ids[:most])
    return shown + (f", ... ({len(ids)} in all)" if len(ids) > most else "")


def patterns(spec: str | None) -> list[str] | None:
    """`--tiers` as a list of glob patterns: `"K,W"` or `"* - words"`."""
    if spec is None:
        return None
    found = [p.strip() for p in spec.split(",") if p.strip()]
    if not found:
        raise InputError("--tiers names no tier", hint="give tier names or glob patterns, "
                                                       "separated by commas")
    return found


def matching(names: Sequence[str], spec: list[str], path: Path) -> list[str]:
    """The tier names that some pattern of `spec` matches, in file order."""
    chosen = [n for n in names if any(fnmatchcase(n, p) for p in spec)]
    if not chosen:
        raise InputError(f"has no tier matching --tiers {','.join(spec)!r}", path=path,
                         hint=f"its tiers: {_listing(list(names), 30)}")
    return chosen
