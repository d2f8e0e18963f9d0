"""Diarization on real audio: a voice with only 3 s of speech survives as its own speaker,
and the speaker-count options are checked before anything runs."""

from __future__ import annotations

import numpy as np
import pytest

from polyphony.audio.decode import Waveform, decode
from polyphony.audio.diarize import SpeakerCount, diarize
from polyphony.conversation import Conversation, Utterance
from polyphony.errors import InputError
from polyphony.formats import rttm
from tests.conftest import EXAMPLE

GAP = 0.4


def quiet_voice_meeting(quiet: str = "sam", budget: float = 3.2):
    """The example meeting re-cut from its non-overlapped reference segments, keeping only
    about 3 s of one voice."""
    full = decode(EXAMPLE / "network-meeting.flac")
    segments = rttm.read(EXAMPLE / "reference.rttm").utterances
    kept, spent = [], 0.0
    for u in segments:
        if any(o is not u and o.start < u.end and u.start < o.end for o in segments):
            continue
        if u.speaker == quiet:
            if spent + u.duration > budget:
                continue
            spent += u.duration
        kept.append(u)
    pieces, reference, t = [], [], 0.0
    for u in kept:
        audio = full.samples[round(u.start * full.sample_rate):round(u.end * full.sample_rate)]
        reference.append(Utterance(u.speaker, t, t + len(audio) / full.sample_rate))
        pieces += [audio, np.zeros(round(GAP * full.sample_rate), np.float32)]
        t += len(audio) / full.sample_rate + GAP
    return Waveform(np.concatenate(pieces), full.sample_rate), Conversation.build(reference), spent


def test_a_voice_with_three_seconds_of_speech_survives(sample_result):
    # (sample_result: the models are first loaded inside the network guard of conftest)
    from pyannote.metrics.diarization import DiarizationErrorRate

    waveform, reference, spent = quiet_voice_meeting()
    assert 2.5 <= spent <= 3.2
    d = diarize(waveform, SpeakerCount(num=4))
    hyp = Conversation.build(Utterance(t.speaker, t.start, t.end) for t in d.overlap_aware)
    mapping = DiarizationErrorRate().optimal_mapping(reference.to_annotation(),
                                                     hyp.to_annotation())
    assert "sam" in mapping.values()
    assert len(d.speakers) == 4


@pytest.mark.parametrize(("kwargs", "message"), [
    ({"num": 2, "max": 3}, "either an exact speaker count or min/max"),
    ({"min": 4, "max": 2}, "exceeds"),
    ({"num": 0}, "at least 1"),
])
def test_bad_speaker_counts(kwargs, message):
    with pytest.raises(InputError, match=message):
        SpeakerCount(**kwargs)


def test_refine_moves_a_misassigned_segment_but_never_empties_a_speaker():
    from polyphony.audio.attribute import Turn
    from polyphony.audio.diarize import Diarization, refine

    # Each segment's "voice" is the constant value of its samples; the embedder turns it
    # into a direction, so voices 1 and 2 are orthogonal.
    rate = 100
    samples = np.zeros(20 * rate, np.float32)
    voices = [(0, 4, 1), (4, 8, 2), (8, 12, 1), (12, 16, 2), (16, 16.3, 2), (17, 19, 3)]
    for start, end, voice in voices:
        samples[int(start * rate):int(end * rate)] = voice
    labels = ["A", "B", "B", "B", "A", "C"]  # segment 3 (voice 1) wrongly in B
    turns = tuple(Turn(s, e, lab) for (s, e, _), lab in zip(voices, labels, strict=True))

    def embed(x):
        v = np.zeros(4)
        v[round(float(np.median(x)))] = 1.0
        return v

    out = refine(Waveform(samples, rate), Diarization(turns, turns), embed)
    assert [t.speaker for t in out.overlap_aware] == ["A", "B", "A", "B", "A", "C"]
    # the 0.3 s segment kept its label; the lone voice-3 speaker C was kept
    assert [t.speaker for t in out.exclusive] == [t.speaker for t in out.overlap_aware]


def test_refine_splits_a_merged_voice_when_the_count_asks_for_more():
    from polyphony.audio.attribute import Turn
    from polyphony.audio.diarize import Diarization, refine

    rate = 100
    samples = np.zeros(12 * rate, np.float32)
    voices = [(0, 2, 1), (2, 4, 2), (4, 6, 1), (6, 8, 2), (8, 10, 1)]
    for start, end, voice in voices:
        samples[int(start * rate):int(end * rate)] = voice
    merged = tuple(Turn(s, e, "A") for s, e, _ in voices)  # clustering found one speaker

    def embed(x):
        v = np.full(3, 0.05)
        v[round(float(np.median(x)))] = 1.0
        return v / np.linalg.norm(v)

    out = refine(Waveform(samples, rate), Diarization(merged, merged), embed, at_least=2)
    by_voice = {}
    for (_, _, voice), turn in zip(voices, out.overlap_aware, strict=True):
        by_voice.setdefault(voice, set()).add(turn.speaker)
    assert len(by_voice[1]) == len(by_voice[2]) == 1 and by_voice[1] != by_voice[2]
    unchanged = refine(Waveform(samples, rate), Diarization(merged, merged), embed)
    assert {t.speaker for t in unchanged.overlap_aware} == {"A"}
