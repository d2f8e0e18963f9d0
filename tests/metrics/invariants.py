"""The identities that the metric definitions imply, checked on any conversation: shared by
the tests over the vendored real files and by `make validate` over the whole data sets."""

from __future__ import annotations

from dataclasses import replace

import pytest

from polyphony.conversation import Conversation
from polyphony.metrics import compute_metrics, intervals
from polyphony.metrics.voice import speech_intervals


def assert_timing_invariants(conv: Conversation) -> dict:
    """Shares sum to one, speech plus silence is the region, turns are transitions plus one,
    speakers' times add up to speech weighted by how many speak at once, and the balance
    indices lie in their ranges. Returns the metrics for further checks.

    Only timing is checked, so the text is set aside: no language model is loaded."""
    m = compute_metrics(replace(conv, provenance=replace(conv.provenance, has_text=False)))
    people = m["participants"].values()
    totals = m["totals"]
    t0, t1 = m["region"]
    if totals["speech_time"] > 0:
        assert sum(p["share_time"] for p in people) == pytest.approx(1.0)
    assert totals["speech_time"] + totals["silence_time"] == pytest.approx(t1 - t0)
    transitions = sum(sum(row.values()) for row in m["turn_taking"]["transitions"].values())
    assert totals["turns"] == (transitions + 1 if conv.utterances else 0)
    speech = list(speech_intervals(conv).values())
    weighted = sum(intervals.covered_by_at_least(speech, k) for k in range(1, len(speech) + 1))
    assert sum(p["speaking_time"] for p in people) == pytest.approx(weighted)
    assert intervals.covered_by_at_least(speech, 1) == pytest.approx(totals["speech_time"])
    assert 0 <= totals["overlap_time"] <= totals["speech_time"]
    b = m["balance"]["time"]
    n = len(m["participants"])
    if totals["speech_time"] > 0:
        assert 0 <= b["gini"] <= (n - 1) / n + 1e-9
        assert 1 - 1e-9 <= b["effective_voices"] <= n + 1e-9
    return m
