"""Planning a batch and keeping its catalogue true, with a worker that loads no model
(`fake_worker.py`): what is skipped, what runs again, and what a bad row may not touch.
The real analysis is tested in test_run.py."""

from __future__ import annotations

import pytest

from polyphony.batch import catalogue
from polyphony.batch.run import Batch
from polyphony.errors import InputError
from tests.batch.fake_worker import FakeWorker


def _run(source, out, **options):
    with Batch(source, out, **options) as batch:
        return {o.name: o for o in batch.run(worker=FakeWorker)}


@pytest.fixture
def recordings(tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    for name in ("one.wav", "two.wav"):
        (folder / name).write_bytes(name.encode() * 100)
    return folder


def _manifest(folder, rows):
    path = folder / "m.csv"
    path.write_text("path,meeting_id,network_id,date\n" + "".join(r + "\n" for r in rows))
    return path


def test_what_is_done_and_unchanged_is_skipped_and_a_changed_file_runs_again(recordings,
                                                                             tmp_path):
    out = tmp_path / "out"
    first = _run(recordings, out)
    assert {n: o.status for n, o in first.items()} == {"one.wav": "done", "two.wav": "done"}
    again = _run(recordings, out)
    assert {o.status for o in again.values()} == {"skipped"}
    (recordings / "two.wav").write_bytes(b"other bytes")
    third = _run(recordings, out)
    assert (third["one.wav"].status, third["two.wav"].status) == ("skipped", "done")
    assert {e.name: e.attempts for e in catalogue.read(out)} == {"one.wav": 1, "two.wav": 2}


def test_a_done_row_whose_results_folder_is_gone_runs_again(recordings, tmp_path):
    out = tmp_path / "out"
    _run(recordings, out)
    (out / "one.wav" / "conversation.json").unlink()
    assert _run(recordings, out)["one.wav"].status == "done"


def test_a_corrected_network_id_is_kept_without_a_new_run(recordings, tmp_path):
    out = tmp_path / "out"
    _run(_manifest(recordings, ["one.wav,m1,net-a,2026-01-01"]), out)
    again = _run(_manifest(recordings, ["one.wav,m1,net-b,2026-01-02"]), out)
    assert again["m1"].status == "skipped"
    [entry] = catalogue.read(out)
    assert (entry.network_id, entry.date, entry.attempts) == ("net-b", "2026-01-02", 1)


def test_a_bad_row_never_overwrites_a_done_result(recordings, tmp_path):
    out = tmp_path / "out"
    _run(_manifest(recordings, ["one.wav,m1,,"]), out)
    bad = _run(_manifest(recordings, ["one.wav,m1,,", "two.wav,m1,,"]), out)
    assert bad["m1"].status == "failed"
    assert "would share the results folder" in bad["m1"].reason
    [entry] = catalogue.read(out)
    assert (entry.status, entry.folder) == ("done", str(out / "m1"))


def test_a_row_whose_file_appears_runs_at_once(recordings, tmp_path):
    out = tmp_path / "out"
    manifest = _manifest(recordings, ["one.wav,m1,,", "missing.wav,m2,,"])
    assert _run(manifest, out)["m2"].status == "failed"
    (recordings / "missing.wav").write_bytes(b"now here")
    assert _run(manifest, out)["m2"].status == "done"  # not a failure of the same bytes


def test_a_failure_is_not_retried_until_retry_failed(tmp_path):
    folder, out = tmp_path / "in", tmp_path / "out"
    folder.mkdir()
    (folder / "die-always.wav").write_bytes(b"x")  # FakeWorker's process dies on it
    with Batch(folder, out) as batch:  # two workers: the pool, where a death is contained
        assert [o.status for o in batch.run(2, worker=FakeWorker)] == ["failed"]
    assert _run(folder, out)["die-always.wav"].status == "not retried"
    with Batch(folder, out, retry_failed=True) as batch:
        assert [o.status for o in batch.run(2, worker=FakeWorker)] == ["failed"]
    assert catalogue.read(out)[0].attempts == 2


def test_an_empty_source_is_an_error_and_makes_no_catalogue(tmp_path):
    (tmp_path / "in").mkdir()
    with (pytest.raises(InputError, match="holds no recordings"),
          Batch(tmp_path / "in", tmp_path / "out")):
        pass
    assert not (tmp_path / "out").exists()
