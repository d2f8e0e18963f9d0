"""Writes that lose nothing: a results folder is replaced whole or not at all, whether the
run is killed, the disk fills up or the folder is read-only.

The kill tests SIGKILL a real child process at each write (it kills itself, so the point
is exact rather than a race). The full disk and the read-only folder are real too: a tiny
tmpfs mounted in a private mount namespace (`unshare`), where `mount` needs no privilege.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from polyphony.errors import InputError
from polyphony.files import check_writable, replacing_folder, write_text
from polyphony.report.outputs import OUTPUT_FILES, output_dir
from tests.conftest import ROOT, write_consent
from tests.helpers import results_folder

CHILD = textwrap.dedent("""
    import os, shutil, signal, sys
    import polyphony.files as files
    from tests.helpers import results_folder

    out, kill_at = sys.argv[1], sys.argv[2]
    fsyncs = 0
    real_fsync, real_swap, real_rmtree = os.fsync, files._swap_in, shutil.rmtree

    def die():
        os.kill(os.getpid(), signal.SIGKILL)

    def fsync(fd):
        global fsyncs
        real_fsync(fd)
        fsyncs += 1
        if kill_at == f"file{fsyncs}":
            die()

    def swap(staging, folder):
        real_swap(staging, folder)
        if kill_at == "swapped":  # new results in place, the old ones not yet removed
            die()

    os.fsync, files._swap_in = fsync, swap
    results_folder(out, "meeting", recording="new.flac")
""")


def recording_of(folder: Path) -> str:
    """Which run wrote `folder`, checked to be whole: every file there, and its
    conversation.json and metrics.json from the same run."""
    assert sorted(p.name for p in folder.iterdir()) == sorted(OUTPUT_FILES)
    conv = json.loads((folder / "conversation.json").read_text())["provenance"]
    metrics = json.loads((folder / "metrics.json").read_text())["provenance"]
    assert conv["recording"] == metrics["recording"]
    return conv["recording"]


def child(*args: str, command: str = CHILD, wrap: tuple[str, ...] = ()
          ) -> subprocess.CompletedProcess:
    return subprocess.run([*wrap, sys.executable, "-c", command, *args], cwd=ROOT,
                          capture_output=True, text=True, timeout=120,
                          env={**os.environ, "PYTHONPATH": str(ROOT)})


@pytest.mark.parametrize("kill_at", [f"file{k}" for k in range(1, len(OUTPUT_FILES) + 1)]
                         + ["swapped"])
def test_a_killed_run_leaves_the_old_results_or_the_new_whole(tmp_path, kill_at):
    folder = results_folder(tmp_path, "meeting", recording="old.flac")
    done = child(str(tmp_path), kill_at)
    assert done.returncode == -9, done.stderr
    expected = "new.flac" if kill_at == "swapped" else "old.flac"
    assert recording_of(folder) == expected
    # What the killed run left behind is hidden, and the next run clears it away.
    assert all(p.name.startswith(".") for p in tmp_path.iterdir() if p != folder)
    results_folder(tmp_path, "meeting", recording="new.flac")  # the next run, whole
    assert recording_of(folder) == "new.flac"
    assert [p.name for p in tmp_path.iterdir()] == ["meeting"]


def test_an_error_while_writing_keeps_the_old_folder(tmp_path):
    folder = tmp_path / "meeting"
    folder.mkdir()
    (folder / "metrics.json").write_text("old")
    with pytest.raises(RuntimeError), replacing_folder(folder) as staging:
        (staging / "metrics.json").write_text("half")
        raise RuntimeError("the pipeline failed")
    assert (folder / "metrics.json").read_text() == "old"
    assert [p.name for p in tmp_path.iterdir()] == ["meeting"]


def test_written_files_and_folders_are_private(tmp_path):
    folder = results_folder(tmp_path, "meeting")
    assert folder.stat().st_mode & 0o077 == 0
    assert (folder / "conversation.json").stat().st_mode & 0o077 == 0


def in_small_tmpfs(script: str, *args: str, size: str = "256k") -> subprocess.CompletedProcess:
    """Run `script` (Python) with argv[1] a fresh tmpfs of `size`, in a private mount
    namespace."""
    mount = textwrap.dedent(f"""
        import subprocess, sys, tempfile
        where = tempfile.mkdtemp()
        subprocess.run(["mount", "-t", "tmpfs", "-o", "size={size}", "tmpfs", where],
                       check=True)
        sys.argv = [sys.argv[0], where, *sys.argv[1:]]
    """)
    return child(*args, command=mount + textwrap.dedent(script), wrap=("unshare", "-rm"))


def test_a_full_disk_is_one_clear_error_and_the_old_results_stay(tmp_path):
    done = in_small_tmpfs("""
        import json, sys
        from pathlib import Path
        from polyphony.conversation import Conversation, Provenance, Utterance
        from polyphony.errors import InputError
        from polyphony.metrics import compute_metrics
        from polyphony.report.outputs import write_all
        from tests.helpers import results_folder
        from tests.test_files import recording_of

        out = Path(sys.argv[1])
        folder = results_folder(out, "meeting", recording="old.flac")
        big = Conversation.build(
            [Utterance(f"S{i % 7}", i * 0.5, i * 0.5 + 0.4) for i in range(20_000)],
            provenance=Provenance(source="automatic", recording="new.flac", has_text=False))
        try:
            write_all(folder, "meeting", big, big, compute_metrics(big))
        except InputError as error:
            print(json.dumps({"error": str(error), "kept": recording_of(folder),
                              "left": sorted(p.name for p in out.iterdir())}))
    """)
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout)
    assert "No space left on device" in result["error"]
    assert "\n" not in result["error"] and "nothing that was there before" in result["error"]
    assert result["kept"] == "old.flac"
    assert result["left"] == ["meeting"]


def test_a_read_only_output_folder_fails_before_any_work(tmp_path):
    rttm = ROOT / "examples" / "network-meeting" / "reference.rttm"
    audio = tmp_path / "meeting.flac"
    audio.write_bytes((ROOT / "examples" / "network-meeting" / "network-meeting.flac")
                      .read_bytes())
    write_consent(tmp_path, "meeting.flac")
    done = in_small_tmpfs(f"""
        import json, subprocess, sys
        from pathlib import Path
        from tests.helpers import results_folder
        from tests.test_files import recording_of

        out = Path(sys.argv[1])
        folder = results_folder(out, "meeting", recording="old.flac")
        subprocess.run(["mount", "-o", "remount,ro", str(out)], check=True)
        cli = [sys.executable, "-m", "polyphony"]
        metrics = subprocess.run([*cli, "metrics", "{rttm}", "-o", str(folder / "m.json")],
                                 capture_output=True, text=True)
        analyze = subprocess.run([*cli, "analyze", "{audio}", "--out", str(out / "new")],
                                 capture_output=True, text=True)
        print(json.dumps({{"metrics": [metrics.returncode, metrics.stderr],
                          "analyze": [analyze.returncode, analyze.stderr],
                          "kept": recording_of(folder)}}))
    """)
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout)
    for command in ("metrics", "analyze"):
        code, stderr = result[command]
        assert code == 1, stderr
        assert "Read-only file system" in stderr and "Traceback" not in stderr
        assert len(stderr.strip().splitlines()) == 1
    assert result["kept"] == "old.flac"


def test_check_writable_creates_nothing_and_names_the_obstacle(tmp_path):
    check_writable(tmp_path / "a" / "b")
    assert list(tmp_path.iterdir()) == []
    blocker = tmp_path / "file"
    blocker.write_text("x")
    with pytest.raises(InputError, match="cannot be written"):
        check_writable(blocker / "out")
    with pytest.raises(InputError, match="cannot be written"):
        write_text(blocker / "inside.json", "{}")


def test_a_folder_holding_other_files_is_never_replaced(tmp_path):
    """Results written into the recording's own folder would take the recording and its
    consent manifest with them when replaced whole."""
    folder = tmp_path / "meeting"
    folder.mkdir()
    (folder / "meeting.flac").write_bytes(b"the recording")
    with pytest.raises(InputError, match=r"holds files polyphony did not write "
                                         r"\(meeting.flac\)"):
        output_dir(tmp_path, "meeting", force=True)
    assert (folder / "meeting.flac").read_bytes() == b"the recording"
    results = results_folder(tmp_path, "done")
    assert output_dir(tmp_path, "done", force=True) == results


def test_stale_staging_is_cleared_whatever_the_name(tmp_path):
    name = "meet[1] *"
    stale = tmp_path / f".{name}.999999999.partial"
    stale.mkdir()
    with replacing_folder(tmp_path / name) as staging:
        (staging / "x").write_text("new")
    assert sorted(p.name for p in tmp_path.iterdir()) == [name]
