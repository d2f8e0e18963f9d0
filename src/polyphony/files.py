"""Atomic writes: a report is either wholly there or not there at all, never half written."""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from pathlib import Path
from typing import Any

from polyphony.errors import InputError


def write_text(path: str | Path, text: str) -> Path:
    """Write to a temporary file beside `path`, then rename it over `path`."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as fh:
            fh.write(text)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path


def read_text(path: str | Path) -> str:
    """A transcript file's text: UTF-8 (a byte-order mark allowed), or UTF-16 with its mark,
    as Praat and Windows tools save it. Anything else is refused, naming the file, rather
    than read with wrong characters."""
    path = Path(path)
    try:
        data = path.read_bytes()
    except IsADirectoryError:
        raise InputError("is a directory, not a file", path=path) from None
    except OSError as exc:
        raise InputError(f"cannot be read ({exc.strerror})", path=path) from exc
    try:
        if data[:2] in (b"\xff\xfe", b"\xfe\xff"):
            return data.decode("utf-16")
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InputError(f"is not UTF-8 text (byte {exc.start} cannot be decoded)",
                         path=path, hint="save it as UTF-8 and try again") from None


def split_lines(text: str) -> list[str]:
    """`text` split at line breaks (LF, CRLF or CR) only: `str.splitlines` also splits at
    form feeds and Unicode separators, which would put error messages on the wrong line."""
    return text.replace("\r\n", "\n").replace("\r", "\n").split("\n")


def lines(path: str | Path) -> list[str]:
    """A text file's lines (`read_text`, then `split_lines`)."""
    return split_lines(read_text(path))


def json_text(data: Any) -> str:
    """`data` as polyphony writes JSON everywhere: indented, UTF-8 kept, and no NaN (which
    strict JSON readers reject)."""
    return json.dumps(data, indent=2, ensure_ascii=False, allow_nan=False) + "\n"


def write_json(path: str | Path, data: Any) -> Path:
    return write_text(path, json_text(data))


def sha256(path: str | Path) -> str:
    """Checksum of a file, read in 1 MiB blocks (recordings and weights can be large)."""
    digest = hashlib.sha256()
    with Path(path).open("rb") as fh:
        while block := fh.read(1 << 20):
            digest.update(block)
    return digest.hexdigest()
