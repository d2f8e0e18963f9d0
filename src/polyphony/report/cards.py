"""One card per voice nobody has named yet, so that a supervisor can say "Speaker 3 is
Tom" without scrolling a transcript: when it first spoke, how long it spoke, and its three
longest utterances with their times and words. Text only: no audio is ever copied out."""

from __future__ import annotations

import re
from dataclasses import dataclass

from polyphony.conversation import Conversation, Utterance

# How diarization names the voices it cannot name: labels "Speaker 3" or "Channel 2",
# ids S3 or C2 (audio/pipeline.py).
ANONYMOUS_LABEL = re.compile(r"^(Speaker|Channel) \d+$")
ANONYMOUS_ID = re.compile(r"^[SC]\d+$")
LONGEST = 3


@dataclass(frozen=True)
class Card:
    voice: str  # participant id (S3)
    name: str  # "Speaker 3"
    first_speech: float | None
    speaking_time: float
    longest: tuple[Utterance, ...]


def unnamed(conv: Conversation) -> list[str]:
    """The participants that are still diarization's anonymous voices."""
    return [p.id for p in conv.participants
            if p.role == "other" and p.label is not None and ANONYMOUS_LABEL.match(p.label)]


def cards(conv: Conversation, speaking_time: dict[str, float]) -> list[Card]:
    out = []
    for pid in unnamed(conv):
        mine = [u for u in conv.utterances if u.speaker == pid]
        longest = sorted(mine, key=lambda u: (u.start - u.end, u.start))[:LONGEST]
        out.append(Card(pid, next(p.display for p in conv.participants if p.id == pid),
                        mine[0].start if mine else None, speaking_time.get(pid, 0.0),
                        tuple(sorted(longest, key=lambda u: u.start))))
    return out
