"""The batch catalogue, `DIR/catalogue.sqlite`: one row per recording, the truth about
what is done.

Each state change (pending -> running -> done or failed) is one transaction, in WAL mode
with full sync, so a run killed at any instant leaves the catalogue as of its last
finished change: a recording marked done has its results folder in place (the folder is
renamed into place before the row changes), and one left `running` by a killed run is
simply run again. A second `polyphony batch` on the same folder while one runs is refused
(`Catalogue.open` takes a lock), rather than two runs analysing the same recordings.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import fcntl
import json
import os
import shutil
import sqlite3
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from polyphony.errors import InputError

NAME = "catalogue.sqlite"
SCHEMA = 1
# `purged`: `polyphony purge` deleted its results (retention over, consent withdrawn); a
# later run tries it again, and the consent check then decides.
STATUSES = ("pending", "running", "done", "failed", "purged")

_TABLE = f"""
CREATE TABLE IF NOT EXISTS recordings (
    name TEXT PRIMARY KEY,            -- its results folder, under the batch folder
    path TEXT NOT NULL,               -- the recording, as the input gave it
    sha256 TEXT,                      -- of the recording's bytes
    settings_key TEXT,                -- sha256 of `settings`: same key, same analysis
    settings TEXT,                    -- JSON: analysis settings, roster, versions
    models TEXT,                      -- JSON: the models that ran
    meeting_id TEXT,
    network_id TEXT,
    date TEXT,
    status TEXT NOT NULL CHECK (status IN {STATUSES}),
    error TEXT,                       -- one line, for a failure: file, problem, hint
    problem TEXT,                     -- the problem alone, to group failures by
    trace TEXT,                       -- a bug's traceback
    timings TEXT,                     -- JSON: seconds per stage
    folder TEXT,                      -- the results folder, once done
    attempts INTEGER NOT NULL DEFAULT 0,
    updated TEXT NOT NULL             -- UTC, ISO 8601
)"""


@dataclass(frozen=True)
class Entry:
    """A catalogue row."""

    name: str
    path: str
    sha256: str | None
    settings_key: str | None
    status: str
    error: str | None
    folder: str | None
    attempts: int
    problem: str | None = None
    meeting_id: str | None = None
    network_id: str | None = None
    date: str | None = None
    timings: dict[str, float] | None = None
    models: dict[str, Any] | None = None
    settings: dict[str, Any] | None = None


class Catalogue:
    """A batch folder's catalogue, held open (and locked) by one run."""

    def __init__(self, connection: sqlite3.Connection, path: Path) -> None:
        self._db = connection
        self.path = path

    @classmethod
    @contextmanager
    def open(cls, folder: str | Path) -> Iterator[Catalogue]:
        """The catalogue of `folder` (created if new, readable by its owner only, as are
        its WAL files, which SQLite creates with the database's mode), locked for this
        run."""
        folder = Path(folder)
        path = folder / NAME
        if folder.exists() and not folder.is_dir():
            raise InputError("is a file, not a folder", path=folder,
                             hint="give --out a folder (it is created if new)")
        try:
            folder.mkdir(parents=True, exist_ok=True)
            lock = (folder / f".{NAME}.lock").open("a")
            if not path.exists():
                os.close(os.open(path, os.O_WRONLY | os.O_CREAT, 0o600))
        except OSError as exc:
            raise InputError(f"cannot be written ({exc.strerror or exc})", path=folder,
                             hint="choose an --out folder you can write") from None
        with lock:
            try:
                fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                raise InputError("is in use by another `polyphony batch` run", path=folder,
                                 hint="wait for it to finish, or use another --out") from None
            db = cls._connect(path)
            try:
                yield cls(db, path)
            finally:
                db.close()

    @staticmethod
    def _connect(path: Path) -> sqlite3.Connection:
        if not path.is_file():
            raise InputError("is not a catalogue file", path=path,
                             hint="move it aside: polyphony keeps its catalogue there")
        try:
            db = sqlite3.connect(path, isolation_level=None)
            db.execute("PRAGMA journal_mode=WAL")
            db.execute("PRAGMA synchronous=FULL")
            version = db.execute("PRAGMA user_version").fetchone()[0]
            if version > SCHEMA:
                raise InputError(f"is a catalogue of schema {version}, newer than this "
                                 f"polyphony's {SCHEMA}", path=path,
                                 hint="upgrade polyphony to continue this batch")
            with db:
                db.execute(_TABLE)
                columns = {row[1] for row in db.execute("PRAGMA table_info(recordings)")}
                if "problem" not in columns:  # added before schema 1 was released
                    db.execute("ALTER TABLE recordings ADD COLUMN problem TEXT")
                db.execute(f"PRAGMA user_version={SCHEMA}")
        except sqlite3.OperationalError as exc:  # read-only, locked, no space
            raise InputError(f"cannot be opened for writing ({exc})", path=path,
                             hint="check the folder's permissions and free space; the "
                                  "catalogue is what lets the batch resume") from None
        except sqlite3.DatabaseError as exc:
            raise InputError(f"is not a readable catalogue ({exc})", path=path,
                             hint="move it aside to start the batch afresh") from None
        return db

    def get(self, name: str) -> Entry | None:
        rows = self._select("WHERE name = ?", (name,))
        return rows[0] if rows else None

    def entries(self) -> list[Entry]:
        """Every row, by name."""
        return self._select("ORDER BY name", ())

    def _select(self, where: str, args: tuple[Any, ...]) -> list[Entry]:
        cursor = self._db.execute(
            "SELECT name, path, sha256, settings_key, status, error, folder, attempts, "
            "problem, meeting_id, network_id, date, timings, models, settings "
            f"FROM recordings {where}", args)
        return [Entry(*row[:12], *(json.loads(v) if v else None for v in row[12:]))
                for row in cursor]

    def pending(self, name: str, path: str, sha256: str | None, settings_key: str | None,
                settings: dict[str, Any], meeting_id: str | None, network_id: str | None,
                date: str | None) -> None:
        """Record (or reset) a recording as to be analysed."""
        self._write(
            "INSERT INTO recordings (name, path, sha256, settings_key, settings, meeting_id,"
            " network_id, date, status, updated) VALUES (?, ?, ?, ?, ?, ?, ?, ?, 'pending', ?)"
            " ON CONFLICT(name) DO UPDATE SET path = excluded.path, sha256 = excluded.sha256,"
            " settings_key = excluded.settings_key, settings = excluded.settings,"
            " meeting_id = excluded.meeting_id, network_id = excluded.network_id,"
            " date = excluded.date, status = 'pending', error = NULL, problem = NULL,"
            " trace = NULL,"
            " updated = excluded.updated",
            (name, path, sha256, settings_key, json.dumps(settings, sort_keys=True),
             meeting_id, network_id, date, _now()))

    def running(self, name: str) -> None:
        self._write("UPDATE recordings SET status = 'running', attempts = attempts + 1, "
                    "updated = ? WHERE name = ?", (_now(), name))

    def done(self, name: str, folder: str, timings: dict[str, float],
             models: dict[str, Any], sha256: str | None = None) -> None:
        """Its results folder is in place. `sha256`: the bytes analysed, where the file
        changed after it was planned."""
        self._write("UPDATE recordings SET status = 'done', folder = ?, timings = ?, "
                    "models = ?, error = NULL, problem = NULL, trace = NULL, "
                    "sha256 = coalesce(?, sha256), "
                    "updated = ? WHERE name = ?",
                    (folder, json.dumps(timings), json.dumps(models, sort_keys=True),
                     sha256, _now(), name))

    def failed(self, name: str, error: str, problem: str | None, trace: str | None,
               timings: dict[str, float] | None = None) -> None:
        self._write("UPDATE recordings SET status = 'failed', error = ?, problem = ?, "
                    "trace = ?, timings = ?, folder = NULL, updated = ? WHERE name = ?",
                    (error, problem, trace, json.dumps(timings) if timings else None,
                     _now(), name))

    def describe(self, name: str, path: str, meeting_id: str | None,
                 network_id: str | None, date: str | None) -> None:
        """Keep a skipped recording's manifest fields current (they are not part of the
        analysis: a network id corrected in the manifest needs no new run)."""
        self._write("UPDATE recordings SET path = ?, meeting_id = ?, network_id = ?, "
                    "date = ?, updated = ? WHERE name = ?",
                    (path, meeting_id, network_id, date, _now(), name))

    def purged(self, name: str, kind: str) -> None:
        """Its results were deleted (`kind`: retention, withdrawn). The row is kept, so
        that the tables no longer count it, under a name that names no one:
        `purged-<sha256>`; its path, manifest fields, settings and errors are cleared."""
        entry = self.get(name)
        if entry is None:
            return
        anonymous = f"purged-{entry.sha256 or _now()}"
        self._write("DELETE FROM recordings WHERE name = ?", (anonymous,))  # purged before
        self._write("UPDATE recordings SET name = ?, status = 'purged', error = ?, "
                    "problem = NULL, path = '', settings = NULL, meeting_id = NULL, "
                    "network_id = NULL, date = NULL, trace = NULL, timings = NULL, "
                    "models = NULL, folder = NULL, updated = ? WHERE name = ?",
                    (anonymous, f"purged: {kind}", _now(), name))

    def _write(self, sql: str, args: tuple[Any, ...]) -> None:
        try:
            with self._db:  # one transaction per state change
                self._db.execute(sql, args)
        except sqlite3.OperationalError as exc:
            raise InputError(f"could not be updated ({exc})", path=self.path,
                             hint="is the disk full or read-only?") from None


def _now() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds")


def read(folder: str | Path) -> list[Entry]:
    """The rows of a batch folder's catalogue, read without taking the run's lock (for
    `export` and `compare`, which may run beside a batch). In a read-only folder (an
    archive, a read-only share), where SQLite cannot make the WAL's index, it is read
    from a private copy of it and its WAL, or, with an empty WAL, as an immutable
    file."""
    path = Path(folder) / NAME
    if not path.is_file():
        raise InputError(f"is not a batch folder (it has no {NAME})", path=folder,
                         hint="give the --out folder of a `polyphony batch` run")
    try:
        return _entries(f"file:{path}?mode=ro", fallback=True)
    except sqlite3.OperationalError:
        pass  # a read-only folder, where SQLite cannot make the WAL's index
    wal = path.with_name(f"{NAME}-wal")
    if wal.is_file() and wal.stat().st_size:  # changes not yet in the main file
        with tempfile.TemporaryDirectory() as copy:
            for source in (path, wal):
                shutil.copy2(source, Path(copy) / source.name)
            return _entries(str(Path(copy) / NAME))
    return _entries(f"file:{path}?immutable=1")


def _entries(uri: str, fallback: bool = False) -> list[Entry]:
    """The rows at `uri`; with `fallback`, an OperationalError is left for the caller to
    try another way."""
    path = Path(uri.removeprefix("file:").split("?")[0])
    try:
        with contextlib.closing(sqlite3.connect(uri, uri=uri.startswith("file:"))) as db:
            return Catalogue(db, path).entries()
    except sqlite3.OperationalError as exc:
        if fallback:
            raise
        raise InputError(f"cannot be read ({exc})", path=path,
                         hint="check its permissions") from None
    except sqlite3.DatabaseError as exc:
        raise InputError(f"is not a readable catalogue ({exc})", path=path) from None


def finished(folder: str | Path) -> list[Entry]:
    """A batch folder's meetings marked done, by date (the manifest's; undated first),
    then name: the order tables and comparisons give them in."""
    done = [e for e in read(folder) if e.status == "done"]
    return sorted(done, key=lambda e: (e.date or "", e.name))


def network(folder: str | Path, network_id: str) -> list[Path]:
    """The results folders of a network's meetings in a batch folder, by date."""
    done = finished(folder)
    entries = [e for e in done if e.network_id == network_id]
    if not entries:
        known = sorted({e.network_id for e in done if e.network_id})
        raise InputError(f"has no finished meeting of the network {network_id!r}",
                         path=folder, hint=f"its networks: {', '.join(known) or 'none'}")
    return [Path(folder) / e.name for e in entries]
