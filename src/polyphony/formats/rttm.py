"""NIST RTTM: the diarization exchange format (timing only, no text), with optional UEM
(the scored region).

One RTTM may hold many recordings (its second column, the file id): each is a separate
conversation, chosen with `recording=`.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from polyphony.conversation import Conversation
from polyphony.errors import InputError
from polyphony.files import lines as text_lines
from polyphony.files import write_text
from polyphony.formats import select
from polyphony.formats.labels import Attribution

Row = tuple[float, float, str]  # start, end, speaker


def dumps(conv: Conversation, uri: str) -> str:
    """One SPEAKER line per utterance."""
    uri = "_".join(uri.split()) or "recording"
    return "".join(
        f"SPEAKER {uri} 1 {u.start:.3f} {u.end - u.start:.3f} <NA> <NA> "
        f"{'_'.join(u.speaker.split())} <NA> <NA>\n"
        for u in conv.utterances)


def write(conv: Conversation, path: str | Path, uri: str | None = None) -> Path:
    return write_text(path, dumps(conv, uri or Path(path).stem))


def _number(fields: list[str], i: int, name: str, n: int, source: str | Path) -> float:
    try:
        return float(fields[i])
    except ValueError:
        raise InputError(f"line {n}, field {i + 1} ({name}) is {fields[i][:40]!r}, not a "
                         "number of seconds", path=source,
                         hint="expected: SPEAKER file 1 start duration <NA> <NA> speaker "
                              "<NA> <NA>") from None


def parse(lines: Iterable[str], source: str | Path = "<rttm>"
          ) -> tuple[dict[str, list[Row]], dict[str, list[int]]]:
    """SPEAKER rows by file id, in file order, and by file id the numbers of the lines
    whose duration is zero or negative (real RTTMs have both; neither is speech). Other
    line types (SPKR-INFO, LEXEME, comments) carry no speaker turn."""
    by_file: dict[str, list[Row]] = {}
    empty: dict[str, list[int]] = {}
    for n, line in enumerate(lines, 1):
        fields = line.split()
        if not fields or fields[0] != "SPEAKER":
            continue
        if len(fields) < 8:
            raise InputError(f"line {n} has {len(fields)} fields, fewer than the 8 an RTTM "
                             "SPEAKER line needs", path=source,
                             hint="expected: SPEAKER file 1 start duration <NA> <NA> "
                                  "speaker <NA> <NA>")
        start = _number(fields, 3, "start", n, source)
        duration, speaker = _number(fields, 4, "duration", n, source), fields[7]
        if not (start >= 0 and abs(duration) < float("inf")):
            raise InputError(f"line {n} has an impossible time (start {fields[3]}, "
                             f"duration {fields[4]})", path=source)
        rows = by_file.setdefault(fields[1], [])
        if duration > 0:
            rows.append((start, start + duration, speaker))
        else:
            empty.setdefault(fields[1], []).append(n)
    return by_file, empty


def read_uem(path: str | Path, recording: str | None = None) -> tuple[float, float]:
    """The scored region: from the first UEM start to the last UEM end."""
    path = Path(path)
    spans: dict[str, list[tuple[float, float]]] = {}
    for n, line in enumerate(text_lines(path), 1):
        fields = line.split()
        if not fields or fields[0].startswith(";"):
            continue
        try:
            spans.setdefault(fields[0], []).append((float(fields[2]), float(fields[3])))
        except (IndexError, ValueError):
            raise InputError(f"line {n} is not a valid UEM line (file channel start end)",
                             path=path) from None
    if not spans:
        raise InputError("holds no UEM region", path=path)
    if recording is not None and recording not in spans:
        raise InputError(f"has no region for recording {recording!r}", path=path,
                         hint=f"it covers: {', '.join(spans)}")
    chosen = select.recording(spans, recording, path)
    return min(s for s, _ in chosen), max(e for _, e in chosen)


def read(path: str | Path, uem: str | Path | None = None,
         recording: str | None = None) -> Conversation:
    path = Path(path)
    by_file, empty = parse(text_lines(path), path)
    if not by_file:
        raise InputError("holds no SPEAKER lines", path=path,
                         hint="is this an RTTM file? each speech turn is a line "
                              "'SPEAKER file 1 start duration <NA> <NA> speaker <NA> <NA>'")
    rows = select.recording(by_file, recording, path)
    chosen = recording or next(iter(by_file))
    reading = Attribution()
    for start, end, speaker in rows:
        reading.add(speaker, start, end)
    if len(by_file) > 1:
        reading.note(f"recording {chosen!r} of {len(by_file)} in the file")
    if empty.get(chosen):
        skipped = empty[chosen]
        reading.note(f"{len(skipped)} SPEAKER line{'' if len(skipped) == 1 else 's'} of zero "
                     f"or negative duration left out (line {', '.join(map(str, skipped[:5]))})")
    return reading.build(has_text=False,
                         region=read_uem(uem, chosen) if uem else None)
