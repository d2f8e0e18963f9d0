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
from pathlib import Path
from typing import Any

from polyphony import consent
from polyphony.conversation import Conversation, Participant
from polyphony.errors import ConsentError, UsageError
from polyphony.files import read_json, write_text
from polyphony.formats import conversation_json
from polyphony.report import html, pdf
from polyphony.report.outputs import REPORT_FORMATS, report_name, results_file
from polyphony.roster import Roster


def report_results(source: str | Path, *, redact: bool = False,
                   consent_file: str | Path | None = None, check_consent: bool = True,
                   output: str | Path | None = None, on: dt.date | None = None,
                   fmt: str = "html", roster: Roster | None = None) -> Path:
    """Write the report of a results folder, or of the folder of a conversation.json `source`
    (to `report.html`, or `report-deidentified.html` with `redact`, with the suffix of
    `fmt`, or to `output`); return its path. Redaction replaces the names of everyone the
    conversation, the consent manifest and `roster` know of."""
    source = Path(source)
    folder = source.parent if source.is_file() else source
    if fmt not in REPORT_FORMATS:
        raise UsageError(f"unknown report format {fmt!r}",
                         hint=f"use one of: {', '.join(REPORT_FORMATS)}")
    conv = conversation_json.read(results_file(folder))
    metrics = _metrics(folder, conv)
    people = list(roster.participants) if roster else []
    # The people the manifest that allowed the analysis listed, before a new consent
    # record replaces it: in a run that named no voice, theirs are the only names known.
    people += [Participant(pid) for pid in conv.provenance.consent.get("participants", [])]
    if redact:
        if check_consent:
            record, listed = _sharing_record(conv, consent_file, on or dt.date.today(), folder)
            people += [Participant(pid) for pid in listed]
        else:
            record = consent.not_checked(on)
        conv = dataclasses.replace(conv, provenance=dataclasses.replace(
            conv.provenance, consent=record))
    target = Path(output) if output else folder / report_name(fmt, redact)
    title = "Network meeting" if redact else f"Network meeting: {folder.name}"
    if fmt == "md":
        return write_text(target, html.render_markdown(conv, metrics, title, redact, people))
    page = html.render(conv, metrics, title, deidentify=redact, people=people)
    return pdf.write_pdf(page, target) if fmt == "pdf" else write_text(target, page)


def _metrics(folder: Path, conv: Conversation) -> dict[str, Any]:
    """The folder's metrics.json, or metrics computed again where it is missing or is not
    this conversation's (its participants differ: it is stale)."""
    from polyphony.metrics import compute_metrics

    path = folder / "metrics.json"
    if not path.is_file():
        return compute_metrics(conv)
    saved = read_json(path, hint="re-run `polyphony analyze --force`")
    if not isinstance(saved, dict) or list(saved.get("participants", {})) != conv.speakers:
        return compute_metrics(conv)
    return saved


def _sharing_record(conv: Conversation, consent_file: str | Path | None, on: dt.date,
                    folder: Path) -> tuple[dict[str, Any], list[str]]:
    """The consent record of the sharing, and the ids of the people the manifest lists."""
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
    return manifest.provenance(purposes, on), [p.id for p in manifest.people]
