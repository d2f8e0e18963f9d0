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
