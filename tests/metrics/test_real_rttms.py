"""Every AMI train/dev RTTM (both flavours) and every VoxConverse dev RTTM parses, and its
timing metrics satisfy the identities that the definitions imply."""

from __future__ import annotations

import pytest

from polyphony.formats import read
from polyphony.metrics import compute_metrics, intervals
from polyphony.metrics.voice import speech_intervals
from tests.conftest import SHARED_DATA

RTTMS = sorted((SHARED_DATA / "ami").glob("*/rttms/*/*.rttm")) + sorted(
    (SHARED_DATA / "voxconverse" / "dev").glob("*.rttm"))


def test_the_reference_data_is_there():
    assert len(RTTMS) == 2 * 154 + 216


@pytest.mark.parametrize("path", RTTMS, ids=lambda p: f"{p.parent.parent.parent.name}/{p.stem}")
def test_invariants(path):
    conv = read(path)
    m = compute_metrics(conv)
    people = m["participants"].values()
    totals = m["totals"]
    t0, t1 = m["region"]
    assert sum(p["share_time"] for p in people) == pytest.approx(1.0)
    assert totals["speech_time"] + totals["silence_time"] == pytest.approx(t1 - t0)
    transitions = sum(sum(row.values()) for row in m["turn_taking"]["transitions"].values())
    assert totals["turns"] == transitions + 1
    # the speakers' times add up to speech time weighted by how many speak at once
    speech = list(speech_intervals(conv).values())
    weighted = sum(intervals.covered_by_at_least(speech, k) for k in range(1, len(speech) + 1))
    assert sum(p["speaking_time"] for p in people) == pytest.approx(weighted)
    assert intervals.covered_by_at_least(speech, 1) == pytest.approx(totals["speech_time"])
    assert 0 <= totals["overlap_time"] <= totals["speech_time"]
    # no text in an RTTM: text fields are null, not zero
    assert totals["words"] is None and m["turn_taking"]["interruptions"] is None
    assert all(p["words"] is None and p["responsiveness"] is None for p in people)
    b = m["balance"]["time"]
    n = len(m["participants"])
    assert 0 <= b["gini"] <= (n - 1) / n + 1e-9
    assert 1 - 1e-9 <= b["effective_voices"] <= n + 1e-9
