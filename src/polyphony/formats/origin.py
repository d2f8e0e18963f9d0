"""The link a file exported for hand correction keeps to its recording.

`polyphony export` writes an ELAN or Praat file from a results folder; a person corrects it
there (moves a turn, fixes a word) and `polyphony metrics edited.eaf` reads it back. So
that the numbers still say which recording they are about, and who is who, the export
carries a small JSON record: the recording's name and sha256, the region, and each
participant's role and label. ELAN keeps it as a HEADER `PROPERTY` named `polyphony`,
Praat as an interval tier named `polyphony` (a TextGrid has nowhere else to keep it).
Read back, the conversation is `corrected`: a person has checked it.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Mapping
from typing import Any

from polyphony.conversation import Conversation, Participant

NAME = "polyphony"  # the ELAN property, and the TextGrid tier


def record(conv: Conversation) -> str:
    prov = conv.provenance
    return json.dumps({
        "recording": prov.recording, "recording_sha256": prov.recording_sha256,
        "region": list(conv.region), "expected_speakers": prov.expected_speakers,
        "participants": {p.id: {"role": p.role, "label": p.label}
                         for p in conv.participants}}, ensure_ascii=False)


def parse(text: str) -> dict[str, Any] | None:
    """The record, or None for text that is not one (a file someone else made)."""
    try:
        data = json.loads(text)
    except json.JSONDecodeError:
        return None
    return data if isinstance(data, dict) and "recording_sha256" in data else None


def restore(conv: Conversation, data: Mapping[str, Any]) -> Conversation:
    """`conv`, read from a corrected export, with its recording, region and people back,
    in the export's order (so that role aliases keep their numbers). A participant the
    export did not know (a tier someone added) keeps role `other`; one whose tier is gone
    or empty is not brought back: a person deleted a voice that was no one, or the roster
    (`--roster`) brings a silent member back."""
    known = data.get("participants") or {}
    order = {pid: i for i, pid in enumerate(known)}
    present = sorted(conv.participants, key=lambda p: order.get(p.id, len(order)))
    people = [Participant(p.id, known.get(p.id, {}).get("role", p.role),
                          known.get(p.id, {}).get("label", p.label))
              for p in present]
    region = data.get("region") or conv.region
    provenance = dataclasses.replace(
        conv.provenance, source="corrected", recording=data.get("recording"),
        recording_sha256=data.get("recording_sha256"),
        expected_speakers=data.get("expected_speakers"),
        notes=(*conv.provenance.notes, "exported by polyphony and corrected by hand: the "
                                       "recording and the people are those of the export"))
    return Conversation.build(conv.utterances, people, (float(region[0]), float(region[1])),
                              provenance)
