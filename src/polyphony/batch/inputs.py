"""What a batch is asked to analyse: every recording under a folder, or the rows of a
manifest CSV, each with the name of its results folder.

The manifest has a `path` column and, optionally, `meeting_id`, `network_id`, `date`
(YYYY-MM-DD), `roster` and `consent`; relative paths are read from the manifest's folder.
A row that cannot be used (no such file, a bad date, a meeting id used twice) becomes an
`Item` with a `problem`: the batch records it as failed and goes on with the others.

Results folder names cannot collide: the row's `meeting_id` where the manifest gives one,
otherwise the recording's path under the input folder with `/` written `__` and its
extension kept (`a/meeting.flac` -> `a__meeting.flac`, `b/meeting.m4a` ->
`b__meeting.m4a`). Two inputs that would still share a name both fail, naming each other.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from collections import Counter
from dataclasses import dataclass, replace
from pathlib import Path

from polyphony.batch.catalogue import NAME
from polyphony.errors import InputError
from polyphony.files import beside, read_text

# What PyAV decodes and meetings are recorded in; anything else in a folder is left alone
# (rosters, consent manifests, notes).
AUDIO_SUFFIXES = frozenset({".wav", ".flac", ".mp3", ".m4a", ".aac", ".ogg", ".oga",
                            ".opus", ".wma", ".aif", ".aiff", ".caf", ".amr", ".webm",
                            ".mp4", ".m4v", ".mov", ".mkv", ".avi"})
COLUMNS = ("path", "meeting_id", "network_id", "date", "roster", "consent")
# Names in a batch's output folder that are not results folders.
RESERVED = frozenset({"tables", NAME, f"{NAME}-wal", f"{NAME}-shm"})
_UNPRINTABLE = re.compile(r"[\x00-\x1f\x7f]")


@dataclass(frozen=True)
class Item:
    """One recording of a batch. `where` locates it for messages (a manifest line)."""

    path: Path
    name: str
    where: str
    meeting_id: str | None = None
    network_id: str | None = None
    date: str | None = None
    roster: Path | None = None
    consent: Path | None = None
    problem: str | None = None


def discover(source: str | Path, out: str | Path | None = None) -> list[Item]:
    """The items of a folder (its recordings, recursively, in path order; hidden files
    and the batch's own output folder skipped) or of a manifest CSV."""
    source = Path(source)
    if source.is_dir():
        return _unique(_folder(source, Path(out) if out else None))
    if not source.is_file():
        raise InputError("no such folder or manifest", path=source,
                         hint="give a folder of recordings or a manifest .csv")
    return _unique(_manifest(source))


def _folder(root: Path, out: Path | None) -> list[Item]:
    skip = out.resolve() if out else None
    items = []
    for path in sorted(root.rglob("*")):
        relative = path.relative_to(root)
        if (any(part.startswith(".") for part in relative.parts) or not path.is_file()
                or path.suffix.lower() not in AUDIO_SUFFIXES):
            continue
        if skip is not None and path.resolve().is_relative_to(skip):
            continue
        items.append(Item(path, "__".join(relative.parts), str(path),
                          roster=beside(path, "roster")))
    return items


def _manifest(path: Path) -> list[Item]:
    reader = csv.reader(io.StringIO(read_text(path), newline=""), strict=True)
    line = 1  # where the record being read starts
    try:
        header: list[str] = []
        for row in reader:  # blank lines before the header are nothing
            if any(cell.strip() for cell in row):
                header = [h.strip().lower() for h in row]
                break
            line = reader.line_num + 1
        if not header:
            raise InputError("is an empty manifest", path=path,
                             hint=f"write a header line: {','.join(COLUMNS)}")
        unknown = [h for h in header if h not in COLUMNS]
        if "path" not in header or unknown:
            problem = ("has no `path` column" if "path" not in header
                       else f"has the unknown column {unknown[0]!r}")
            raise InputError(f"{problem} in its header line", path=path,
                             hint="the columns are path (required), "
                                  f"{', '.join(COLUMNS[1:])}")
        twice = [h for h, n in Counter(header).items() if n > 1]
        if twice:
            raise InputError(f"has the column {twice[0]!r} twice in its header", path=path)
        items, line = [], reader.line_num + 1
        for row in reader:
            if any(cell.strip() for cell in row):
                cells = dict(zip(header, (c.strip() for c in row), strict=False))
                items.append(_row(path, line, cells, len(row) - len(header)))
            line = reader.line_num + 1  # a quoted cell may span lines
    except csv.Error as exc:
        raise InputError(f"cannot be read as CSV from line {line} ({exc})",
                         path=path, hint="check the quotes on that line") from None
    return items


def _row(manifest: Path, number: int, cells: dict[str, str], extra: int) -> Item:
    where = f"{manifest}, line {number}"
    base = manifest.parent

    def file(key: str) -> Path | None:
        value = cells.get(key) or ""
        return (base / value) if value else None

    recording, roster, consent = file("path"), file("roster"), file("consent")
    item = Item(recording or manifest, cells.get("meeting_id") or "", where,
                cells.get("meeting_id") or None, cells.get("network_id") or None,
                cells.get("date") or None,
                roster or (beside(recording, "roster") if recording else None), consent)
    problem = None
    if extra > 0:
        problem = f"has {extra} more cell{'s' * (extra > 1)} than the header has columns"
    elif recording is None:
        problem = "has no path"
    elif not recording.is_file():
        problem = f"names {recording}, which does not exist"
    elif item.date is not None and not _iso_date(item.date):
        problem = f"has the date {item.date!r}, not YYYY-MM-DD"
    else:
        for key, given in (("roster", roster), ("consent", consent)):
            if given is not None and not given.is_file():
                problem = f"names the {key} {given}, which does not exist"
    if not item.name and recording is not None:
        item = replace(item, name=_relative_name(recording, base))
    return replace(item, problem=problem)


def _relative_name(recording: Path, base: Path) -> str:
    try:
        parts = recording.resolve().relative_to(base.resolve()).parts
    except ValueError:  # outside the manifest's folder: its own name
        parts = (recording.name,)
    return "__".join(parts)


def _iso_date(text: str) -> bool:
    try:
        dt.date.fromisoformat(text)
    except ValueError:
        return False
    return len(text) == 10


def _unique(items: list[Item]) -> list[Item]:
    """The items, with a problem for every one whose results folder name cannot be used:
    shared with another item, reserved, or not a plain folder name."""
    where: dict[str, list[str]] = {}
    for item in items:
        where.setdefault(item.name, []).append(item.where)
    out = []
    for item in items:
        others = [w for w in where[item.name] if w != item.where]
        if item.problem is None and others:
            item = replace(item, problem=f"would share the results folder {item.name!r} "
                                         f"with {others[0]}")
        elif item.problem is None and (item.name in RESERVED or item.name.startswith(".")
                                       or "/" in item.name or "\\" in item.name
                                       or _UNPRINTABLE.search(item.name)):
            item = replace(item, problem=f"cannot use {item.name!r} as a results folder "
                                         "name")
        out.append(item)
    return out
