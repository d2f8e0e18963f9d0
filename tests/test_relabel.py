"""`polyphony relabel`: naming, merging and leaving out voices from conversation.json
alone. The results here hold the example meeting's reference diarization under automatic
names (S1 ... S4, "Speaker N"), so the right answer is known."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from polyphony.cli import main
from polyphony.errors import InputError
from polyphony.formats import read
from polyphony.metrics import compute_metrics
from polyphony.relabel import correct, relabel_results
from polyphony.roster import apply, load
from tests.conftest import EXAMPLE
from tests.helpers import EXAMPLE_ORDER, results_folder

ROLES = {"dr_lee": "clinician", "tom": "family", "mira": "person", "sam": "peer_practitioner"}


def rounded(value):
    """`value` with floats to 9 places (summing in another order moves the last bit)."""
    if isinstance(value, dict):
        return {k: rounded(v) for k, v in value.items()}
    if isinstance(value, list):
        return [rounded(v) for v in value]
    return round(value, 9) if isinstance(value, float) else value


def roster(tmp_path, mapping: dict[str, object], extra: str = ""):
    rows = "".join(f'[[participant]]\nid = "{pid}"\nrole = "{ROLES[pid]}"\n'
                   + (f"speaker = {json.dumps(mapping[pid])}\n" if pid in mapping else "")
                   + "\n" for pid in ROLES)
    path = tmp_path / "roster.toml"
    path.write_text(rows + extra)
    return load(path)


def test_naming_the_voices_gives_the_metrics_of_the_named_meeting(tmp_path):
    folder = results_folder(tmp_path, "meeting", anonymous=True)
    names = {pid: f"S{i}" for i, pid in enumerate(EXAMPLE_ORDER, 1)}
    named = roster(tmp_path, names)
    done = relabel_results(folder, named)
    truth = apply(read(EXAMPLE / "reference.rttm"), named)
    expected = compute_metrics(truth)
    for key in ("participants", "roles", "balance", "turn_taking", "totals"):
        assert rounded(done.metrics[key]) == rounded(expected[key]), key
    prov = done.conversation.provenance
    assert prov.source == "corrected" and prov.derived_from["source"] == "automatic"
    assert "S1 → dr_lee" in prov.corrections
    assert "automatic" in [f["code"] for f in done.metrics["flags"]]
    saved = read(folder / "conversation.json")
    assert saved.speakers == list(ROLES) and saved.provenance.corrections == prov.corrections
    assert "Dr" not in (folder / "transcript.vtt").read_text()  # no labels in this roster
    assert {line.split()[7] for line in (folder / "diarization.rttm").read_text()
            .splitlines()} == set(ROLES)


def test_two_voices_merge_into_one_person(tmp_path):
    folder = results_folder(tmp_path, "meeting", anonymous=True)
    before = compute_metrics(read(folder / "conversation.json"))["participants"]
    done = relabel_results(folder, roster(tmp_path, {"dr_lee": ["S1", "S4"], "tom": "S2",
                                                     "mira": "S3"}))
    after = done.metrics["participants"]
    assert list(after) == list(ROLES)  # sam, unmapped, is a silent roster member
    assert after["sam"]["speaking_time"] == 0
    merged = after["dr_lee"]["speaking_time"]
    assert merged == pytest.approx(before["S1"]["speaking_time"]
                                   + before["S4"]["speaking_time"], abs=1.0)
    assert merged >= max(before["S1"]["speaking_time"], before["S4"]["speaking_time"])
    assert "S1 + S4 → dr_lee" in done.conversation.provenance.corrections


def test_a_voice_that_is_not_a_participant_leaves_the_shares(tmp_path):
    folder = results_folder(tmp_path, "meeting", anonymous=True)
    names = {pid: f"S{i}" for i, pid in enumerate(EXAMPLE_ORDER[:3], 1)}
    done = relabel_results(folder, roster(tmp_path, names, '[[not_participant]]\n'
                                                          'speaker = "S4"\n'
                                                          'reason = "television"\n'))
    participants = done.metrics["participants"]
    assert "S4" not in participants
    assert sum(p["share_time"] for p in participants.values()) == pytest.approx(1.0)
    [change] = [c for c in done.conversation.provenance.corrections if "S4" in c]
    assert change.startswith("S4 left out (television):")


def test_mistakes_are_named(tmp_path):
    folder = results_folder(tmp_path, "meeting", anonymous=True)
    with pytest.raises(InputError, match="names speaker 'S9', who is not in this"):
        correct(read(folder / "conversation.json"),
                roster(tmp_path, {}, '[[not_participant]]\nspeaker = "S9"\n'))
    with pytest.raises(InputError, match="names speaker 'S8', who is not in this"):
        correct(read(folder / "conversation.json"), roster(tmp_path, {"tom": "S8"}))
    with pytest.raises(InputError, match="already mapped"):
        roster(tmp_path, {"tom": "S2"}, '[[not_participant]]\nspeaker = "S2"\n')
    with pytest.raises(InputError, match="not a polyphony results folder"):
        relabel_results(tmp_path / "nowhere", roster(tmp_path, {}))


def test_the_command_prints_what_it_changed(tmp_path):
    folder = results_folder(tmp_path, "meeting", anonymous=True)
    roster(tmp_path, {"dr_lee": "S1"})
    result = CliRunner().invoke(main, ["relabel", str(folder), "--roster",
                                       str(tmp_path / "roster.toml")])
    assert result.exit_code == 0, result.output
    assert "corrected: S1 → dr_lee" in result.output


def test_relabelling_twice_with_the_same_roster_changes_nothing(tmp_path):
    folder = results_folder(tmp_path, "meeting", anonymous=True)
    names = {pid: f"S{i}" for i, pid in enumerate(EXAMPLE_ORDER[:3], 1)}
    again = roster(tmp_path, names, '[[not_participant]]\nspeaker = "S4"\n')
    first = relabel_results(folder, again)
    second = relabel_results(folder, again)
    assert second.metrics["participants"] == first.metrics["participants"]
    assert second.conversation.provenance.corrections == \
        first.conversation.provenance.corrections


def test_the_diarization_is_relabelled_not_rebuilt(tmp_path):
    folder = results_folder(tmp_path, "meeting", anonymous=True)
    before = (folder / "diarization.rttm").read_text().splitlines()
    names = {pid: f"S{i}" for i, pid in enumerate(EXAMPLE_ORDER, 1)}
    relabel_results(folder, roster(tmp_path, names))
    after = (folder / "diarization.rttm").read_text().splitlines()
    assert len(after) == len(before)
    assert [line.split()[3:5] for line in after] == [line.split()[3:5] for line in before]
    assert {line.split()[7] for line in after} == set(ROLES)


def test_a_shared_report_stays_shared_after_relabelling(tmp_path):
    from polyphony.report.outputs import write_all

    folder = results_folder(tmp_path, "meeting", anonymous=True)
    conv = read(folder / "conversation.json")
    write_all(folder, "meeting", conv, conv, compute_metrics(conv), deidentify=True)
    names = {pid: f"S{i}" for i, pid in enumerate(EXAMPLE_ORDER, 1)}
    relabel_results(folder, roster(tmp_path, names))
    page = (folder / "report.html").read_text()
    assert "polyphony-deidentified" in page and "dr_lee" not in page
    assert "Clinician" in page


def test_analyze_and_metrics_leave_out_a_voice_that_is_not_a_participant(tmp_path):
    conv = read(folder := results_folder(tmp_path, "m", anonymous=True) / "conversation.json")
    path = tmp_path / "r.toml"
    path.write_text('[[participant]]\nid = "a"\n\n[[not_participant]]\nspeaker = "S4"\n')
    assert "S4" not in apply(conv, load(path)).speakers
    assert folder.is_file()
