"""`polyphony purge`: delete results whose time is up.

A results folder is due when the retention date of the manifest that allowed it has
passed, or when someone no longer consents to `recording` or `analysis` (withdrawn,
refused, or gone from the manifest). Its de-identified page alone is due when someone no
longer consents to `sharing`. The manifest is read again now, where it still exists and is
still this meeting's (a retention date may have been moved, a consent withdrawn);
otherwise the retention date recorded at analysis time decides, and the folder is listed
as kept with the reason.

Only the files polyphony writes are deleted, conversation.json last (it is what marks a
results folder), with the temporary files of an interrupted write; the folder goes too
once it is empty, so a recording or a note someone put beside the results is never lost to
a purge. The staging folders a killed run left behind (`.<name>.<pid>.partial`, `.old`)
are polyphony's own and always due. Each deletion is logged, without names, in
`purge-log.jsonl` under the purged root, and a batch's catalogue marks the recording
`purged`, so that its tables no longer count it.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import shutil
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from polyphony import consent
from polyphony.batch import catalogue
from polyphony.errors import InputError, PolyphonyError
from polyphony.files import is_aside, read_json, read_text, write_text
from polyphony.report.outputs import OWN_FILES, REDACTED_FILES

LOG = "purge-log.jsonl"


@dataclass(frozen=True)
class Due:
    folder: Path
    kind: str  # "retention", "withdrawn", "sharing withdrawn" or "leftover": logged
    reason: str  # for the user, naming who withdrew
    recording_sha256: str | None
    files: tuple[str, ...] = OWN_FILES  # what to delete; the folder goes once empty


@dataclass(frozen=True)
class Kept:
    """A results folder that cannot be judged, or is judged on what it recorded only."""

    folder: Path
    why: str


def survey(root: str | Path, on: dt.date | None = None) -> tuple[list[Due], list[Kept]]:
    """Which results folders under `root` are due for deletion on `on` (today), and which
    are kept with a reason to say."""
    root, on = Path(root), on or dt.date.today()
    if not root.is_dir():
        raise InputError("is not a folder", path=root,
                         hint="give the --out folder of `polyphony analyze`")
    due: list[Due] = [Due(p, "leftover", "left by an interrupted run", None)
                      for p in sorted(root.rglob(".*")) if is_aside(p)]
    kept: list[Kept] = []
    for folder in _results_folders(root):
        try:
            prov = read_json(folder / "conversation.json").get("provenance", {})
            record = prov.get("consent") or {}
            if not isinstance(record, dict):
                raise ValueError
            judged = _judge(record, on)
        except (AttributeError, ValueError, PolyphonyError):
            kept.append(Kept(folder, "conversation.json cannot be read, or its retention "
                                     "date is not a date"))
            continue
        kind, reason, files, note = judged
        if kind and any((folder / name).exists() for name in files):
            due.append(Due(folder, kind, reason, prov.get("recording_sha256"), files))
        elif note and not kind:
            kept.append(Kept(folder, note))
    return due, kept


def purge(root: str | Path, due: list[Due], on: dt.date | None = None) -> None:
    """Delete what `survey` found due, and log each deletion. A batch catalogue beside a
    results folder is taken first (refused while its batch runs), so that no folder goes
    without its row saying so."""
    root, on = Path(root), on or dt.date.today()
    log = root / LOG
    lines = read_text(log).splitlines() if log.is_file() else []
    whole = [item for item in due if item.kind != "leftover" and item.files == OWN_FILES]
    batches = sorted({item.folder.parent for item in whole
                      if (item.folder.parent / catalogue.NAME).is_file()})
    with contextlib.ExitStack() as held:
        catalogues = {folder: held.enter_context(catalogue.Catalogue.open(folder))
                      for folder in batches}
        for item in due:
            try:
                _delete(item)
            except OSError as exc:
                raise InputError(f"could not be deleted ({exc.strerror or exc})",
                                 path=item.folder, hint="check its permissions, then purge "
                                                        "again; nothing else was skipped"
                                 ) from None
            lines.append(json.dumps({"purged_on": on.isoformat(), "reason": item.kind,
                                     "recording_sha256": item.recording_sha256}))
            write_text(log, "\n".join(lines) + "\n")
            batch = catalogues.get(item.folder.parent) if item in whole else None
            if batch is not None and batch.get(item.folder.name) is not None:
                batch.purged(item.folder.name, item.kind)  # no names, as in the log


def _delete(item: Due) -> None:
    if item.kind == "leftover":
        shutil.rmtree(item.folder)
        return
    names = [n for n in item.files if n != "conversation.json"]
    if "conversation.json" in item.files:
        names.append("conversation.json")  # last: until it goes, a rerun finds the folder
    for name in names:
        for temporary in item.folder.glob(f".{name}.*.tmp"):
            temporary.unlink()
        (item.folder / name).unlink(missing_ok=True)
    with contextlib.suppress(OSError):  # what is not polyphony's stays, and its folder
        item.folder.rmdir()


def _judge(record: Mapping[str, Any], on: dt.date
           ) -> tuple[str | None, str, tuple[str, ...], str | None]:
    """(kind or None, reason, files to delete, a note for the kept list)."""
    retain = record.get("retain_until")
    now, note = _current(record)
    if now is not None:
        retain = now.retain_until.isoformat() if now.retain_until else retain
        gone = sorted(set(record.get("participants") or ()) - {p.id for p in now.people})
        refused = sorted({pid for purpose in ("recording", "analysis")
                          for pid, why in now.refusals(purpose, on).items()
                          if not (now.schema == 1 and purpose == "recording")} | set(gone))
        if refused:
            return ("withdrawn", f"no longer consented to by {', '.join(refused)}", OWN_FILES,
                    None)
    if retain and on > dt.date.fromisoformat(retain):
        return "retention", f"retention ended {retain}", OWN_FILES, note
    if now is not None and now.schema > 1:
        unshared = sorted(now.refusals("sharing", on))
        if unshared:
            return ("sharing withdrawn", f"sharing not consented to by {', '.join(unshared)}",
                    REDACTED_FILES, None)
    if not retain:
        note = note or "no retention date (consent not checked, or a schema-1 record)"
    return None, "", (), note


def _current(record: Mapping[str, Any]) -> tuple[consent.Manifest | None, str | None]:
    """The manifest that allowed the analysis, as it reads now, or why it cannot be used."""
    path = record.get("manifest")
    if not path:
        return None, None
    if not Path(path).is_file():
        return None, f"its consent manifest {path} is gone; judged on the retention date " \
                     "it recorded"
    try:
        manifest = consent.load(path)
    except PolyphonyError as error:
        return None, f"its consent manifest cannot be read ({error.problem})"
    if not consent.same_meeting(manifest, record):
        return None, (f"its consent manifest {path} is now for another meeting "
                      f"({manifest.meeting!r}); judged on the retention date it recorded")
    return manifest, None


def _results_folders(root: Path) -> Iterator[Path]:
    for path in sorted(root.rglob("conversation.json")):
        if not any(part.startswith(".") for part in path.relative_to(root).parts):
            yield path.parent
