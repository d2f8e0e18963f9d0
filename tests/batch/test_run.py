"""A real batch: eight short recordings (the example meeting cut into clips and copied,
plus a corrupt, an empty, a silent and an unconsented one), run with the real models,
rerun, killed with SIGKILL halfway and resumed, and run again on a real local Ray."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf
from click.testing import CliRunner

from polyphony.audio.decode import decode
from polyphony.batch import catalogue
from polyphony.batch.run import Batch
from polyphony.cli import main
from tests.conftest import EXAMPLE, ROOT, write_consent

pytestmark = pytest.mark.models

GOOD = ("a__meeting.flac", "b__meeting.ogg", "net1-late", "c__copy.flac")
BAD = {"a__corrupt.wav": "is not an audio or video file",
       "a__empty.wav": "is empty (0 bytes)",
       "nc__unconsented.wav": "has no consent manifest"}
SILENT = "a__silent.wav"  # a recording of nothing is analysed, and says so in its flags


@pytest.fixture(scope="module")
def manifest(tmp_path_factory) -> Path:
    """Eight recordings and a manifest CSV naming them, with a network and dates."""
    root = tmp_path_factory.mktemp("recordings")
    speech = decode(EXAMPLE / "network-meeting.flac").samples
    clip = {start: speech[16000 * start:16000 * (start + 12)] for start in (0, 12, 24)}
    for folder in ("a", "b", "c", "nc"):
        (root / folder).mkdir()
    sf.write(root / "a" / "meeting.flac", clip[0], 16000)
    sf.write(root / "b" / "meeting.ogg", clip[12], 16000)  # same stem, another folder
    sf.write(root / "a" / "late.wav", clip[24], 16000)
    (root / "c" / "copy.flac").write_bytes((root / "a" / "meeting.flac").read_bytes())
    sf.write(root / "a" / "silent.wav", np.zeros(16000 * 8, np.float32), 16000)
    (root / "a" / "empty.wav").write_bytes(b"")
    (root / "a" / "corrupt.wav").write_bytes(b"RIFF" + bytes(range(256)) * 16)
    sf.write(root / "nc" / "unconsented.wav", clip[12], 16000)
    write_consent(root / "a", "meeting.flac", "late.wav", "silent.wav", "empty.wav",
                  "corrupt.wav")
    write_consent(root / "b", "meeting.ogg")
    write_consent(root / "c", "copy.flac")
    path = root / "batch.csv"
    path.write_text("path,meeting_id,network_id,date\n"
                    "a/meeting.flac,,net1,2026-01-10\n"
                    "b/meeting.ogg,,net2,2026-01-11\n"
                    "a/late.wav,net1-late,net1,2026-02-10\n"
                    "c/copy.flac,,,\n"
                    "a/silent.wav,,,\n"
                    "a/empty.wav,,,\n"
                    "a/corrupt.wav,,,\n"
                    "nc/unconsented.wav,,,\n")
    return path


def _batch(manifest: Path, out: Path, *extra: str):
    return CliRunner().invoke(main, ["batch", str(manifest), "--out", str(out), *extra])


@pytest.fixture(scope="module")
def reference(manifest, tmp_path_factory):
    """The batch run once, uninterrupted, by the CLI: (result, folder)."""
    out = tmp_path_factory.mktemp("uninterrupted")
    return _batch(manifest, out), out


def _statuses(out: Path) -> dict[str, str]:
    return {e.name: e.status for e in catalogue.read(out)}


def _outputs(out: Path) -> dict[str, object]:
    """Every file of every results folder, as its bytes, apart from timings (metrics.json
    without its "timings")."""
    files: dict[str, object] = {}
    for path in sorted(out.glob("*/*")):
        if path.parent.name == "tables":
            continue
        key = str(path.relative_to(out))
        if path.name == "metrics.json":
            data = json.loads(path.read_text())
            data.pop("timings")
            files[key] = data
        else:
            files[key] = path.read_bytes()
    return files


def test_the_batch_completes_and_the_bad_recordings_fail_with_their_reasons(reference):
    result, out = reference
    assert result.exit_code == 1, result.output  # some failed; the others still ran
    assert "Traceback" not in result.output
    statuses = _statuses(out)
    assert statuses == {**dict.fromkeys(GOOD, "done"), SILENT: "done",
                        **dict.fromkeys(BAD, "failed")}
    errors = {e.name: e.error for e in catalogue.read(out)}
    for name, problem in BAD.items():
        assert problem in errors[name], errors[name]
        assert f"1 x {problem}" in result.output  # grouped in the summary
    assert "5 done, 3 failed, 0 skipped" in result.output
    for name in (*GOOD, SILENT):
        assert (out / name / "report.html").is_file()
    no_speech = json.loads((out / SILENT / "metrics.json").read_text())["flags"]
    assert "no_speech" in {f["code"] for f in no_speech}


def test_the_catalogue_records_hash_timings_models_and_the_manifest_s_fields(reference):
    _, out = reference
    entry = {e.name: e for e in catalogue.read(out)}["net1-late"]
    digest = json.loads((out / "net1-late" / "conversation.json").read_text())[
        "provenance"]["recording_sha256"]
    assert entry.sha256 == digest and len(digest) == 64
    assert set(entry.timings) >= {"diarize", "transcribe", "total"}
    assert entry.models["asr"] == "whisper-tiny-en" and entry.models["polyphony"]
    assert (entry.network_id, entry.date, entry.attempts) == ("net1", "2026-02-10", 1)
    assert entry.settings["analysis"]["asr_model"] == "whisper-tiny-en"


def test_a_rerun_does_nothing_and_says_so(manifest, reference):
    _, out = reference
    before = _outputs(out)
    again = _batch(manifest, out)
    assert again.exit_code == 1, again.output  # the failures are still failures
    assert ("0 done, 0 failed, 5 skipped, 3 failed before and not retried "
            "(--retry-failed runs them again), nothing to do") in again.output
    for problem in BAD.values():
        assert f"1 x {problem}" in again.output
    assert _outputs(out) == before
    assert {e.attempts for e in catalogue.read(out)} == {1}


def test_retry_failed_runs_only_the_failures_again(manifest, reference, tmp_path):
    _, out = reference
    again = _batch(manifest, out, "--retry-failed")
    assert "0 done, 3 failed, 5 skipped" in again.output
    attempts = {e.name: e.attempts for e in catalogue.read(out)}
    assert attempts == {**dict.fromkeys((*GOOD, SILENT), 1), **dict.fromkeys(BAD, 2)}


def test_a_changed_recording_is_analysed_again(manifest, tmp_path):
    """Same name, other bytes: the catalogue's hash no longer matches."""
    folder, out = tmp_path / "in", tmp_path / "out"
    folder.mkdir()
    samples = decode(manifest.parent / "a" / "late.wav").samples
    sf.write(folder / "late.wav", samples, 16000)
    write_consent(folder, "late.wav")
    assert _batch(folder, out).exit_code == 0
    first = json.loads((out / "late.wav" / "conversation.json").read_text())
    sf.write(folder / "late.wav", samples[: 16000 * 6], 16000)
    again = _batch(folder, out)
    assert "1 done, 0 failed, 0 skipped" in again.output, again.output
    now = json.loads((out / "late.wav" / "conversation.json").read_text())
    assert now["provenance"]["recording_sha256"] != first["provenance"]["recording_sha256"]
    assert now["region"][1] == pytest.approx(6.0, abs=0.01)


def test_a_batch_killed_halfway_resumes_to_exactly_the_uninterrupted_outputs(
        manifest, reference, tmp_path):
    out = tmp_path / "killed"
    child = subprocess.Popen(
        [sys.executable, "-m", "polyphony", "batch", str(manifest), "--out", str(out),
         "--quiet"], cwd=ROOT, start_new_session=True, stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 300
        while time.monotonic() < deadline and child.poll() is None:
            if (out / catalogue.NAME).is_file() and "done" in _live_statuses(out).values():
                break
            time.sleep(0.05)
        assert child.poll() is None, "the batch ended before it could be killed"
        os.killpg(child.pid, signal.SIGKILL)
        child.wait()
    finally:
        if child.poll() is None:
            os.killpg(child.pid, signal.SIGKILL)
    killed = _live_statuses(out)
    assert "done" in killed.values() and set(killed.values()) != {"done", "failed"}
    resumed = _batch(manifest, out)
    assert resumed.exit_code == 1, resumed.output
    assert _statuses(out) == _statuses(reference[1])
    assert sorted(p.name for p in out.iterdir() if p.name.startswith(".")) == [
        f".{catalogue.NAME}.lock"]  # no half-written folder left behind
    assert _outputs(out) == _outputs(reference[1])
    done_before = [n for n, s in killed.items() if s == "done"]
    assert all(e.attempts == 1 for e in catalogue.read(out) if e.name in done_before)


def _live_statuses(out: Path) -> dict[str, str]:
    """The statuses a running batch has committed (read beside it, as a user would)."""
    db = sqlite3.connect(f"file:{out / catalogue.NAME}?mode=ro", uri=True, timeout=5)
    try:
        return dict(db.execute("SELECT name, status FROM recordings"))
    except sqlite3.OperationalError:  # the table is not created yet
        return {}
    finally:
        db.close()


def test_the_ray_executor_gives_the_same_outputs_as_the_local_one(manifest, reference,
                                                                  tmp_path):
    """A real local Ray, started (dashboard off, on 127.0.0.1 only) and stopped by the
    batch itself."""
    import ray

    out = tmp_path / "ray"
    with Batch(manifest, out) as batch:
        outcomes = list(batch.run(executor="ray"))
    assert not ray.is_initialized()
    assert {o.name: o.status for o in outcomes} == _statuses(reference[1])
    assert _outputs(out) == _outputs(reference[1])


def test_two_local_worker_processes_share_the_batch(manifest, reference, tmp_path):
    """`--workers 2`: two spawned processes with a core each (their own models)."""
    some = manifest.parent / "some.csv"
    some.write_text("path,meeting_id\na/meeting.flac,\na/late.wav,net1-late\n"
                    "a/corrupt.wav,\n")
    out = tmp_path / "two"
    result = _batch(some, out, "--workers", "2")
    assert "2 done, 1 failed, 0 skipped" in result.output, result.output
    for name in ("a__meeting.flac", "net1-late"):
        mine = json.loads((out / name / "conversation.json").read_text())
        alone = json.loads((reference[1] / name / "conversation.json").read_text())
        assert mine["utterances"] and len(mine["participants"]) == len(alone["participants"])
        for key in ("recording_sha256", "models", "consent"):  # a thread each: the floats
            assert mine["provenance"][key] == alone["provenance"][key]  # may differ a hair


def test_tidy_tables_of_the_batch_load_in_pandas(manifest, reference, tmp_path):
    import pandas as pd

    _, out = reference
    for fmt in ("csv", "parquet"):
        result = CliRunner().invoke(main, ["export", str(out), "--format", fmt, "-o",
                                           str(tmp_path / fmt)])
        assert result.exit_code == 0, result.output
        assert "5 meetings" in result.output
    read = {"csv": pd.read_csv, "parquet": pd.read_parquet}
    for fmt, reader in read.items():
        meetings = reader(tmp_path / fmt / f"meetings.{fmt}")
        assert list(meetings["meeting"]) == [  # by date, then name
            "a__silent.wav", "c__copy.flac", "a__meeting.flac", "b__meeting.ogg", "net1-late"]
        late = meetings.set_index("meeting").loc["net1-late"]
        assert (late["network_id"], late["date"]) == ("net1", "2026-02-10")
        assert late["words"] > 0 and 0 < late["speech_time"] <= late["duration"]
        participants = reader(tmp_path / fmt / f"participants.{fmt}")
        shares = participants.groupby("meeting")["share_time"].sum()
        assert SILENT not in shares.index  # nobody spoke: no voice to list
        assert shares.round(6).eq(1).all() and len(shares) == len(GOOD)
        utterances = reader(tmp_path / fmt / f"utterances.{fmt}")
        texts = utterances[utterances.meeting == "a__meeting.flac"]["text"]
        said = " ".join(texts.fillna(""))  # an utterance with no word heard: empty
        conv = json.loads((out / "a__meeting.flac" / "conversation.json").read_text())
        assert said == " ".join(u["text"] for u in conv["utterances"])
        flags = reader(tmp_path / fmt / f"flags.{fmt}")
        assert "no_speech" in set(flags[flags.meeting == SILENT]["code"])
        turns = reader(tmp_path / fmt / f"turns.{fmt}")
        assert set(turns["meeting"]) <= set(meetings["meeting"])


def test_compare_takes_a_network_of_the_batch(reference, tmp_path):
    _, out = reference
    page = tmp_path / "net1.html"
    result = CliRunner().invoke(main, ["compare", str(out), "--network", "net1", "-o",
                                       str(page)])
    assert result.exit_code == 0, result.output
    html = page.read_text()
    assert html.index("a__meeting.flac") < html.index("net1-late")
    missing = CliRunner().invoke(main, ["compare", str(out), "--network", "nope"])
    assert missing.exit_code == 1 and "its networks: net1, net2" in missing.output
