"""The SQLite catalogue: every state change kept, one run at a time, bad files named."""

from __future__ import annotations

import sqlite3

import pytest

from polyphony.batch import catalogue
from polyphony.batch.catalogue import Catalogue
from polyphony.errors import InputError


def _pending(cat: Catalogue, name: str = "m.wav") -> None:
    cat.pending(name, f"/in/{name}", "ab" * 32, "key", {"asr": "tiny"}, "m1", "net", "2026-01-02")


def test_each_state_change_is_kept_when_the_catalogue_is_opened_again(tmp_path):
    with Catalogue.open(tmp_path) as cat:
        _pending(cat)
        cat.running("m.wav")
        cat.done("m.wav", str(tmp_path / "m.wav"), {"diarize": 1.5}, {"asr": "tiny"})
        _pending(cat, "bad.wav")
        cat.running("bad.wav")
        cat.failed("bad.wav", "bad.wav: is empty", "is empty", None, {"total": 0.1})
    done, bad = sorted(catalogue.read(tmp_path), key=lambda e: e.name, reverse=True)
    assert (done.status, done.attempts, done.timings, done.models) == (
        "done", 1, {"diarize": 1.5}, {"asr": "tiny"})
    assert (done.meeting_id, done.network_id, done.date) == ("m1", "net", "2026-01-02")
    assert done.settings == {"asr": "tiny"}
    assert (bad.status, bad.error, bad.problem, bad.folder) == (
        "failed", "bad.wav: is empty", "is empty", None)


def test_a_recording_queued_again_is_reset_but_keeps_its_attempts(tmp_path):
    with Catalogue.open(tmp_path) as cat:
        _pending(cat)
        cat.running("m.wav")
        cat.failed("m.wav", "boom", "boom", "Traceback ...")
        _pending(cat)
        entry = cat.get("m.wav")
    assert (entry.status, entry.error, entry.attempts) == ("pending", None, 1)


def test_a_second_run_on_the_same_folder_is_refused_while_one_holds_it(tmp_path):
    with (Catalogue.open(tmp_path),
          pytest.raises(InputError, match="in use by another"),
          Catalogue.open(tmp_path)):
        pass
    with Catalogue.open(tmp_path):  # free again once the first run is over
        pass


def test_the_catalogue_is_private_and_in_wal_mode(tmp_path):
    with Catalogue.open(tmp_path):
        pass
    path = tmp_path / catalogue.NAME
    assert path.stat().st_mode & 0o777 == 0o600
    assert sqlite3.connect(path).execute("PRAGMA journal_mode").fetchone()[0] == "wal"


def test_a_file_that_is_not_a_catalogue_is_named_not_overwritten(tmp_path):
    (tmp_path / catalogue.NAME).write_text("not sqlite " * 200)
    with (pytest.raises(InputError, match="not a readable catalogue") as caught,
          Catalogue.open(tmp_path)):
        pass
    assert catalogue.NAME in str(caught.value)
    assert (tmp_path / catalogue.NAME).read_text().startswith("not sqlite")


def test_a_catalogue_from_a_newer_polyphony_is_refused(tmp_path):
    db = sqlite3.connect(tmp_path / catalogue.NAME)
    db.execute(f"PRAGMA user_version={catalogue.SCHEMA + 1}")
    db.close()
    with pytest.raises(InputError, match="newer than this"), Catalogue.open(tmp_path):
        pass


def test_reading_a_folder_without_a_catalogue_says_it_is_not_a_batch(tmp_path):
    with pytest.raises(InputError, match="not a batch folder"):
        catalogue.read(tmp_path)
