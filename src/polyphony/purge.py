"""`polyphony purge`: delete results whose time is up.

A results folder is due when the retention date of the manifest that allowed it has
passed, or when someone has since withdrawn their `analysis` or `recording` consent. The
manifest is read again now, where it still exists (a retention date may have been moved,
a consent withdrawn); otherwise the retention date recorded at analysis time decides.

Only the files polyphony writes are deleted; the folder goes too once it is empty, so a
recording or a note someone put beside the results is never lost to a purge. Each deletion
is logged, without names, in `purge-log.jsonl` under the purged root.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from polyphony import consent
from polyphony.errors import InputError, PolyphonyError
from polyphony.files import read_text, write_text
from polyphony.report.outputs import OUTPUT_FILES
from polyphony.report.rebuild import REDACTED_NAME

OWN_FILES = (*OUTPUT_FILES, REDACTED_NAME)
LOG = "purge-log.jsonl"


@dataclass(frozen=True)
class Due:
    folder: Path
    kind: str  # "retention" or "withdrawn": what the log keeps, with no names
    reason: str  # for the user, naming who withdrew
    recording_sha256: str | None


@dataclass(frozen=True)
class Kept:
    """A results folder that cannot be judged (unreadable) or has no retention date."""

    folder: Path
    why: str


def survey(root: str | Path, on: dt.date | None = None) -> tuple[list[Due], list[Kept]]:
    """Which results folders under `root` are due for deletion on `on` (today), and which
    are kept for want of a date or a readable conversation.json."""
    root, on = Path(root), on or dt.date.today()
    if not root.is_dir():
        raise InputError("is not a folder", path=root, hint="give the --out folder of "
                                                            "`polyphony analyze`")
    due: list[Due] = []
    kept: list[Kept] = []
    for folder in _results_folders(root):
        try:
            prov = json.loads(read_text(folder / "conversation.json")).get("provenance", {})
            record = prov.get("consent") or {}
        except (json.JSONDecodeError, AttributeError, PolyphonyError):
            kept.append(Kept(folder, "conversation.json cannot be read"))
            continue
        try:
            kind, reason = _reason(record, on)
        except ValueError:
            kept.append(Kept(folder, f"retain_until {record.get('retain_until')!r} is not a "
                                     "date"))
            continue
        if kind:
            due.append(Due(folder, kind, reason, prov.get("recording_sha256")))
        elif not record.get("retain_until"):
            kept.append(Kept(folder, "no retention date (consent not checked, or a "
                                     "schema-1 record)"))
    return due, kept


def purge(root: str | Path, due: list[Due], on: dt.date | None = None) -> None:
    """Delete what `survey` found due, and log each deletion."""
    root, on = Path(root), on or dt.date.today()
    log = root / LOG
    lines = read_text(log).splitlines() if log.is_file() else []
    for item in due:
        for name in OWN_FILES:
            (item.folder / name).unlink(missing_ok=True)
        with contextlib.suppress(OSError):  # what is not polyphony's stays, and its folder
            item.folder.rmdir()
        lines.append(json.dumps({"purged_on": on.isoformat(), "reason": item.kind,
                                 "recording_sha256": item.recording_sha256}))
        write_text(log, "\n".join(lines) + "\n")


def _reason(record: dict, on: dt.date) -> tuple[str | None, str]:
    """(kind, reason) when the folder is due, else (None, "")."""
    retain = record.get("retain_until")
    manifest = record.get("manifest")
    now = None
    if manifest and Path(manifest).is_file():
        try:
            now = consent.load(manifest)
        except PolyphonyError:
            now = None
    if now is not None:
        retain = now.retain_until.isoformat() if now.retain_until else retain
        withdrawn = sorted({pid for purpose in ("analysis", "recording")
                            for pid, why in now.refusals(purpose, on).items()
                            if why.startswith("withdrawn")})
        if withdrawn:
            return "withdrawn", f"consent withdrawn by {', '.join(withdrawn)}"
    if retain and on > dt.date.fromisoformat(retain):
        return "retention", f"retention ended {retain}"
    return None, ""


def _results_folders(root: Path) -> Iterator[Path]:
    for path in sorted(root.rglob("conversation.json")):
        if not any(part.startswith(".") for part in path.relative_to(root).parts):
            yield path.parent
