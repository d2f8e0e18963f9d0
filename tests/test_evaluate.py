import pytest

from polyphony import evaluate
from tests.helpers import conv


def test_cpwer_pairs_speakers_to_minimise_errors():
    ref = conv([("a", 0, 1, "hello there friend"), ("b", 1, 2, "good morning")])
    # labels swapped and one word wrong: cpWER pairs x<->b, y<->a; 1 error in 5 words
    hyp = conv([("x", 0, 1, "good morning"), ("y", 1, 2, "hello there fiend")])
    assert evaluate.cpwer(ref, hyp) == pytest.approx(1 / 5)
    assert evaluate.wer(ref, hyp) > 0.5  # order-sensitive WER is hurt by the swap


def test_cpwer_counts_a_missing_speakers_words_as_deleted():
    ref = conv([("a", 0, 1, "one two three"), ("b", 1, 2, "four")])
    hyp = conv([("x", 0, 2, "one two three four")])
    assert evaluate.cpwer(ref, hyp) == pytest.approx(1 / 4 + 1 / 4)  # 1 insertion, 1 deletion


def test_der_jer_and_speaker_count():
    ref = conv([("a", 0, 10), ("b", 10, 20)], has_text=False)
    hyp = conv([("x", 0, 15)], has_text=False)
    s = evaluate.score(ref, hyp, collar=0.0)
    assert s.der == pytest.approx(0.5)  # 5 s missed + 5 s confused of 20 s
    assert s.speaker_count_error == -1
    assert s.wer is None and s.cpwer is None
    assert s.jer > s.der  # the lost voice weighs as much as the found one
    assert (s.parts.missed, s.parts.false_alarm, s.parts.confusion) == pytest.approx(
        (0.25, 0.0, 0.25))


def test_der_parts_sum_to_the_der_and_name_each_cause():
    ref = conv([("a", 0, 10), ("b", 8, 12)], has_text=False)  # 2 s of overlap
    hyp = conv([("x", 1, 10), ("y", 10, 14)], has_text=False)
    parts = evaluate.der_parts(ref, hyp, collar=0.0)
    # missed: 0-1 (a) and 8-10 (b, under x alone); false alarm: 12-14; nothing confused
    assert (parts.missed, parts.false_alarm, parts.confusion) == pytest.approx(
        (3 / 14, 2 / 14, 0.0))
    assert sum((parts.missed, parts.false_alarm, parts.confusion)) == pytest.approx(
        evaluate.der(ref, hyp, collar=0.0))
    swapped = conv([("x", 0, 8), ("y", 8, 10), ("x", 8, 12)], has_text=False)
    assert evaluate.der_parts(ref, swapped, collar=0.0).confusion > 0
    silent = conv([], has_text=False)  # no reference speech: the DER is 1 or 0
    assert evaluate.der_parts(silent, hyp).false_alarm == evaluate.der(silent, hyp) == 1.0
    assert evaluate.der_parts(silent, silent) == evaluate.ErrorParts(0.0, 0.0, 0.0)


def test_a_speaker_is_found_only_as_a_voice_that_is_mostly_theirs():
    ref = conv([("a", 0, 5), ("b", 5, 10), ("c", 10, 11)], has_text=False)
    merged = conv([("x", 0, 5), ("y", 5, 11)], has_text=False)  # c inside b's voice
    assert evaluate.speakers_found(ref, merged) == 2
    scraps = conv([("x", 0, 5), ("y", 5, 10.6), ("z", 10.6, 11)], has_text=False)
    assert evaluate.speakers_found(ref, scraps) == 3
    # z is mostly a's: a scrap of another voice matched to c does not find c
    stolen = conv([("x", 0, 4), ("y", 5, 11), ("z", 4, 5), ("z", 10, 10.2)], has_text=False)
    assert evaluate.speakers_found(ref, stolen) == 2
    s = evaluate.score(ref, merged)
    assert (s.speakers_found, s.reference_speakers) == (2, 3)


def test_normalise():
    assert evaluate.normalise("Hello, World! I'm 3 [laughs]") == "hello world i'm three"
