"""Transcript and diarization formats, one module per format, each with read and write.

`read` detects the format from the file name and, where that is ambiguous, from the
content; `format=` overrides detection.
"""

from __future__ import annotations

from pathlib import Path

from polyphony.conversation import Conversation
from polyphony.errors import InputError
from polyphony.formats import (
    annomi,
    conversation_json,
    eaf,
    rttm,
    stm,
    textgrid,
    vtt,
    whisperx,
)

_MODULES = {"rttm": rttm, "stm": stm, "vtt": vtt, "eaf": eaf, "textgrid": textgrid,
            "whisperx": whisperx, "csv": annomi, "conversation": conversation_json}
READERS = {name: module.read for name, module in _MODULES.items()}
WRITERS = {name: module.write for name, module in _MODULES.items()}
_SUFFIXES = {".rttm": "rttm", ".stm": "stm", ".vtt": "vtt", ".eaf": "eaf",
             ".textgrid": "textgrid", ".csv": "csv"}


def detect(path: str | Path) -> str:
    """The format of a transcript file, by suffix, then by a look inside JSON files."""
    path = Path(path)
    if not path.is_file():
        raise InputError("no such file", path=path, hint="check the path")
    suffix = path.suffix.lower()
    if suffix in _SUFFIXES:
        return _SUFFIXES[suffix]
    if suffix == ".json":
        head = path.read_text(encoding="utf-8", errors="replace")[:4096]
        if '"schema_version"' in head and '"utterances"' in head:
            return "conversation"
        if '"segments"' in head:
            return "whisperx"
    raise InputError("is not a transcript format polyphony recognises", path=path,
                     hint=f"use --format with one of: {', '.join(READERS)}")


def read(path: str | Path, format: str | None = None, **options) -> Conversation:
    path = Path(path)
    if not path.is_file():
        raise InputError("no such file", path=path, hint="check the path")
    name = format or detect(path)
    if name not in READERS:
        raise InputError(f"unknown format {name!r}", hint=f"use one of: {', '.join(READERS)}")
    try:
        return READERS[name](path, **options)
    except InputError as error:
        raise error.located(path) from None


def write(conv: Conversation, path: str | Path, format: str) -> Path:
    return WRITERS[format](conv, path)
