"""`polyphony report`: a results folder's page again, and the shared page only with
everyone's sharing consent, read again at the time of sharing."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from click.testing import CliRunner

from polyphony.cli import main
from polyphony.errors import ConsentError, InputError
from polyphony.report.outputs import REDACTED_NAME
from polyphony.report.rebuild import report_results
from tests.conftest import write_consent
from tests.helpers import results_folder

PEOPLE = (("mira", "person"), ("tom", "family"))


def test_the_page_is_written_again_from_the_folder(tmp_path):
    folder = results_folder(tmp_path, "meeting")
    (folder / "report.html").unlink()
    path = report_results(folder)
    assert path == folder / "report.html"
    assert "Network meeting: meeting" in path.read_text()


def test_the_shared_page_needs_sharing_from_everyone_listed(tmp_path):
    manifest = write_consent(tmp_path, "meeting.flac", people=PEOPLE)
    folder = results_folder(tmp_path / "out", "meeting", manifest)
    page = report_results(folder, redact=True)
    assert page.name == REDACTED_NAME
    text = page.read_text()
    assert "meeting" not in text.lower().replace("network meeting", "")
    assert "Consent for analysis and sharing checked" in text and str(tmp_path) not in text
    for speaker in ("mira", "tom", "dr_lee", "sam"):  # the RTTM's labels
        assert not re.search(rf"\b{speaker}\b", text, re.IGNORECASE), speaker

    # Tom withdraws his sharing consent today, after the analysis: the manifest is read
    # again, and the withdrawal holds from its date on.
    head, _, given = manifest.read_text().rstrip().rpartition("\nsharing = ")
    manifest.write_text(f"{head}\nsharing = {{ given = {given}, withdrawn = "
                        f"{dt.date.today().isoformat()} }}\n")
    with pytest.raises(ConsentError, match=r"sharing is not granted .* by: tom \(withdrawn "
                                           r"on "):
        report_results(folder, redact=True)


def test_the_shared_page_is_refused_without_sharing_consent(tmp_path):
    manifest = write_consent(tmp_path, "meeting.flac", people=PEOPLE,
                             purposes=("recording", "analysis"))
    folder = results_folder(tmp_path / "out", "meeting", manifest)
    with pytest.raises(ConsentError, match=r"by: mira \(not recorded\), tom \(not recorded\)"):
        report_results(folder, redact=True)
    assert not (folder / REDACTED_NAME).exists()


def test_a_gone_manifest_must_be_given(tmp_path):
    manifest = write_consent(tmp_path, "meeting.flac", people=PEOPLE)
    folder = results_folder(tmp_path / "out", "meeting", manifest)
    moved = manifest.rename(tmp_path / "kept-elsewhere.toml")
    with pytest.raises(ConsentError, match="is gone"):
        report_results(folder, redact=True)
    assert report_results(folder, redact=True, consent_file=moved).is_file()


def test_sharing_after_the_retention_date_is_refused(tmp_path):
    manifest = write_consent(tmp_path, "meeting.flac", people=PEOPLE)
    folder = results_folder(tmp_path / "out", "meeting", manifest)
    with pytest.raises(ConsentError, match="past its retention date"):
        report_results(folder, redact=True, on=dt.date.today() + dt.timedelta(days=400))


def test_without_a_check_the_page_says_so_loudly(tmp_path):
    folder = results_folder(tmp_path, "meeting")
    result = CliRunner().invoke(main, ["report", str(folder), "--redact",
                                       "--no-consent-check"])
    assert result.exit_code == 0, result.output
    assert "WARNING" in result.output and "NOT checked" in result.output
    assert "Consent was NOT checked" in (folder / REDACTED_NAME).read_text()


def test_not_a_results_folder(tmp_path):
    with pytest.raises(InputError, match="not a polyphony results folder"):
        report_results(tmp_path)
    result = CliRunner().invoke(main, ["report", str(tmp_path)])
    assert result.exit_code == 1 and "Traceback" not in result.output


def test_a_manifest_rewritten_for_another_meeting_is_refused(tmp_path):
    manifest = write_consent(tmp_path, "meeting.flac", people=PEOPLE)
    folder = results_folder(tmp_path / "out", "meeting", manifest)
    manifest.write_text(manifest.read_text().replace('"test-meeting"', '"next-meeting"'))
    with pytest.raises(ConsentError, match="is for meeting 'next-meeting'"):
        report_results(folder, redact=True)


def test_a_withdrawn_analysis_also_stops_sharing(tmp_path):
    manifest = write_consent(tmp_path, "meeting.flac", people=PEOPLE)
    folder = results_folder(tmp_path / "out", "meeting", manifest)
    manifest.write_text(manifest.read_text().replace("\nanalysis = ", "\nanalysis = false\n#",
                                                     1))
    with pytest.raises(ConsentError, match=r"analysis is not granted .* mira \(refused\)"):
        report_results(folder, redact=True)


def test_markdown_and_pdf_and_a_conversation_json_as_input(tmp_path):
    from polyphony.report.pdf import chromium

    folder = results_folder(tmp_path, "meeting")
    md = report_results(folder / "conversation.json", fmt="md")
    assert md == folder / "report.md"
    text = md.read_text()
    assert text.startswith("# Network meeting: meeting") and "| participant |" in text
    assert chromium(), "Chromium is missing: `apt-get install chromium` (make test does this)"
    printed = report_results(folder, fmt="pdf", output=tmp_path / "r.pdf")
    assert printed.read_bytes().startswith(b"%PDF") and printed.stat().st_size > 10_000
    with pytest.raises(Exception, match="unknown report format"):
        report_results(folder, fmt="docx")
