"""NIST STM: timed reference transcripts (`file channel speaker start end [<label>] text`).

Like RTTM, one STM may hold many recordings in its first column; `recording=` chooses one.
`;;` lines are comments, and the segments that NIST scoring excludes (speaker
`inter_segment_gap`, text `ignore_time_segment_in_scoring`) are not speech.
"""

from __future__ import annotations

from pathlib import Path

from polyphony.conversation import Conversation
from polyphony.errors import InputError
from polyphony.files import lines, write_text
from polyphony.formats import select
from polyphony.formats.labels import Attribution

_NOT_SPEECH = ("inter_segment_gap", "ignore_time_segment_in_scoring")


_FORM = "expected: file channel speaker start end [<label>] text"


def _seconds(fields: list[str], i: int, name: str, n: int, path: Path) -> float:
    try:
        return float(fields[i])
    except ValueError:
        raise InputError(f"line {n}, field {i + 1} ({name}) is {fields[i][:40]!r}, not a "
                         "number of seconds", path=path, hint=_FORM) from None


def read(path: str | Path, recording: str | None = None) -> Conversation:
    path = Path(path)
    by_file: dict[str, list[tuple[str, float, float, str]]] = {}
    for n, line in enumerate(lines(path), 1):
        if not line.strip() or line.lstrip().startswith(";;"):
            continue
        fields = line.split(maxsplit=5)
        if len(fields) < 5:
            raise InputError(f"line {n} has {len(fields)} fields, not the 5 or more of an "
                             "STM line", path=path, hint=_FORM)
        speaker = fields[2]
        start, end = (_seconds(fields, i, name, n, path) for i, name in ((3, "start"),
                                                                          (4, "end")))
        text = fields[5] if len(fields) > 5 else ""
        if text.startswith("<"):
            text = text.split(">", 1)[1] if ">" in text else ""
        text = " ".join(text.split())
        if end <= start or speaker in _NOT_SPEECH or text in _NOT_SPEECH:
            continue
        by_file.setdefault(fields[0], []).append((speaker, start, end, text))
    if not by_file:
        raise InputError("holds no STM segments", path=path,
                         hint="each line is 'file channel speaker start end text'")
    reading = Attribution()
    for speaker, start, end, text in select.recording(by_file, recording, path):
        reading.add(speaker, start, end, text)
    if len(by_file) > 1:
        reading.note(f"recording {recording!r} of {len(by_file)} in the file")
    return reading.build()


def dumps(conv: Conversation, uri: str) -> str:
    uri = "_".join(uri.split()) or "recording"
    return "".join(f"{uri} 1 {'_'.join(u.speaker.split())} {u.start:.3f} {u.end:.3f} "
                   f"{' '.join(u.text.split())}".rstrip() + "\n"
                   for u in conv.utterances)


def write(conv: Conversation, path: str | Path, uri: str | None = None) -> Path:
    return write_text(path, dumps(conv, uri or Path(path).stem))
