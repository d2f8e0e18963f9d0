"""`polyphony report`: the HTML page of a finished results folder, again, without a model.

The page for an Action Learning Set (`redact=True`) names roles, not people, and leaves out
the transcript; it is made to be shared, so the manifest that allowed the analysis must now
grant `analysis` and `sharing` from everyone it lists. The manifest is read again, not
trusted from the time of the analysis, so a consent withdrawn since is honoured; it must be
the same meeting's (a manifest rewritten for the next meeting under the same name is
refused).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
from pathlib import Path
from typing import Any

from polyphony import consent
from polyphony.conversation import Conversation
from polyphony.errors import ConsentError, InputError
from polyphony.files import read_text, write_text
from polyphony.formats import conversation_json
from polyphony.report import html
from polyphony.report.outputs import REDACTED_NAME


def report_results(folder: str | Path, *, redact: bool = False,
                   consent_file: str | Path | None = None, check_consent: bool = True,
                   output: str | Path | None = None, on: dt.date | None = None) -> Path:
    """Write the report of the results in `folder` (to `report.html`, or
    `report-deidentified.html` with `redact`, or `output`); return its path."""
    folder = Path(folder)
    if not (folder / "conversation.json").is_file():
        raise InputError("is not a polyphony results folder (it has no conversation.json)",
                         path=folder, hint="give a folder that `polyphony analyze` wrote")
    conv = conversation_json.read(folder / "conversation.json")
    metrics = _metrics(folder, conv)
    if redact:
        record = (_sharing_record(conv, consent_file, on or dt.date.today(), folder)
                  if check_consent else consent.not_checked(on))
        conv = dataclasses.replace(conv, provenance=dataclasses.replace(
            conv.provenance, consent=record))
    target = Path(output) if output else folder / (REDACTED_NAME if redact else "report.html")
    title = "Network meeting" if redact else f"Network meeting: {folder.name}"
    return write_text(target, html.render(conv, metrics, title, deidentify=redact))


def _metrics(folder: Path, conv: Conversation) -> dict[str, Any]:
    path = folder / "metrics.json"
    if not path.is_file():
        from polyphony.metrics import compute_metrics

        return compute_metrics(conv)
    try:
        return json.loads(read_text(path))
    except json.JSONDecodeError as exc:
        raise InputError(f"is not valid JSON (line {exc.lineno}, column {exc.colno}: "
                         f"{exc.msg})", path=path,
                         hint="re-run `polyphony analyze --force`") from None


def _sharing_record(conv: Conversation, consent_file: str | Path | None, on: dt.date,
                    folder: Path) -> dict[str, Any]:
    prov = conv.provenance
    recorded = prov.consent.get("manifest")
    path = Path(consent_file) if consent_file else Path(recorded) if recorded else None
    if path is None:
        raise ConsentError("records no consent manifest", path=folder,
                           hint="give the meeting's manifest with --consent")
    if not path.is_file():
        raise ConsentError(f"the consent manifest {path} that allowed the analysis is gone",
                           path=folder, hint="give the meeting's manifest with --consent")
    if prov.recording is None:
        raise ConsentError("does not name its recording, so no manifest can be matched to it",
                           path=folder)
    manifest = consent.load(path)
    if not consent.same_meeting(manifest, prov.consent):
        raise ConsentError(f"the consent manifest {path} is for meeting {manifest.meeting!r}, "
                           f"but these results are of {prov.consent.get('meeting')!r}",
                           path=folder, hint="give this meeting's manifest with --consent")
    purposes = ("analysis", "sharing")
    consent.allows(manifest, prov.recording, lambda: prov.recording_sha256, (), purposes, on,
                   folder)
    return manifest.provenance(purposes, on)
