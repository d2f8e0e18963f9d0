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

import datetime as dt
import fcntl
import json
import os
import sqlite3
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
    error TEXT,                       -- one line, for a failure
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
        """The catalogue of `folder` (created if new), locked for this run."""
        folder = Path(folder)
        path = folder / NAME
        try:
            folder.mkdir(parents=True, exist_ok=True)
            lock = (folder / f".{NAME}.lock").open("a")
        except OSError as exc:
            raise InputError(f"cannot be written ({exc.strerror})", path=folder,
                             hint="choose an --out folder you can write") from None
        with lock:
            try:
                fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                raise InputError("is in use by another `polyphony batch` run", path=folder,
                                 hint="wait for it to finish, or use another --out") from None
            db = sqlite3.connect(path, isolation_level=None)
            try:
                cls._prepare(db, path)
                yield cls(db, path)
            finally:
                db.close()

    @staticmethod
    def _prepare(db: sqlite3.Connection, path: Path) -> None:
        try:
            db.execute("PRAGMA journal_mode=WAL")
            db.execute("PRAGMA synchronous=FULL")
            version = db.execute("PRAGMA user_version").fetchone()[0]
            if version > SCHEMA:
                raise InputError(f"is a catalogue of schema {version}, newer than this "
                                 f"polyphony's {SCHEMA}", path=path,
                                 hint="upgrade polyphony to continue this batch")
            with db:
                db.execute(_TABLE)
                db.execute(f"PRAGMA user_version={SCHEMA}")
        except sqlite3.DatabaseError as exc:
            raise InputError(f"is not a readable catalogue ({exc})", path=path,
                             hint="move it aside to start the batch afresh") from None
        os.chmod(path, 0o600)

    def get(self, name: str) -> Entry | None:
        rows = self._select("WHERE name = ?", (name,))
        return rows[0] if rows else None

    def entries(self) -> list[Entry]:
        """Every row, by name."""
        return self._select("ORDER BY name", ())

    def _select(self, where: str, args: tuple[Any, ...]) -> list[Entry]:
        cursor = self._db.execute(
            "SELECT name, path, sha256, settings_key, status, error, folder, attempts, "
            f"meeting_id, network_id, date, timings, models, settings FROM recordings {where}",
            args)
        return [Entry(*row[:11], *(json.loads(v) if v else None for v in row[11:]))
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
            " date = excluded.date, status = 'pending', error = NULL, trace = NULL,"
            " updated = excluded.updated",
            (name, path, sha256, settings_key, json.dumps(settings, sort_keys=True),
             meeting_id, network_id, date, _now()))

    def running(self, name: str) -> None:
        self._write("UPDATE recordings SET status = 'running', attempts = attempts + 1, "
                    "updated = ? WHERE name = ?", (_now(), name))

    def done(self, name: str, folder: str, timings: dict[str, float],
             models: dict[str, Any]) -> None:
        self._write("UPDATE recordings SET status = 'done', folder = ?, timings = ?, "
                    "models = ?, error = NULL, trace = NULL, updated = ? WHERE name = ?",
                    (folder, json.dumps(timings), json.dumps(models, sort_keys=True),
                     _now(), name))

    def failed(self, name: str, error: str, trace: str | None,
               timings: dict[str, float] | None = None) -> None:
        self._write("UPDATE recordings SET status = 'failed', error = ?, trace = ?, "
                    "timings = ?, folder = NULL, updated = ? WHERE name = ?",
                    (error, trace, json.dumps(timings) if timings else None, _now(), name))

    def purged(self, name: str, reason: str) -> None:
        self._write("UPDATE recordings SET status = 'purged', error = ?, folder = NULL, "
                    "updated = ? WHERE name = ?", (f"purged: {reason}", _now(), name))

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
    `export` and `compare`, which may run beside a batch)."""
    path = Path(folder) / NAME
    if not path.is_file():
        raise InputError(f"is not a batch folder (it has no {NAME})", path=folder,
                         hint="give the --out folder of a `polyphony batch` run")
    db = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        return Catalogue(db, path).entries()
    except sqlite3.DatabaseError as exc:
        raise InputError(f"is not a readable catalogue ({exc})", path=path) from None
    finally:
        db.close()


def network(folder: str | Path, network_id: str) -> list[Path]:
    """The results folders of a network's meetings in a batch folder, by date."""
    entries = [e for e in read(folder) if e.network_id == network_id and e.status == "done"]
    if not entries:
        known = sorted({e.network_id for e in read(folder) if e.network_id})
        raise InputError(f"has no finished meeting of the network {network_id!r}",
                         path=folder, hint=f"its networks: {', '.join(known) or 'none'}")
    entries.sort(key=lambda e: (e.date or "", e.name))
    return [Path(folder) / e.name for e in entries]
