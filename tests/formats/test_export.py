"""Correction by hand: `polyphony export` to ELAN or Praat, a person's edit there, and the
file read back, still linked to its recording and marked `corrected`."""

from __future__ import annotations

import dataclasses
import json
import xml.etree.ElementTree as ET

import pytest
from click.testing import CliRunner

from polyphony.cli import main
from polyphony.formats import conversation_json, read
from polyphony.roster import apply, load
from tests.conftest import EXAMPLE

SHA = "ab" * 32


@pytest.fixture
def results(tmp_path):
    """A results folder holding the example meeting's reference transcript, as if it were
    an automatic run's, with its roster applied."""
    conv = apply(read(EXAMPLE / "reference.stm"), load(EXAMPLE / "roster.toml"))
    conv = dataclasses.replace(conv, provenance=dataclasses.replace(
        conv.provenance, source="automatic", recording="network-meeting.flac",
        recording_sha256=SHA))
    folder = tmp_path / "network-meeting"
    folder.mkdir()
    conversation_json.write(conv, folder / "conversation.json")
    return folder, conv


def test_the_elan_round_trip_keeps_the_recording_and_a_persons_edits(results, tmp_path):
    folder, original = results
    done = CliRunner().invoke(main, ["export", str(folder)])
    assert done.exit_code == 0, done.output
    exported = folder.parent / "network-meeting.eaf"  # outside the results folder
    tree = ET.parse(exported)
    tiers = {t.get("TIER_ID"): t for t in tree.getroot().iter("TIER")}
    assert set(tiers) == {"mira (person)", "tom (family)", "dr_lee (clinician)",
                          "sam (peer_practitioner)"}
    assert tiers["mira (person)"].get("PARTICIPANT") == "mira"
    assert tree.getroot().find("HEADER/MEDIA_DESCRIPTOR").get(
        "RELATIVE_MEDIA_URL") == "network-meeting.flac"

    # The edit: Tom's first turn was Mira's, and a word of Sam's was misheard.
    moved = tiers["tom (family)"].find("ANNOTATION")
    tiers["tom (family)"].remove(moved)
    tiers["mira (person)"].append(moved)
    moved_text = moved.findtext(".//ANNOTATION_VALUE")
    value = tiers["sam (peer_practitioner)"].find(".//ANNOTATION_VALUE")
    value.text = value.text + " corrected"
    edited = tmp_path / "edited.eaf"
    tree.write(edited, encoding="utf-8", xml_declaration=True)

    back = read(edited)
    prov = back.provenance
    assert (prov.source, prov.recording, prov.recording_sha256) == (
        "corrected", "network-meeting.flac", SHA)
    assert {p.id: p.role for p in back.participants} == {
        p.id: p.role for p in original.participants}
    assert [u.speaker for u in back.utterances if u.text == moved_text] == ["mira"]
    assert any(u.speaker == "sam" and u.text.endswith(" corrected") for u in back.utterances)
    assert len(back.utterances) == len(original.utterances)


def test_the_praat_round_trip_keeps_the_recording_and_a_fixed_word(results, tmp_path):
    folder, original = results
    out = tmp_path / "meeting.TextGrid"
    done = CliRunner().invoke(main, ["export", str(folder), "--format", "textgrid", "-o",
                                     str(out)])
    assert done.exit_code == 0, done.output
    first = original.utterances[0].text.split()[0]
    out.write_text(out.read_text().replace(f'"{first} ', '"Fixed ', 1))
    back = read(out)
    assert back.provenance.source == "corrected"
    assert back.provenance.recording_sha256 == SHA
    assert back.utterances[0].text.startswith("Fixed ")
    assert "polyphony" not in back.speakers  # the link tier is not a talker


def test_a_tier_deleted_in_elan_does_not_come_back(results, tmp_path):
    folder, _ = results
    CliRunner().invoke(main, ["export", str(folder)])
    tree = ET.parse(folder.parent / "network-meeting.eaf")
    root = tree.getroot()
    root.remove(next(t for t in root.iter("TIER") if t.get("PARTICIPANT") == "sam"))
    tree.write(tmp_path / "edited.eaf", encoding="utf-8", xml_declaration=True)
    back = read(tmp_path / "edited.eaf")
    assert back.speakers == ["mira", "tom", "dr_lee"]  # the export's order, Sam gone


def test_a_file_made_elsewhere_stays_imported(tmp_path):
    conv = read(EXAMPLE / "reference.stm")  # no recording sha256: no link written
    from polyphony.formats import write

    path = write(conv, tmp_path / "plain.eaf", "eaf")
    assert read(path).provenance.source == "imported"
    assert 'PROPERTY NAME="polyphony"' not in path.read_text()


@pytest.mark.models
def test_metrics_of_the_corrected_file_say_corrected(results, tmp_path):
    folder, _ = results
    CliRunner().invoke(main, ["export", str(folder)])
    result = CliRunner().invoke(main, ["metrics", str(folder.parent / "network-meeting.eaf"),
                                       "--roster", str(EXAMPLE / "roster.toml"), "-o", "-"])
    assert result.exit_code == 0, result.output
    metrics = json.loads(result.stdout)
    assert metrics["source"] == "corrected"
    assert metrics["provenance"]["recording_sha256"] == SHA
    assert metrics["participants"]["mira"]["role"] == "person"
