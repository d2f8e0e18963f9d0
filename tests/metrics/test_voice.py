import math

import pytest

from polyphony.conversation import Participant, Utterance
from polyphony.metrics.voice import balance, voice_metrics, word_count
from tests.helpers import conv


def test_shares_count_a_speakers_own_overlap_once_and_include_silent_members():
    roster = [Participant("a", "person"), Participant("b", "clinician"),
              Participant("c", "family")]
    c = conv([("a", 0, 4, "one two three"), ("a", 2, 6, "four"), ("b", 5, 8, "five six")],
             roster, region=(0, 10))
    v = voice_metrics(c)
    assert v["speaking_time"] == {"a": 6.0, "b": 3.0, "c": 0.0}
    assert v["share_time"]["a"] == pytest.approx(6 / 9)
    assert v["share_time"]["c"] == 0.0
    assert v["totals"]["speech_time"] == pytest.approx(8.0)
    assert v["totals"]["overlap_time"] == pytest.approx(1.0)
    assert v["totals"]["silence_time"] == pytest.approx(2.0)
    assert v["words"] == {"a": 4, "b": 2, "c": 0}
    assert v["roles"]["professional_share"] == pytest.approx(3 / 9)
    assert v["roles"]["share_time"]["family"] == 0.0
    assert v["longest_absence"]["c"] == 10.0
    assert v["longest_absence"]["b"] == 5.0


def test_balance_indices_by_hand():
    # shares 0.5, 0.25, 0.25
    b = balance([2.0, 1.0, 1.0])
    assert b["gini"] == pytest.approx((2 * (1 + 1 + 0)) / (2 * 3 * 4))
    entropy = -(0.5 * math.log(0.5) + 2 * 0.25 * math.log(0.25))
    assert b["evenness"] == pytest.approx(entropy / math.log(3))
    assert b["effective_voices"] == pytest.approx(math.exp(entropy))
    assert b["dominance"] == 0.5


def test_balance_extremes():
    equal = balance([1.0, 1.0, 1.0, 1.0])
    assert equal["gini"] == pytest.approx(0.0)
    assert equal["evenness"] == pytest.approx(1.0)
    assert equal["effective_voices"] == pytest.approx(4.0)
    one = balance([5.0, 0.0, 0.0, 0.0])
    assert one["gini"] == pytest.approx(3 / 4)
    assert one["evenness"] == pytest.approx(0.0)
    assert one["effective_voices"] == pytest.approx(1.0)


def test_nobody_speaking_gives_nulls_not_zeros():
    c = conv([], [Participant("a"), Participant("b")], region=(0, 10))
    v = voice_metrics(c)
    assert v["share_time"] == {"a": None, "b": None}
    assert v["balance"]["time"]["gini"] is None
    assert v["roles"]["professional_share"] is None


def test_one_speaker_has_no_evenness():
    v = voice_metrics(conv([("a", 0, 1, "hi")]))
    assert v["balance"]["time"]["evenness"] is None
    assert v["balance"]["time"]["effective_voices"] == pytest.approx(1.0)


def test_full_overlap_counts_every_overlapped_second():
    v = voice_metrics(conv([("a", 0, 4), ("b", 0, 4)], has_text=False))
    assert v["totals"]["overlap_time"] == pytest.approx(4.0)
    assert v["totals"]["speech_time"] == pytest.approx(4.0)
    assert v["words"] is None


def test_word_count_uses_tokens_with_a_letter_or_digit():
    assert word_count(Utterance("a", 0, 1, "well -- I mean, 42 ... ok")) == 5
