"""Speaker labels as real files carry them, shared by every reader.

Producers write "nobody in particular" in many ways (`UNKNOWN`, `SPEAKER` without a number,
a diarizer's class labels `SPEECH` or `ov`), and transcripts mark pauses as text (`(0.3)`,
`(.)`). Counting either as a person, or as speech, gives a confident wrong number, so every
reader sends its labels and texts through here, and `Attribution` keeps the count of what
was set aside, for the flags.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from polyphony.conversation import Conversation, Participant, Provenance, Utterance, Word

UNLABELLED = "unknown"  # the one participant of a file without speaker labels

# Compared case-insensitively, after stripping brackets and whitespace.
PLACEHOLDERS = frozenset({
    "", "unknown", "unk", "speaker", "spk", "unidentified", "unassigned", "none", "null",
    "nan", "n/a", "<na>", "?", "??", "-", "speech", "nonspeech", "non-speech", "ov",
    "overlap", "noise", "music", "silence", "uu",
})

# A pause written as text: Jefferson/GAT `(0.3)`, `(.)`, `(..)`, `((1.5))`; CHAT `(...)`,
# `(1.5)`, `(2:03.5)`; noScribe's `(12 seconds pause)`; Praat/MFA silence labels. A bare
# number is not a pause: "60." is someone saying sixty.
_PAUSE = re.compile(r"^\(+\s*(?:\.{1,3}|\d+(?::\d+)?(?:\.\d+)?|-+)\s*\)+[.?!]?$"
                    r"|^\(\s*\d+(?:[.,]\d+)?\s*(?:s|secs?|seconds?|sekunden)?\s*pause\s*\)$"
                    r"|^<?(?:sil|sp|pause)>?$", re.IGNORECASE)


def is_placeholder(label: str | None) -> bool:
    """True when `label` names no particular person."""
    if label is None:
        return True
    return label.strip().strip("[]<>()").strip().lower() in PLACEHOLDERS


def is_pause(text: str) -> bool:
    """True when a transcribed 'utterance' is only a pause mark, and so silence."""
    return bool(text.strip()) and bool(_PAUSE.match(text.strip()))


@dataclass
class Attribution:
    """Collects a reader's utterances, sets aside those whose label is a placeholder or
    whose text is only a pause, and builds the Conversation with the notes and counts that
    the flags report."""

    utterances: list[Utterance] = field(default_factory=list)
    unattributed: dict[str, tuple[int, float]] = field(default_factory=dict)
    pauses: int = 0
    notes: list[str] = field(default_factory=list)

    def add(self, speaker: str | None, start: float, end: float, text: str = "",
            words: tuple[Word, ...] = ()) -> None:
        if text and is_pause(text):
            self.pauses += 1
            return
        if is_placeholder(speaker):
            self.set_aside((speaker or "").strip() or "(none)", start, end)
            return
        self.utterances.append(Utterance(speaker.strip(), start, end, text, words))

    def set_aside(self, label: str, start: float, end: float) -> None:
        """Speech that names nobody: counted for the flags, kept out of the participants."""
        n, seconds = self.unattributed.get(label, (0, 0.0))
        self.unattributed[label] = (n + 1, seconds + max(0.0, end - start))

    def add_unlabelled(self, start: float, end: float, text: str = "",
                       words: tuple[Word, ...] = ()) -> None:
        """Speech of a file that names no speaker at all: one participant, `unknown`, whose
        numbers the `no_speaker_labels` flag qualifies."""
        if not is_pause(text):
            self.utterances.append(Utterance(UNLABELLED, start, end, text, words))
        else:
            self.pauses += 1

    def note(self, text: str) -> None:
        self.notes.append(text)

    def build(self, *, has_text: bool = True, speaker_labels: bool = True,
              participants: Iterable[Participant] = (),
              region: tuple[float, float] | None = None,
              settings: Mapping[str, Any] | None = None) -> Conversation:
        notes = list(self.notes)
        if self.pauses:
            one = self.pauses == 1
            notes.append(f"{self.pauses} label{'' if one else 's'} that only "
                         f"mark{'s' if one else ''} a pause ('(0.3)', '(.)', 'sil', 'sp') read "
                         "as silence")
        if self.unattributed:
            n = sum(count for count, _ in self.unattributed.values())
            labels = ", ".join(repr(label) for label in self.unattributed)
            notes.append(f"{n} utterance{'' if n == 1 else 's'} labelled {labels} name "
                         "nobody and are left out of the participants")
        return Conversation.build(
            self.utterances, participants, region,
            Provenance(source="imported", settings=dict(settings or {}), has_text=has_text,
                       speaker_labels=speaker_labels, unattributed=dict(self.unattributed),
                       notes=tuple(notes)))
