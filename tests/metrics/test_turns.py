import pytest

from polyphony.conversation import Utterance
from polyphony.metrics.turns import build_turns, is_backchannel, turn_metrics
from tests.helpers import conv


@pytest.mark.parametrize("text", ["Mm.", "mhm", "Yeah, yeah.", "I see.", "Oh, okay!", "uh-huh"])
def test_backchannels(text):
    assert is_backchannel(Utterance("a", 0, 1, text))


@pytest.mark.parametrize(("text", "end"), [
    ("yeah I agree", 1.0),          # 'agree' is not in the lexicon
    ("yeah yeah yeah yeah", 1.0),   # four tokens
    ("mm", 2.0),                    # longer than 1.5 s
    ("", 1.0),                      # no text: never a backchannel
])
def test_not_backchannels(text, end):
    assert not is_backchannel(Utterance("a", 0, end, text))


def test_backchannel_inside_anothers_turn_is_dropped_from_turns_but_counted():
    c = conv([("a", 0, 5, "I was saying that"), ("b", 2, 2.5, "mm"),
              ("a", 5.5, 8, "and then this.")])
    turns = build_turns(c)
    assert [(t.speaker, t.start, t.end) for t in turns] == [("a", 0, 8)]
    m = turn_metrics(c)
    assert m["participants"]["b"]["backchannels"] == 1
    assert m["participants"]["b"]["turns"] == 0
    assert m["participants"]["b"]["overlap_onsets"] == 1
    with_bc = build_turns(c, backchannels="include")
    assert [t.speaker for t in with_bc] == ["a", "b", "a"]


def test_turns_transitions_and_floor_transfer_offsets():
    c = conv([("a", 0, 2, "Hello there."), ("b", 2.5, 4, "Hi."), ("a", 3.8, 6, "So."),
              ("c", 10, 11, "Well.")])
    m = turn_metrics(c)
    tt = m["turn_taking"]
    assert len(m["turns"]) == 4 == sum(sum(r.values()) for r in tt["transitions"].values()) + 1
    assert tt["transitions"]["a"] == {"b": 1, "c": 1}
    assert tt["transitions"]["b"] == {"a": 1, "c": 0}
    # offsets: 0.5, -0.2, 4.0
    assert tt["fto_median"] == pytest.approx(0.5)
    assert tt["long_silences"] == 1
    assert tt["longest_silence"] == pytest.approx(4.0)
    assert m["participants"]["a"]["longest_turn"] == pytest.approx(2.2)
    assert m["participants"]["a"]["mean_turn"] == pytest.approx(2.1)


def test_pauses_are_silences_inside_one_turn():
    c = conv([("a", 0, 2, "So."), ("a", 2.5, 4, "Well."), ("a", 5.5, 6, "Yes, fine."),
              ("b", 7, 8, "Hm, no.")])
    pauses = turn_metrics(c)["turn_taking"]["pauses"]
    assert pauses == {"count": 2, "median": 1.0, "longest": 1.5}
    assert turn_metrics(c)["turn_taking"]["fto_median"] == 1.0  # the gap between turns


def test_interruption_versus_early_start_at_a_sentence_end():
    cut_off = conv([("a", 0, 5, "and what I wanted to say was"), ("b", 4, 8, "No, listen.")])
    early = conv([("a", 0, 5, "That is what I wanted to say."), ("b", 4, 8, "Yes, and.")])
    for c in (cut_off, early):
        assert turn_metrics(c)["turn_taking"]["overlap_takeovers"]["b"]["a"] == 1
    assert turn_metrics(cut_off)["turn_taking"]["interruptions"]["b"]["a"] == 1
    assert turn_metrics(cut_off)["participants"]["a"]["interruptions_suffered"] == 1
    assert turn_metrics(early)["turn_taking"]["interruptions"]["b"]["a"] == 0


def test_a_dash_or_ellipsis_counts_as_cut_off():
    c = conv([("a", 0, 5, "I thought—"), ("b", 4, 8, "Right, but no.")])
    assert turn_metrics(c)["turn_taking"]["interruptions"]["b"]["a"] == 1


def test_no_takeover_when_the_first_speaker_keeps_the_floor_or_is_nearly_done():
    keeps = conv([("a", 0, 10, "long talk"), ("b", 2, 3, "a short remark here")])
    assert turn_metrics(keeps)["turn_taking"]["overlap_takeovers"]["b"]["a"] == 0
    last_moment = conv([("a", 0, 5, "talk"), ("b", 4.9, 8, "next")])  # within 0.2 s of end
    assert turn_metrics(last_moment)["turn_taking"]["overlap_takeovers"]["b"]["a"] == 0


def test_without_text_interruptions_are_null_and_takeovers_remain():
    c = conv([("a", 0, 5), ("b", 4, 8)], has_text=False)
    m = turn_metrics(c)
    assert m["turn_taking"]["interruptions"] is None
    assert m["turn_taking"]["overlap_takeovers"]["b"]["a"] == 1
    assert m["participants"]["a"]["backchannels"] is None
