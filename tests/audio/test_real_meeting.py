"""Real meeting audio, not synthetic voices: the first 30 s of AMI meeting EN2003a
(tests/data/audio/README), three people, quiet headset mix with overlap."""

from __future__ import annotations

import pytest

from polyphony import evaluate
from polyphony.audio.decode import decode
from polyphony.audio.diarize import SpeakerCount, diarize
from polyphony.conversation import Conversation, Provenance, Utterance
from polyphony.formats import rttm
from tests.conftest import DATA

pytestmark = pytest.mark.models

CLIP = DATA / "audio" / "ami-en2003a-30s.flac"


def test_every_speaker_of_a_real_meeting_is_found_with_the_count_given():
    reference = rttm.read(CLIP.with_suffix(".rttm"))
    result = diarize(decode(CLIP), SpeakerCount(num=len(reference.speakers)))
    found = Conversation.build((Utterance(t.speaker, t.start, t.end)
                                for t in result.overlap_aware),
                               provenance=Provenance(has_text=False))
    assert len(reference.speakers) == 3
    assert len(found.speakers) == 3  # the count is a promise: three voices
    assert evaluate.speakers_found(reference, found) == 3  # each mostly one person's
    # Left to its threshold, the clustering hears two of them as one voice: the count is
    # kept, and those two are the ones flagged (`split_voice`) as possibly mixed up
    flagged = {speaker for pair in result.splits for speaker in pair}
    assert len(flagged) == 2 and flagged <= set(found.speakers)
