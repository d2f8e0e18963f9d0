"""metrics.json as a whole: layout, nulls, flags, time course."""

import pytest

from polyphony.conversation import Participant
from polyphony.metrics import compute_metrics
from polyphony.metrics.timecourse import windows
from tests.helpers import conv


def test_windows_cover_the_region():
    assert windows((0, 100)) == [(0, 100)]
    assert windows((0, 600)) == [(0, 300), (60, 360), (120, 420), (180, 480), (240, 540),
                                 (300, 600)]
    assert windows((0, 610))[-1] == (360, 610)


def test_timecourse_shares_and_null_windows():
    c = conv([("a", 0, 10), ("b", 10, 20), ("a", 400, 410)], region=(0, 700),
             has_text=False)
    tc = compute_metrics(c)["timecourse"]
    first = tc["windows"][0]
    assert first["share_time"] == {"a": 0.5, "b": 0.5}
    empty = [w for w in tc["windows"] if w["start"] == 120]
    assert empty[0]["share_time"] == {"a": 1.0, "b": 0.0}  # 400-410 lies in [120, 420]
    silent = [w for w in tc["windows"] if w["start"] >= 420 - 1e-9 and w["start"] > 400]
    assert silent and all(v is None for w in silent for v in w["share_time"].values())


@pytest.mark.models
def test_silent_roster_member_appears_with_zeros_and_a_flag():
    c = conv([("a", 0, 10, "Hello everyone."), ("b", 10, 20, "Hi.")],
             [Participant("a", "clinician"), Participant("b", "family"),
              Participant("p", "person")])
    m = compute_metrics(c, expected_speakers=3)
    p = m["participants"]["p"]
    assert (p["speaking_time"], p["share_time"], p["words"], p["turns"]) == (0, 0, 0, 0)
    assert p["first_speech"] is None and p["longest_absence"] == 20
    codes = [(f["code"], f["speaker"]) for f in m["flags"]]
    assert ("little_speech", "p") in codes
    assert ("speaker_count_mismatch", None) in codes
    assert m["balance"]["time"]["effective_voices"] == pytest.approx(2.0)


@pytest.mark.models
def test_one_speaker():
    m = compute_metrics(conv([("a", 0, 30, "A long monologue.")]))
    assert m["participants"]["a"]["share_time"] == 1.0
    assert m["turn_taking"]["transitions"] == {"a": {}}
    assert m["turn_taking"]["fto_median"] is None
    assert m["balance"]["time"]["dominance"] == 1.0


def test_nobody_speaking_is_flagged():
    from polyphony.conversation import Conversation, Provenance

    m = compute_metrics(Conversation.build([], region=(0, 5),
                                           provenance=Provenance(has_text=False)))
    assert [f["code"] for f in m["flags"]] == ["no_speech"]
    assert m["totals"]["silence_time"] == 5 and m["participants"] == {}


def test_heavy_overlap_is_flagged():
    m = compute_metrics(conv([("a", 0, 10), ("b", 0, 10)], has_text=False))
    assert [f["code"] for f in m["flags"]] == ["high_overlap"]


@pytest.mark.models
def test_voices_split_to_reach_the_count_are_flagged_once_each():
    c = conv([("mira", 0, 10, "Hello."), ("tom", 10, 20, "Hi."), ("sam", 20, 30, "Yes.")])
    m = compute_metrics(c, expected_speakers=3,
                        split_voices=[("mira", "tom"), ("mira", "sam")])
    split = [f for f in m["flags"] if f["code"] == "split_voice"]
    assert [f["speaker"] for f in split] == ["mira", "sam", "tom"]  # participants' order
    assert not any(name in f["message"] for f in split for name in ("mira", "tom", "sam"))
    assert not [f for f in compute_metrics(c)["flags"] if f["code"] == "split_voice"]


def _with_audio(audio=None, settings=None):
    import dataclasses

    from tests.helpers import conv

    c = conv([("a", 0, 10, "hello")])
    return dataclasses.replace(c, provenance=dataclasses.replace(
        c.provenance, audio=audio or {}, settings=settings or {},
        models={"asr": "whisper-tiny-en"}))


@pytest.mark.parametrize(("audio", "code"), [
    ({"sample_rate": 8000}, "narrowband_audio"),
    ({"sample_rate": 16000, "declared_duration": 30.0, "decoded_duration": 15.0},
     "truncated_recording"),
])
def test_audio_that_limits_the_numbers_is_flagged(audio, code):
    from polyphony.metrics.flags import flags
    from polyphony.metrics.voice import voice_metrics

    c = _with_audio(audio)
    assert code in [f["code"] for f in flags(c, voice_metrics(c))]
    fine = _with_audio({"sample_rate": 44100, "declared_duration": 30.0,
                        "decoded_duration": 29.5})
    assert not {"narrowband_audio", "truncated_recording"} & {
        f["code"] for f in flags(fine, voice_metrics(fine))}


def test_speech_heard_as_another_language_is_flagged_naming_a_multilingual_model():
    from polyphony.metrics.flags import flags
    from polyphony.metrics.voice import voice_metrics

    c = _with_audio(settings={"language": "en", "language_heard": ["de", 0.97]})
    [flag] = [f for f in flags(c, voice_metrics(c)) if f["code"] == "language_mismatch"]
    assert "'de' (97% sure)" in flag["message"] and "whisper-base" in flag["message"]
    unsure = _with_audio(settings={"language": "en", "language_heard": ["de", 0.3]})
    assert "language_mismatch" not in [f["code"] for f in flags(unsure, voice_metrics(unsure))]


def test_text_in_another_language_qualifies_the_responsiveness_numbers():
    from polyphony.metrics.flags import flags
    from polyphony.metrics.voice import voice_metrics

    german = _with_audio(settings={"language": "de"})
    assert "text_not_english" in [f["code"] for f in flags(german, voice_metrics(german))]
    english = _with_audio(settings={"language": "en"})
    assert "text_not_english" not in [f["code"] for f in flags(english, voice_metrics(english))]


def test_a_voice_paired_under_the_threshold_is_flagged_without_naming_anyone():
    import dataclasses

    from polyphony.metrics.flags import flags
    from polyphony.metrics.voice import voice_metrics

    c = conv([("S1", 0, 10, "hello"), ("anna", 11, 20, "hi")])
    enrolment = {"threshold": 0.5, "matches": [
        {"voice": "S1", "participant": "ben", "similarity": 0.31, "named": False},
        {"voice": "S2", "participant": "anna", "similarity": 0.8, "named": True}]}
    c = dataclasses.replace(c, provenance=dataclasses.replace(c.provenance,
                                                              enrolment=enrolment))
    [flag] = [f for f in flags(c, voice_metrics(c)) if f["code"] == "uncertain_identity"]
    assert flag["speaker"] == "S1" and "0.31" in flag["message"] and "0.50" in flag["message"]
    assert "ben" not in flag["message"]
