"""`polyphony purge`: results past their retention date, or whose consent was withdrawn,
are deleted (polyphony's own files only), with a dry run first and a log without names."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from click.testing import CliRunner

from polyphony.cli import main
from polyphony.errors import InputError
from polyphony.purge import LOG, purge, survey
from tests.conftest import write_consent
from tests.helpers import results_folder

LATER = dt.date.today() + dt.timedelta(days=400)  # past the test manifests' retention


def test_dry_run_lists_and_keeps_then_purge_deletes_and_logs(tmp_path):
    out = tmp_path / "out"
    manifest = write_consent(tmp_path, "old.flac", "new.flac")
    old = results_folder(out, "old", manifest)
    new = results_folder(out, "new", write_consent(tmp_path / "fresh", "new.flac",
                                                   keep_days=500))
    due, kept = survey(out, LATER)
    assert [(d.folder, d.kind) for d in due] == [(old, "retention")]
    assert kept == []
    assert (old / "conversation.json").is_file()  # the survey deletes nothing

    purge(out, due, LATER)
    assert not old.exists() and (new / "metrics.json").is_file()
    entry = json.loads((out / LOG).read_text().splitlines()[-1])
    assert entry == {"purged_on": LATER.isoformat(), "reason": "retention",
                     "recording_sha256": "0" * 64}
    assert "old" not in (out / LOG).read_text()


def test_a_withdrawal_since_the_analysis_is_honoured(tmp_path):
    manifest = write_consent(tmp_path, "m.flac", people=(("anna", "person"),
                                                          ("ben", "family")))
    folder = results_folder(tmp_path / "out", "m", manifest)
    head, _, given = manifest.read_text().rstrip().rpartition("\nanalysis = ")
    given, _, tail = given.partition("\n")
    manifest.write_text(f"{head}\nanalysis = {{ given = {given}, withdrawn = "
                        f"{dt.date.today().isoformat()} }}\n{tail}\n")
    due, _ = survey(tmp_path / "out")
    assert [(d.folder, d.kind, d.reason) for d in due] == [
        (folder, "withdrawn", "no longer consented to by ben")]


def test_only_polyphonys_files_are_deleted(tmp_path):
    manifest = write_consent(tmp_path, "m.flac")
    folder = results_folder(tmp_path / "out", "m", manifest)
    (folder / "m.flac").write_bytes(b"someone kept the recording here")
    due, _ = survey(tmp_path / "out", LATER)
    purge(tmp_path / "out", due, LATER)
    assert sorted(p.name for p in folder.iterdir()) == ["m.flac"]


def test_unchecked_and_unreadable_results_are_kept_and_said(tmp_path):
    out = tmp_path / "out"
    unchecked = results_folder(out, "corpus")
    broken = results_folder(out, "broken", write_consent(tmp_path, "broken.flac"))
    (broken / "conversation.json").write_text("{ not json")
    due, kept = survey(out, LATER)
    assert due == []
    assert {(k.folder, k.why.split(" (")[0].split(",")[0]) for k in kept} == {
        (unchecked, "no retention date"), (broken, "conversation.json cannot be read")}


def test_the_command(tmp_path):
    folder = results_folder(tmp_path / "out", "m", write_consent(tmp_path, "m.flac"))
    write_consent(tmp_path, "m.flac", keep_days=-1)  # the retention date is moved earlier
    runner = CliRunner()
    dry = runner.invoke(main, ["purge", str(tmp_path / "out"), "--dry-run"])
    assert dry.exit_code == 0, dry.output
    assert f"would delete {folder} (retention ended" in dry.output and folder.exists()
    done = runner.invoke(main, ["purge", str(tmp_path / "out")])
    assert "1 results folder deleted" in done.output and not folder.exists()
    missing = runner.invoke(main, ["purge", str(tmp_path / "nowhere")])
    assert missing.exit_code == 1 and "is not a folder" in missing.output


def test_a_refusal_or_a_person_gone_from_the_manifest_is_a_withdrawal(tmp_path):
    people = (("anna", "person"), ("ben", "family"))
    manifest = write_consent(tmp_path, "m.flac", people=people)
    folder = results_folder(tmp_path / "out", "m", manifest)
    write_consent(tmp_path, "m.flac", people=people[:1])  # ben is no longer listed
    assert [d.reason for d in survey(tmp_path / "out")[0]] == [
        "no longer consented to by ben"]
    manifest.write_text(manifest.read_text().replace("analysis = ", "analysis = false\n#"))
    assert [d.kind for d in survey(tmp_path / "out")[0]] == ["withdrawn"]
    assert folder.exists()


def test_a_manifest_rewritten_for_another_meeting_is_not_trusted(tmp_path):
    manifest = write_consent(tmp_path, "m.flac", keep_days=10)
    folder = results_folder(tmp_path / "out", "m", manifest)
    manifest.write_text(manifest.read_text().replace('"test-meeting"', '"next-meeting"')
                        .replace("retain_until = ", "retain_until = 2099-01-01\n#"))
    due, kept = survey(tmp_path / "out", dt.date.today() + dt.timedelta(days=30))
    assert [(d.folder, d.kind) for d in due] == [(folder, "retention")]
    due, kept = survey(tmp_path / "out")
    assert due == [] and "now for another meeting" in kept[0].why


def test_withdrawn_sharing_deletes_the_shared_page_only(tmp_path):
    from polyphony.report.outputs import REDACTED_FILES, REDACTED_NAME
    from polyphony.report.rebuild import report_results

    manifest = write_consent(tmp_path, "m.flac")
    folder = results_folder(tmp_path / "out", "m", manifest)
    report_results(folder, redact=True)
    head, _, given = manifest.read_text().rstrip().rpartition("\nsharing = ")
    manifest.write_text(f"{head}\nsharing = {{ given = {given}, withdrawn = "
                        f"{dt.date.today()} }}\n")
    due, _ = survey(tmp_path / "out")
    assert [(d.kind, d.files) for d in due] == [("sharing withdrawn", REDACTED_FILES)]
    purge(tmp_path / "out", due)
    assert not (folder / REDACTED_NAME).exists() and (folder / "report.html").exists()
    assert survey(tmp_path / "out")[0] == []  # nothing left to do, nothing logged twice


def test_what_an_interrupted_run_left_is_purged(tmp_path):
    manifest = write_consent(tmp_path, "m.flac")
    folder = results_folder(tmp_path / "out", "m", manifest)
    staging = tmp_path / "out" / ".m.4242424.partial"
    staging.mkdir()
    (staging / "conversation.json").write_text("{}")
    (folder / ".report.html.abc.tmp").write_text("half a page")
    due, _ = survey(tmp_path / "out", LATER)
    assert sorted(d.kind for d in due) == ["leftover", "retention"]
    purge(tmp_path / "out", due, LATER)
    assert not staging.exists() and not folder.exists()


def test_a_folder_that_cannot_be_deleted_is_one_clear_error(tmp_path):
    folder = results_folder(tmp_path / "out", "m", write_consent(tmp_path, "m.flac"))
    (folder / "report.html").unlink()
    (folder / "report.html").mkdir()  # something in the way that unlink cannot remove
    due, _ = survey(tmp_path / "out", LATER)
    with pytest.raises(InputError, match="could not be deleted") as caught:
        purge(tmp_path / "out", due, LATER)
    assert str(folder) in str(caught.value)
    assert (folder / "conversation.json").exists()  # still found by the next purge


def test_a_purged_batch_recording_is_marked_purged_in_its_catalogue(tmp_path):
    from polyphony.batch import catalogue

    out = tmp_path / "batch"
    old = results_folder(out, "old", write_consent(tmp_path, "old.flac"))
    with catalogue.Catalogue.open(out) as batch:
        batch.pending("old", "/in/old.flac", "0" * 64, "key", {}, None, None, None)
        batch.done("old", str(old), {}, {})
    purge(out, survey(out, LATER)[0], LATER)
    [entry] = catalogue.read(out)
    assert (entry.status, entry.error, entry.folder) == ("purged", "purged: retention", None)
    assert (entry.name, entry.path) == ("purged-" + "0" * 64, "")  # names no one


def test_purge_waits_for_no_batch_and_deletes_nothing_while_one_runs(tmp_path):
    from polyphony.batch import catalogue

    out = tmp_path / "batch"
    old = results_folder(out, "old", write_consent(tmp_path, "old.flac"))
    with catalogue.Catalogue.open(out), pytest.raises(InputError, match="in use"):
        purge(out, survey(out, LATER)[0], LATER)
    assert (old / "conversation.json").is_file()
