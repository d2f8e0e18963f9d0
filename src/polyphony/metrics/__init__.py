"""Polyphony metrics: pure functions from a Conversation to the numbers of METRICS.md.

`compute_metrics` assembles the `metrics.json` layout of METRICS.md §7. Every key of that
layout is always present; a value this version does not compute yet (responsiveness,
dialogical structure, time course) is null, never a missing key and never a made-up zero.
"""

from __future__ import annotations

from typing import Any

from polyphony.conversation import Conversation
from polyphony.metrics.flags import flags
from polyphony.metrics.turns import turn_metrics
from polyphony.metrics.voice import balance, shares, voice_metrics

DEFINITIONS_VERSION = 1

# Families of METRICS.md that this version does not compute yet: their fields are null.
_NOT_YET = ("responded_to_rate", "responsiveness", "questions_asked", "questions_answered",
            "semantic_dominance", "interactional_dominance")


def compute_metrics(conv: Conversation, backchannels: str = "separate",
                    expected_speakers: int | None = None) -> dict[str, Any]:
    """The metrics.json document for one conversation.

    `expected_speakers` is how many people the roster says were present, when the speaker
    labels come from diarization, so that a mismatch can be flagged.
    """
    voice = voice_metrics(conv)
    turns = turn_metrics(conv, backchannels)
    turn_counts = {pid: turns["participants"][pid]["turns"] for pid in conv.speakers}
    share_turns = shares(turn_counts)
    has_text = conv.provenance.has_text

    participants = {}
    for p in conv.participants:
        t = turns["participants"][p.id]
        mine = [u for u in conv.utterances if u.speaker == p.id]
        participants[p.id] = {
            "role": p.role,
            "label": p.label,
            "speaking_time": voice["speaking_time"][p.id],
            "share_time": voice["share_time"][p.id],
            "words": voice["words"][p.id] if has_text else None,
            "share_words": voice["share_words"][p.id] if has_text else None,
            "turns": t["turns"],
            "share_turns": share_turns[p.id],
            "backchannels": t["backchannels"],
            "mean_turn": t["mean_turn"],
            "median_turn": t["median_turn"],
            "longest_turn": t["longest_turn"],
            "interruptions_made": t["interruptions_made"],
            "interruptions_suffered": t["interruptions_suffered"],
            "overlap_onsets": t["overlap_onsets"],
            **dict.fromkeys(_NOT_YET),
            "first_speech": min((u.start for u in mine), default=None),
            "longest_absence": voice["longest_absence"][p.id],
        }

    totals = dict(voice["totals"])
    totals["turns"] = len(turns["turns"])
    totals["backchannels"] = (sum(v["backchannels"] for v in turns["participants"].values())
                              if has_text else None)
    return {
        "definitions_version": DEFINITIONS_VERSION,
        "source": conv.provenance.source,
        "region": list(conv.region),
        "totals": totals,
        "participants": participants,
        "balance": {**voice["balance"], "turns": balance(list(turn_counts.values()))},
        "roles": voice["roles"],
        "turn_taking": turns["turn_taking"],
        "responsiveness": {"uptake_network": None},
        "reflecting_sequences": None,
        "timecourse": None,
        "flags": flags(conv, voice, expected_speakers),
        "provenance": conv.to_dict()["provenance"],
    }
