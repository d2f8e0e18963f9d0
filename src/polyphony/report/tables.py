"""Tidy tables beside metrics.json, for people who analyse elsewhere (R, SPSS, a
spreadsheet): `metrics.csv`, one row per participant, and `turns.csv`, one row per turn.
Empty cells where a number does not exist (no text, no turns), never a zero that is not
one."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from polyphony.conversation import Conversation
from polyphony.metrics.turns import build_turns

PARTICIPANT_COLUMNS = (
    "role", "label", "speaking_time", "share_time", "words", "share_words", "turns",
    "share_turns", "backchannels", "mean_turn", "median_turn", "longest_turn",
    "interruptions_made", "interruptions_suffered", "overlap_onsets", "responded_to_rate",
    "responsiveness", "questions_asked", "questions_answered", "semantic_dominance",
    "interactional_dominance", "first_speech", "longest_absence")


def csv_text(rows: Iterable[Sequence[Any]]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerows([["" if v is None else v for v in row] for row in rows])
    return out.getvalue()


TURN_COLUMNS = ("turn", "participant", "role", "start", "end", "duration", "offset_before",
                "utterances", "words")


def participant_rows(metrics: Mapping[str, Any]) -> list[list[Any]]:
    """participant, then `PARTICIPANT_COLUMNS`: one row per participant, silent roster
    members included."""
    return [[pid, *(p.get(c) for c in PARTICIPANT_COLUMNS)]
            for pid, p in metrics["participants"].items()]


def turn_rows(conv: Conversation, metrics: Mapping[str, Any]) -> list[list[Any]]:
    """`TURN_COLUMNS`: one row per turn, as the turn-taking metrics count them, with the
    gap or overlap before it (the floor-transfer offset; empty for the first)."""
    turns = build_turns(conv, metrics["config"]["backchannels"])
    roles = {p.id: p.role for p in conv.participants}
    rows = []
    for i, t in enumerate(turns):
        offset = round(t.start - turns[i - 1].end, 3) if i else None
        words = (sum(len(u.words) or len(u.text.split()) for u in t.utterances)
                 if conv.provenance.has_text else None)
        rows.append([i + 1, t.speaker, roles.get(t.speaker), round(t.start, 3),
                     round(t.end, 3), round(t.end - t.start, 3), offset, len(t.utterances),
                     words])
    return rows


def participants_csv(metrics: Mapping[str, Any], recording: str) -> str:
    """One row per participant, silent roster members included."""
    return csv_text([["recording", "participant", *PARTICIPANT_COLUMNS],
                     *([recording, *row] for row in participant_rows(metrics))])


def turns_csv(conv: Conversation, metrics: Mapping[str, Any], recording: str) -> str:
    """One row per turn (`turn_rows`)."""
    return csv_text([["recording", *TURN_COLUMNS],
                     *([recording, *row] for row in turn_rows(conv, metrics))])
