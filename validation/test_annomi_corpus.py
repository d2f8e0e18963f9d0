"""All of AnnoMI, in both flavours, reads without losing an utterance."""

from __future__ import annotations

import pytest

from polyphony.formats import annomi
from validation.conftest import SHARED_DATA


@pytest.mark.parametrize("name", ["AnnoMI-full.csv", "AnnoMI-simple.csv"])
def test_every_annomi_transcript_parses(name):
    conversations = annomi.read_all(SHARED_DATA / "annomi" / name)
    assert len(conversations) == 133
    assert sum(len(c.utterances) for c in conversations.values()) == 9699
    for c in conversations.values():
        assert set(c.speakers) <= {"therapist", "client"}
        assert all(u.end > u.start for u in c.utterances)
