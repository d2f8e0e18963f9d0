"""Every AMI train/dev RTTM (both flavours) and every VoxConverse dev RTTM parses, and its
timing metrics satisfy the identities that the definitions imply."""

from __future__ import annotations

import pytest

from polyphony.formats import read
from tests.metrics.invariants import assert_timing_invariants
from validation.conftest import SHARED_DATA

RTTMS = sorted((SHARED_DATA / "ami").glob("*/rttms/*/*.rttm")) + sorted(
    (SHARED_DATA / "voxconverse" / "dev").glob("*.rttm"))


def test_the_reference_data_is_there():
    assert len(RTTMS) == 2 * 154 + 216


@pytest.mark.parametrize("path", RTTMS, ids=lambda p: f"{p.parent.parent.parent.name}/{p.stem}")
def test_invariants(path):
    m = assert_timing_invariants(read(path))
    # no text in an RTTM: text fields are null, not zero
    assert m["totals"]["words"] is None and m["turn_taking"]["interruptions"] is None
    assert all(p["words"] is None and p["responsiveness"] is None
               for p in m["participants"].values())
