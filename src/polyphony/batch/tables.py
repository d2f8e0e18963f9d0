"""Tidy tables of many meetings, for pandas, R or DuckDB: `polyphony export DIR --format
csv|parquet`.

Five tables, one file each, every row keyed by `meeting` (the results folder's name):
`meetings` (one row per meeting), `participants` (per participant per meeting), `turns`,
`utterances` and `flags`. docs/tables.md documents every column. An empty cell (a null in
Parquet) is a number that does not exist for that meeting (no text, so no words), never a
zero that is not one.

DIR is a batch folder (its catalogue gives each meeting's meeting id, network id and date,
and only meetings marked done are read), a folder of `polyphony analyze` results, or one
results folder. A results folder that cannot be read is left out and named, not fatal.
The tables hold what conversation.json holds, names and words included: they are for the
research team, like the results themselves, not for sharing.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from polyphony.batch import catalogue
from polyphony.errors import InputError, PolyphonyError
from polyphony.files import read_json, write_bytes, write_text
from polyphony.formats import conversation_json
from polyphony.report.tables import (
    PARTICIPANT_COLUMNS,
    TURN_COLUMNS,
    csv_text,
    participant_rows,
    turn_rows,
)

FORMATS = ("csv", "parquet")
MEETING_COLUMNS = (
    "meeting", "meeting_id", "network_id", "date", "recording", "recording_sha256",
    "source", "duration", "speech_time", "overlap_time", "silence_time", "words", "turns",
    "backchannels", "participants", "expected_speakers", "effective_voices_time",
    "gini_time", "evenness_time", "professional_share", "fto_median", "long_silences",
    "longest_silence", "flags", "asr_model", "diarization_model", "consent_checked")
UTTERANCE_COLUMNS = ("meeting", "utterance", "participant", "role", "start", "end",
                     "duration", "words", "text")
FLAG_COLUMNS = ("meeting", "code", "participant", "message")
TABLES = {
    "meetings": MEETING_COLUMNS,
    "participants": ("meeting", "participant", *PARTICIPANT_COLUMNS),
    "turns": ("meeting", *TURN_COLUMNS),
    "utterances": UTTERANCE_COLUMNS,
    "flags": FLAG_COLUMNS,
}


@dataclass
class Tables:
    """The rows of each table, and the results folders that could not be read."""

    rows: dict[str, list[list[Any]]] = field(
        default_factory=lambda: {name: [] for name in TABLES})
    skipped: list[str] = field(default_factory=list)

    @property
    def meetings(self) -> int:
        return len(self.rows["meetings"])


@dataclass(frozen=True)
class _Meeting:
    name: str
    folder: Path
    meeting_id: str | None = None
    network_id: str | None = None
    date: str | None = None


def _meetings(root: Path) -> list[_Meeting]:
    """The meetings under `root`, in the catalogue's order (date, then name) or by name."""
    if not root.is_dir():
        raise InputError("is not a folder" if root.exists() else "does not exist",
                         path=root, hint="give a batch folder or a folder of results")
    if (root / catalogue.NAME).is_file():
        return [_Meeting(e.name, root / e.name, e.meeting_id, e.network_id, e.date)
                for e in catalogue.finished(root)]
    if (root / "conversation.json").is_file():
        return [_Meeting(root.name, root)]
    found = sorted(p.parent for p in root.glob("*/conversation.json"))
    if not found:
        raise InputError("holds no polyphony results", path=root,
                         hint="give a batch folder, or a folder that `polyphony analyze "
                              "--out` wrote")
    return [_Meeting(f.name, f) for f in found]


def collect(root: str | Path) -> Tables:
    """Every table's rows for the meetings under `root`."""
    tables = Tables()
    for meeting in _meetings(Path(root)):
        try:
            conv = conversation_json.read(meeting.folder / "conversation.json")
            metrics = read_json(meeting.folder / "metrics.json")
            rows = _rows(meeting, conv, metrics)
        except (PolyphonyError, KeyError, TypeError) as exc:
            why = exc if isinstance(exc, PolyphonyError) else f"unexpected metrics.json ({exc})"
            tables.skipped.append(f"{meeting.folder}: {why}")
            continue
        for name, new in rows.items():
            tables.rows[name] += new
    return tables


def _rows(meeting: _Meeting, conv, metrics: dict[str, Any]) -> dict[str, list[list[Any]]]:
    name = meeting.name
    totals, time_balance = metrics["totals"], metrics["balance"]["time"]
    provenance = conv.provenance
    turn_taking = metrics.get("turn_taking", {})
    has_text = provenance.has_text
    roles = {p.id: p.role for p in conv.participants}
    return {
        "meetings": [[
            name, meeting.meeting_id, meeting.network_id, meeting.date,
            provenance.recording, provenance.recording_sha256, provenance.source,
            round(conv.duration, 3), totals.get("speech_time"), totals.get("overlap_time"),
            totals.get("silence_time"), totals.get("words") if has_text else None,
            totals.get("turns"), totals.get("backchannels"), len(conv.participants),
            provenance.expected_speakers, time_balance.get("effective_voices"),
            time_balance.get("gini"), time_balance.get("evenness"),
            metrics.get("roles", {}).get("professional_share"),
            turn_taking.get("fto_median"), turn_taking.get("long_silences"),
            turn_taking.get("longest_silence"), len(metrics.get("flags", [])),
            provenance.models.get("asr"), provenance.models.get("diarization"),
            provenance.consent.get("checked") if provenance.consent else None]],
        "participants": [[name, *row] for row in participant_rows(metrics)],
        "turns": [[name, *row] for row in turn_rows(conv, metrics)],
        "utterances": [[name, i, u.speaker, roles.get(u.speaker), round(u.start, 3),
                        round(u.end, 3), round(u.end - u.start, 3),
                        (len(u.words) or len(u.text.split())) if has_text else None,
                        u.text if has_text else None]
                       for i, u in enumerate(conv.utterances, 1)],
        "flags": [[name, f.get("code"), f.get("speaker"), f.get("message")]
                  for f in metrics.get("flags", [])],
    }


def write(tables: Tables, folder: str | Path, fmt: str = "csv") -> list[Path]:
    """Each table as `folder/<table>.csv` or `.parquet`, each file written atomically."""
    if fmt not in FORMATS:
        raise InputError(f"unknown table format {fmt!r}", hint="use csv or parquet")
    folder = Path(folder)
    written = []
    for name, columns in TABLES.items():
        rows = tables.rows[name]
        path = folder / f"{name}.{fmt}"
        if fmt == "csv":
            write_text(path, csv_text([columns, *rows]))
        else:
            write_bytes(path, _parquet(columns, rows))
        written.append(path)
    return written


# Parquet column types, fixed so that every export of every batch has the same schema
# (a column that is empty in one batch is still a string or a number there).
_TEXT = frozenset({"meeting", "meeting_id", "network_id", "date", "recording",
                   "recording_sha256", "source", "asr_model", "diarization_model",
                   "participant", "role", "label", "text", "code", "message"})
_COUNTS = frozenset({"words", "turns", "backchannels", "participants", "expected_speakers",
                     "long_silences", "flags", "turn", "utterance", "utterances",
                     "interruptions_made", "interruptions_suffered", "overlap_onsets",
                     "questions_asked", "questions_answered"})


def _arrow_type(column: str):
    import pyarrow as pa

    if column in _TEXT:
        return pa.string()
    if column in _COUNTS:
        return pa.int64()
    return pa.bool_() if column == "consent_checked" else pa.float64()


def _parquet(columns: Sequence[str], rows: list[list[Any]]) -> bytes:
    import pyarrow as pa
    import pyarrow.parquet as pq

    table = pa.table({c: pa.array([row[i] for row in rows], type=_arrow_type(c))
                      for i, c in enumerate(columns)})
    buffer = io.BytesIO()
    pq.write_table(table, buffer)
    return buffer.getvalue()


def default_folder(root: str | Path) -> Path:
    """`DIR/tables/` for a batch folder (a name no results folder may take); beside any
    other folder (`<DIR>-tables/`), since a results folder holds only polyphony's files."""
    root = Path(root)
    if (root / catalogue.NAME).is_file():
        return root / "tables"
    return root.parent / f"{root.name}-tables"
