"""Small constructed conversations for hand-computed expectations."""

from __future__ import annotations

from polyphony.conversation import Conversation, Participant, Provenance, Utterance


def conv(rows: list[tuple], roster: list[Participant] | None = None,
         region: tuple[float, float] | None = None, has_text: bool = True) -> Conversation:
    """rows: (speaker, start, end[, text])."""
    utts = [Utterance(r[0], r[1], r[2], r[3] if len(r) > 3 else "") for r in rows]
    return Conversation.build(utts, roster or [], region,
                              Provenance(source="corrected", has_text=has_text))
