"""From voices to people on the example meeting, with the real models: enrolment names
every voice from one span each, and `relabel` of an automatic run equals a fresh analysis
with the same mapping."""

from __future__ import annotations

import json
import shutil
from collections import defaultdict

import pytest

from polyphony.analyze import analyze_recording
from polyphony.audio import enrol
from polyphony.formats import read
from polyphony.relabel import relabel_results
from polyphony.roster import load
from tests.conftest import EXAMPLE

pytestmark = pytest.mark.models

ROLES = {p.id: p.role for p in load(EXAMPLE / "roster.toml").participants}


def roster_file(tmp_path, extra: dict[str, str]) -> object:
    """The example's roster with one more key per person (`voice` or `speaker`)."""
    rows = "".join(f'[[participant]]\nid = "{pid}"\nrole = "{role}"\n{extra.get(pid, "")}\n'
                   for pid, role in ROLES.items())
    path = tmp_path / "roster.toml"
    path.write_text(rows)
    return load(path)


def first_spans() -> dict[str, tuple[float, float]]:
    """Each person's first reference utterance of at least 2 s."""
    spans: dict[str, tuple[float, float]] = {}
    for u in read(EXAMPLE / "reference.rttm").utterances:
        if u.end - u.start >= enrol.MIN_SAMPLE:
            spans.setdefault(u.speaker, (u.start, u.end))
    return spans


def who_is_who(conv) -> dict[str, str]:
    """Each speaker of `conv` as the reference speaker it overlaps most."""
    reference = read(EXAMPLE / "reference.rttm").utterances
    overlap: dict[str, dict[str, float]] = defaultdict(lambda: defaultdict(float))
    for u in conv.utterances:
        for r in reference:
            overlap[u.speaker][r.speaker] += max(0.0, min(u.end, r.end) - max(u.start, r.start))
    return {s: max(o, key=o.get) for s, o in overlap.items()}


def test_one_span_each_names_every_voice(tmp_path):
    spans = first_spans()
    roster = roster_file(tmp_path, {pid: f'voice = "{a:.2f}-{b:.2f}"\n'
                                    for pid, (a, b) in spans.items()})
    result = analyze_recording(EXAMPLE / "network-meeting.flac", tmp_path / "out",
                               roster=roster)
    conv = result.analysis.conversation
    assert conv.speakers == list(ROLES)
    assert who_is_who(conv) == {pid: pid for pid in ROLES}
    matches = conv.provenance.enrolment["matches"]
    assert all(m["named"] and m["similarity"] >= enrol.THRESHOLD for m in matches)
    roles = result.metrics["roles"]
    assert roles["share_time"]["person"] > 0 and roles["professional_share"] > 0
    assert not [f for f in result.metrics["flags"] if f["code"] == "uncertain_identity"]


def test_relabel_of_an_automatic_run_equals_a_fresh_analysis(example_result, tmp_path):
    automatic = example_result.analysis.conversation
    mapping = who_is_who(automatic)  # S1 -> dr_lee, ...: what a listener would write
    assert sorted(mapping.values()) == sorted(ROLES)
    named = roster_file(tmp_path, {pid: f'speaker = "{sid}"\n'
                                   for sid, pid in mapping.items()})
    folder = tmp_path / "relabelled" / "network-meeting"
    shutil.copytree(example_result.folder, folder)
    relabelled = relabel_results(folder, named)
    fresh = analyze_recording(EXAMPLE / "network-meeting.flac", tmp_path / "fresh",
                              roster=named)
    ours = json.loads((folder / "metrics.json").read_text())
    theirs = json.loads(fresh.files["metrics.json"].read_text())
    for document in (ours, theirs):
        for key in ("provenance", "source", "timings"):
            document.pop(key)
    assert json.dumps(ours, sort_keys=True) == json.dumps(theirs, sort_keys=True)
    assert relabelled.conversation.provenance.source == "corrected"
