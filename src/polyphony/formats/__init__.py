"""Transcript and diarization formats, one module per format, each with read and write.

`read` detects the format from the file name and, for JSON, from what the file holds;
`format=` overrides detection. Options that choose part of a file (`recording=`, `tiers=`,
`transcript=`) go to the readers that take them; to any other reader they are an error, not
silently ignored.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable
from pathlib import Path
from typing import Any

from polyphony.conversation import Conversation
from polyphony.errors import InputError, UsageError
from polyphony.files import read_json
from polyphony.formats import (
    annomi,
    chat,
    conversation_json,
    eaf,
    rttm,
    srt,
    stm,
    textgrid,
    vtt,
    whisper_json,
)

_MODULES = {"rttm": rttm, "stm": stm, "vtt": vtt, "srt": srt, "eaf": eaf,
            "textgrid": textgrid, "chat": chat, "whisper": whisper_json, "csv": annomi,
            "conversation": conversation_json}
ALIASES = {"whisperx": "whisper", "cha": "chat"}
READERS: dict[str, Callable[..., Conversation]] = {
    name: module.read for name, module in _MODULES.items()}
WRITERS: dict[str, Callable[..., Path]] = {
    name: module.write for name, module in _MODULES.items()}
_SUFFIXES = {".rttm": "rttm", ".stm": "stm", ".vtt": "vtt", ".srt": "srt", ".eaf": "eaf",
             ".textgrid": "textgrid", ".cha": "chat", ".csv": "csv"}


def _check_file(path: Path) -> None:
    if path.is_dir():
        raise InputError("is a directory, not a transcript file", path=path,
                         hint="give one file; `polyphony metrics` reads one at a time")
    if not path.is_file():
        raise InputError("no such file", path=path, hint="check the path")


def detect(path: str | Path) -> str:
    """The format of a transcript file, by suffix, then by what a JSON file holds."""
    path = Path(path)
    _check_file(path)
    suffix = path.suffix.lower()
    if suffix in _SUFFIXES:
        return _SUFFIXES[suffix]
    if suffix == ".json":
        data = read_json(path)
        if isinstance(data, dict) and "schema_version" in data and "utterances" in data:
            return "conversation"
        if whisper_json.recognises(data):
            return "whisper"
        found = ", ".join(list(data)[:8]) if isinstance(data, dict) else type(data).__name__
        raise InputError(f"is JSON, but neither a polyphony conversation.json nor a "
                         f"Whisper-style transcript (found: {found})", path=path,
                         hint="polyphony reads WhisperX, whisper-ctranslate2, openai-whisper "
                              "and insanely-fast-whisper JSON")
    raise InputError(f"has a suffix ({suffix or 'none'}) that polyphony does not read",
                     path=path, hint=f"use --format with one of: {', '.join(READERS)}")


def canonical(format: str) -> str:
    name = ALIASES.get(format, format)
    if name not in READERS:
        raise UsageError(f"unknown format {format!r}", hint=f"use one of: {', '.join(READERS)}")
    return name


def accepts(format: str, option: str) -> bool:
    """Whether the reader of `format` takes `option` (`recording`, `tiers`, `uem`, ...)."""
    return option in inspect.signature(READERS[canonical(format)]).parameters


def read(path: str | Path, format: str | None = None, **options: Any) -> Conversation:
    """Read a transcript. `options` left as None are not passed on."""
    path = Path(path)
    _check_file(path)
    name = canonical(format) if format else detect(path)
    reader = READERS[name]
    given = {key: value for key, value in options.items() if value is not None}
    for key in given:
        if not accepts(name, key):
            flag = "--" + key.replace("_", "-")
            raise UsageError(f"{flag} does not apply to {name} files", path=path)
    try:
        return reader(path, **given)
    except InputError as error:
        raise error.located(path) from None
    except RecursionError:
        raise InputError("is nested too deeply to read", path=path) from None


def write(conv: Conversation, path: str | Path, format: str) -> Path:
    return WRITERS[canonical(format)](conv, path)
