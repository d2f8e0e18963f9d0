"""Atomic writes: a report is either wholly there or not there at all, never half written."""

from __future__ import annotations

import ctypes
import glob
import hashlib
import json
import os
import re
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from functools import cache
from pathlib import Path
from typing import Any

from polyphony.errors import InputError

_RENAME_EXCHANGE = 2  # renameat2 flag (linux/fs.h): swap two paths in one step
_AT_FDCWD = -100


def _cannot_write(path: Path, exc: OSError) -> InputError:
    return InputError(f"cannot be written ({exc.strerror or exc})", path=path,
                      hint="choose a writable folder with free space; nothing that was "
                           "there before has been changed")


def write_text(path: str | Path, text: str) -> Path:
    """`text` as UTF-8, written as `write_bytes` writes. A name FFmpeg read from
    undecodable bytes keeps them as surrogates: they are written as U+FFFD."""
    return write_bytes(path, text.encode("utf-8", errors="replace"))


def write_bytes(path: str | Path, data: bytes) -> Path:
    """Write to a temporary file beside `path`, then rename it over `path`: a reader sees
    the old file or the new one, never half of it. The file is private to its owner (0600,
    from `mkstemp`): it describes people in crisis. A full disk or a read-only folder is
    the user's to fix, and says so."""
    path = Path(path)
    tmp: str | None = None
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except OSError as exc:
        raise _cannot_write(path, exc) from None
    finally:
        if tmp is not None and os.path.exists(tmp):
            os.unlink(tmp)
    return path


def check_writable(folder: str | Path) -> None:
    """Fail now, before hours of processing, if results could not be written to `folder`.
    Nothing is created: the probe is a nameless temporary file in `folder`, or in its
    nearest existing parent (a file there can be written, so can the folders below)."""
    folder = Path(folder).absolute()
    probe = next((p for p in (folder, *folder.parents) if p.exists()), folder)
    try:
        with tempfile.TemporaryFile(dir=probe):
            pass
    except OSError as exc:
        raise _cannot_write(folder, exc) from None


@contextmanager
def replacing_folder(folder: str | Path) -> Iterator[Path]:
    """A new, empty folder to fill; when the block ends without error it replaces `folder`
    in one step, so that `folder` holds the old results or the new ones, never a mix.

    The staging folder is `.<name>.<pid>.partial` beside `folder`; one left behind by a
    killed run is removed the next time. On Linux the two folders are swapped with
    `renameat2(RENAME_EXCHANGE)`; elsewhere the old folder is moved aside first, and a
    kill between the two renames leaves it as `.<name>.<pid>.old`."""
    folder = Path(folder)
    try:
        folder.parent.mkdir(parents=True, exist_ok=True)
        _remove_stale(folder)
        staging = _aside(folder, "partial")
        shutil.rmtree(staging, ignore_errors=True)
        staging.mkdir(mode=0o700)
    except OSError as exc:
        raise _cannot_write(folder, exc) from None
    try:
        yield staging
        _swap_in(staging, folder)
    except OSError as exc:
        raise _cannot_write(folder, exc) from None
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def _swap_in(staging: Path, folder: Path) -> None:
    if not folder.exists():
        os.rename(staging, folder)
        return
    exchange = _renameat2()
    if exchange is not None and exchange(_AT_FDCWD, os.fsencode(staging), _AT_FDCWD,
                                         os.fsencode(folder), _RENAME_EXCHANGE) == 0:
        return  # `staging` now holds the old results, which the caller removes
    old = _aside(folder, "old")
    os.rename(folder, old)
    os.rename(staging, folder)
    shutil.rmtree(old, ignore_errors=True)


@cache
def _renameat2() -> Any:
    try:
        return ctypes.CDLL(None, use_errno=True).renameat2
    except (OSError, AttributeError):
        return None


_ASIDE = re.compile(r"^\..+\.\d+\.(partial|old)$")


def _aside(folder: Path, kind: str) -> Path:
    """`.<name>.<pid>.<kind>` beside `folder`: a replacement being written, or the old
    results moved aside."""
    return folder.parent / f".{folder.name}.{os.getpid()}.{kind}"


def is_aside(path: Path) -> bool:
    """Whether `path` is a folder `replacing_folder` put aside (a killed run's leftover
    once its process is gone)."""
    return bool(_ASIDE.match(path.name))


def _remove_stale(folder: Path) -> None:
    """Staging folders of runs that are no longer running (killed mid-write)."""
    for leftover in folder.parent.glob(f".{glob.escape(folder.name)}.*.partial"):
        pid = leftover.name[len(folder.name) + 2:-len(".partial")]
        if pid.isdigit() and not _alive(int(pid)):
            shutil.rmtree(leftover, ignore_errors=True)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


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


def read_json(path: str | Path, hint: str | None = None) -> Any:
    """A JSON file's content, or one error naming the line and column where it breaks."""
    path = Path(path)
    try:
        return json.loads(read_text(path))
    except json.JSONDecodeError as exc:
        raise InputError(f"is not valid JSON: {exc.msg} at line {exc.lineno}, column "
                         f"{exc.colno}", path=path, hint=hint) from None
    except RecursionError:
        raise InputError("is nested too deeply to read", path=path, hint=hint) from None


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


def beside(recording: Path, kind: str) -> Path | None:
    """`<stem>.<kind>.toml`, else `<kind>.toml`, in the recording's folder: where a
    recording's consent manifest and roster are found when none is named."""
    for candidate in (recording.with_suffix(f".{kind}.toml"),
                      recording.parent / f"{kind}.toml"):
        if candidate.is_file():
            return candidate
    return None


def sha256(path: str | Path) -> str:
    """Checksum of a file, read in 1 MiB blocks (recordings and weights can be large)."""
    digest = hashlib.sha256()
    with Path(path).open("rb") as fh:
        while block := fh.read(1 << 20):
            digest.update(block)
    return digest.hexdigest()
