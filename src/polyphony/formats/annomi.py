"""AnnoMI-style CSV: one row per utterance with a speaker, a start timestamp and text.

Columns are found by name: the speaker is `interlocutor` or `speaker`, the start is
`timestamp` or `start` (`hh:mm:ss`, `mm:ss` or seconds), the text is `utterance_text` or
`text`. A `transcript_id` column may hold several conversations in one file (AnnoMI holds
133); `read_all` returns each, `read` needs the file to hold one or a chosen `transcript`.

AnnoMI gives only start times, so an utterance ends where the next one starts, unless an
`end` column says otherwise (polyphony writes one). Real files have quirks, and none loses
an utterance:
- a malformed or backwards timestamp (AnnoMI has `00:09:025` and out-of-order rows):
  the utterance starts where the previous one ended;
- the last utterance, or one followed by a backwards time: it lasts as long as its words
  take at 2.5 words per second (at least 1 s);
- annotation rows repeated per annotator (AnnoMI-full): one utterance per `utterance_id`.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Mapping
from pathlib import Path

from polyphony.conversation import Conversation
from polyphony.errors import InputError
from polyphony.files import read_text, write_text
from polyphony.formats import select
from polyphony.formats.labels import Attribution

WORDS_PER_SECOND = 2.5
_CLOCK = re.compile(r"^(?:(\d+):)?(\d{1,2}):(\d{2})(?:\.(\d+))?$")

SPEAKER_COLUMNS = ("interlocutor", "speaker")
TIME_COLUMNS = ("timestamp", "start")
TEXT_COLUMNS = ("utterance_text", "text")


def parse_time(value: str) -> float | None:
    value = value.strip()
    match = _CLOCK.match(value)
    if match:
        h, m, s, frac = match.groups()
        return int(h or 0) * 3600 + int(m) * 60 + int(s) + float(f"0.{frac or 0}")
    try:
        seconds = float(value)
    except ValueError:
        return None
    return seconds if seconds >= 0 else None


def _column(header: list[str], names: tuple[str, ...], path: Path) -> str:
    lowered = {h.lower().strip(): h for h in header}
    for name in names:
        if name in lowered:
            return lowered[name]
    raise InputError(f"has no {' or '.join(names)} column", path=path,
                     hint="an AnnoMI-style CSV needs speaker, timestamp and text columns")


def _estimate(text: str) -> float:
    return max(1.0, len(text.split()) / WORDS_PER_SECOND)


def _conversation(rows: list[Mapping[str, str]], columns: tuple[str, str, str],
                  end_col: str | None) -> Conversation:
    speaker_col, time_col, text_col = columns
    starts: list[float] = []
    repaired = 0
    for row in rows:
        t = parse_time(row[time_col])
        previous_end = (starts[-1] + _estimate(rows[len(starts) - 1][text_col])
                        if starts else 0.0)
        if t is None or (starts and t < starts[-1]):
            t = previous_end
            repaired += 1
        starts.append(t)
    reading = Attribution()
    for i, row in enumerate(rows):
        text = " ".join(row[text_col].split())
        given = parse_time(row[end_col]) if end_col else None
        following = starts[i + 1] if i + 1 < len(rows) else None
        if given is not None and given > starts[i]:
            end = given
        elif following is not None and following > starts[i]:
            end = following
        else:
            end = starts[i] + _estimate(text)
        reading.add(row[speaker_col], starts[i], end, text)
    if repaired:
        reading.note(f"{repaired} malformed or backwards timestamp"
                     f"{'' if repaired == 1 else 's'} repaired from the utterance before")
    return reading.build(settings={"timing": "ends estimated from the next utterance's start",
                                   "repaired_timestamps": repaired})


def read_all(path: str | Path) -> dict[str, Conversation]:
    """Every conversation in the file, keyed by transcript id (`""` when there is none)."""
    path = Path(path)
    reader = csv.DictReader(io.StringIO(read_text(path), newline=""), restval="")
    try:
        header = [h or "" for h in reader.fieldnames or []]
        rows = list(reader)
    except csv.Error as exc:
        raise InputError(f"line {reader.line_num} cannot be read as CSV ({exc})",
                         path=path) from None
    columns = (_column(header, SPEAKER_COLUMNS, path), _column(header, TIME_COLUMNS, path),
               _column(header, TEXT_COLUMNS, path))
    groups: dict[str, list[dict[str, str]]] = {}
    seen: set[tuple[str, str]] = set()
    for row in rows:
        tid = row.get("transcript_id", "")
        uid = row.get("utterance_id")
        if uid is not None:
            if (tid, uid) in seen:
                continue
            seen.add((tid, uid))
        groups.setdefault(tid, []).append(row)
    if "utterance_id" in header:  # the row order AnnoMI defines, whatever the file order
        for group in groups.values():
            group.sort(key=lambda r: int(r["utterance_id"]) if r["utterance_id"].isdigit()
                       else 0)
    end_col = next((h for h in header if h.lower().strip() == "end"), None)
    return {tid: _conversation(group, columns, end_col) for tid, group in groups.items()}


def read(path: str | Path, transcript: str | None = None) -> Conversation:
    conversations = read_all(path)
    if not conversations:
        raise InputError("holds no utterances", path=path)
    return select.recording(conversations, transcript, Path(path), what="transcripts")


def write(conv: Conversation, path: str | Path) -> Path:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(["speaker", "start", "end", "text"])
    for u in conv.utterances:
        writer.writerow([u.speaker, f"{u.start:.3f}", f"{u.end:.3f}", u.text])
    return write_text(path, buffer.getvalue())
