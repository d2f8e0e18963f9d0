"""Long benchmark meetings with overlaps, built from the bundled example and devset.

The pieces (the example meeting and the three devset meetings, 175 s in all, 15 voices)
follow one another in turn until the length asked for; each piece starts `OVERLAP`
seconds before the one before it ends, so two meetings' voices talk over each other at
every join, beside the overlaps the pieces hold themselves. Every copy of a piece keeps
its voices' names, so the same voice comes back throughout, as in one long meeting. The
reference RTTM and STM, roster and consent record are written beside the audio.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import soundfile as sf

from polyphony import consent
from polyphony.conversation import Conversation, Utterance
from polyphony.formats import rttm, stm
from polyphony.roster import load as load_roster

ROOT = Path(__file__).resolve().parents[1]
PIECES = (ROOT / "examples" / "network-meeting",
          *sorted((ROOT / "examples" / "devset").glob("*/")))
OVERLAP = 1.5
RATE = 16_000


@dataclass(frozen=True)
class Meeting:
    path: Path
    speakers: int


def build(folder: Path, minutes: float, name: str | None = None) -> Meeting:
    """A meeting of at least `minutes`, in `folder`, with its reference, roster and
    consent beside it."""
    from polyphony.audio.decode import decode

    name = name or f"meeting-{minutes:g}min"
    pieces = []
    for piece in PIECES:
        audio = decode(next(piece.glob("*.flac"))).samples
        prefix = piece.name.replace("-", "_")
        ref = stm.read(piece / "reference.stm")
        people = [(f"{prefix}_{p.id}", p.role, p.label or p.id)
                  for p in load_roster(piece / "roster.toml").participants]
        pieces.append((audio, prefix, ref, people))
    mix = np.zeros(int(minutes * 60 * RATE) + 200 * RATE, dtype=np.float32)
    utterances, at, k = [], 0, 0
    while at < minutes * 60 * RATE:
        audio, prefix, ref, _ = pieces[k % len(pieces)]
        mix[at:at + len(audio)] += audio
        offset = at / RATE
        utterances += [Utterance(f"{prefix}_{u.speaker}", u.start + offset, u.end + offset,
                                 u.text) for u in ref.utterances]
        at += len(audio) - int(OVERLAP * RATE)
        k += 1
    end = at + int(OVERLAP * RATE)
    path = folder / f"{name}.flac"
    sf.write(path, np.clip(mix[:end], -1.0, 1.0), RATE)
    everyone = [p for *_, people in pieces for p in people]
    reference = Conversation.build(utterances)
    rttm.write(reference, folder / f"{name}.rttm")
    stm.write(reference, folder / f"{name}.stm")
    (folder / f"{name}.roster.toml").write_text("".join(
        f'[[participant]]\nid = "{pid}"\nrole = "{role}"\nlabel = "{label}"\n\n'
        for pid, role, label in everyone), encoding="utf-8")
    today = dt.date.today()
    (folder / f"{name}.consent.toml").write_text(consent.manifest_text(
        name, {path.name: None}, [(pid, role) for pid, role, _ in everyone], today,
        today + dt.timedelta(days=1)), encoding="utf-8")
    return Meeting(path, len(everyone))
