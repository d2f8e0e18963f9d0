import numpy as np
import pytest

from polyphony.metrics import intervals


def test_union_merges_overlapping_and_touching_intervals():
    s, e = intervals.union(np.array([3.0, 0.0, 1.0, 5.0]), np.array([4.0, 1.0, 2.0, 6.0]))
    assert s.tolist() == [0.0, 3.0, 5.0]
    assert e.tolist() == [2.0, 4.0, 6.0]


def test_covered_by_at_least_two():
    a = intervals.union(np.array([0.0]), np.array([4.0]))
    b = intervals.union(np.array([3.0, 10.0]), np.array([5.0, 11.0]))
    c = intervals.union(np.array([3.5]), np.array([3.75]))
    assert intervals.covered_by_at_least([a, b, c], 2) == pytest.approx(1.0)
    assert intervals.covered_by_at_least([a, b, c], 3) == pytest.approx(0.25)


def test_clip_drops_what_falls_outside():
    s, e = intervals.clip(np.array([-2.0, 1.0, 9.0]), np.array([-1.0, 5.0, 12.0]), 0.0, 10.0)
    assert s.tolist() == [1.0, 9.0]
    assert e.tolist() == [5.0, 10.0]
