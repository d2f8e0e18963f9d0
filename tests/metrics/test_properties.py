"""Properties of the timing metrics on random valid conversations (hypothesis): the
identities of `invariants.assert_timing_invariants`, and relabelling the speakers only
renames the results."""

from __future__ import annotations

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from tests.helpers import conv
from tests.metrics.invariants import assert_timing_invariants

SPEAKERS = ["a", "b", "c", "d", "e"]


@st.composite
def conversations(draw):
    """1 to 5 speakers, up to 40 utterances anywhere in ten minutes, overlaps allowed, and
    the region either the default or a wider one."""
    n = draw(st.integers(1, 5))
    rows = []
    for _ in range(draw(st.integers(1, 40))):
        start = draw(st.floats(0, 600, allow_nan=False))
        duration = draw(st.floats(0.05, 30, allow_nan=False))
        rows.append((draw(st.sampled_from(SPEAKERS[:n])), round(start, 3),
                     round(start + duration, 3)))
    last = max(end for _, _, end in rows)
    region = draw(st.sampled_from([None, (0.0, last + 60.0)]))
    return conv(rows, region=region, has_text=False)


PROPERTIES = settings(max_examples=300, deadline=None, derandomize=True)


@PROPERTIES
@given(conversations())
def test_timing_identities_hold_on_any_conversation(c):
    m = assert_timing_invariants(c)
    for p in m["participants"].values():
        assert 0 <= p["share_time"] <= 1
        assert p["speaking_time"] >= 0 and p["turns"] >= 0


@PROPERTIES
@given(conversations(), st.permutations(["v", "w", "x", "y", "z"]))
# Found by hypothesis: two speakers with the same start and end, which a sort by speaker
# name put in another order after renaming, and so made other turns.
@example(conv([("a", 0, 1), ("b", 0, 1), ("a", 0, 2)], has_text=False),
         ["w", "v", "x", "y", "z"])
def test_relabelling_speakers_only_renames_the_results(c, names):
    mapping = dict(zip(c.speakers, names, strict=False))
    before = assert_timing_invariants(c)
    after = assert_timing_invariants(c.relabel(mapping))
    for old, new in mapping.items():
        p, q = before["participants"][old], after["participants"][new]
        for key in ("speaking_time", "share_time", "turns", "longest_turn"):
            assert q[key] == pytest.approx(p[key]), key
    for key in ("speech_time", "silence_time", "overlap_time", "turns"):
        assert after["totals"][key] == pytest.approx(before["totals"][key]), key
    for key in ("gini", "effective_voices", "evenness"):
        assert after["balance"]["time"][key] == pytest.approx(
            before["balance"]["time"][key], nan_ok=True), key
