"""Rosters: who was present, their roles, which diarized voice is whose, and samples of
their voices.

```toml
[[participant]]
id = "anna"              # stable id used in every table
role = "person"          # person | family | network | clinician | peer_practitioner | other
label = "Anna"           # how reports name her (omit it in de-identified reports)
speaker = "S2"           # optional: her label in the transcript or diarization (or a list
                         # of labels, when diarization split her voice in two)
voice = "12.0-18.5"      # optional: where she speaks alone in the recording, in seconds,
                         # or a clip of her voice ("voices/anna.flac"); a list for several

[[not_participant]]      # a voice that is not one of the people: it is left out
speaker = "S5"
reason = "television"
```

`speaker` (or its synonym `diarized`) maps labels to a person; a label equal to a roster
id maps to that member without it. Automatic diarization cannot know who is who: a roster
that maps no label still tells the pipeline how many people were present, which
constrains clustering and is checked against what was found, and the report names the
voices "Speaker 1", "Speaker 2". With `voice` samples, `analyze` names the voices itself
(`audio/enrol.py`).
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from polyphony.conversation import Conversation, Participant
from polyphony.errors import InputError, PolyphonyError

_KEYS = {"id", "role", "label", "speaker", "diarized", "voice", "note"}
_EXCLUDED_KEYS = {"speaker", "reason", "note"}


@dataclass(frozen=True)
class Roster:
    participants: tuple[Participant, ...]
    labels: dict[str, str]  # speaker label in a transcript or diarization -> participant id
    voices: dict[str, tuple[str, ...]] = field(default_factory=dict)  # id -> samples
    excluded: dict[str, str] = field(default_factory=dict)  # speaker label -> reason
    path: Path | None = None  # where it was read from: voice clips are relative to it

    def __len__(self) -> int:
        return len(self.participants)

    def mapping(self, speakers: list[str]) -> dict[str, str]:
        """Which of these speaker labels are which roster members."""
        ids = {p.id for p in self.participants}
        return {s: self.labels.get(s, s) for s in speakers
                if s in self.labels or s in ids}

    def with_labels(self, labels: dict[str, str]) -> Roster:
        """This roster with more speaker labels mapped (the ones it maps itself win)."""
        return Roster(self.participants, {**labels, **self.labels}, self.voices,
                      self.excluded, self.path)


def apply(conv: Conversation, roster: Roster | None) -> Conversation:
    """Rename mapped speakers to roster ids and adopt the roster's participants and roles.

    When no speaker maps to the roster, nobody can say who is who, so the conversation keeps
    its own participants: adding the roster would count speaking people twice, once as
    silent members. Voices the roster leaves out (`[[not_participant]]`) go first.
    """
    if roster is None:
        return conv
    conv = exclude(conv, roster)
    mapping = roster.mapping(conv.speakers)
    if not mapping:
        return conv
    renamed = conv.relabel(mapping)
    members = {p.id for p in roster.participants}  # every mapped speaker is one of them
    others = [p for p in renamed.participants if p.id not in members]
    return renamed.with_participants([*roster.participants, *others])


def exclude(conv: Conversation, roster: Roster) -> Conversation:
    """`conv` without the voices the roster leaves out: their utterances and their place
    among the participants, so that no share counts them."""
    gone = set(roster.excluded) & set(conv.speakers)
    if not gone:
        return conv
    return Conversation.build([u for u in conv.utterances if u.speaker not in gone],
                              [p for p in conv.participants if p.id not in gone],
                              conv.region, conv.provenance)


def load(path: str | Path) -> Roster:
    path = Path(path)
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise InputError("roster file not found", path=path, hint="check the path") from None
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise InputError(f"is not a valid TOML roster ({exc})", path=path) from exc
    unknown = sorted(set(data) - {"participant", "not_participant", "note"})
    if unknown:
        raise InputError(f"{unknown[0]} is not a roster key", path=path,
                         hint="a roster holds [[participant]] and [[not_participant]] "
                              "tables (and an optional note)")
    rows = data.get("participant")
    if not isinstance(rows, list) or not rows:
        raise InputError("lists no [[participant]] entries", path=path,
                         hint="add one [[participant]] table per person present")
    participants: list[Participant] = []
    labels: dict[str, str] = {}
    voices: dict[str, tuple[str, ...]] = {}
    for n, row in enumerate(rows):
        where = f"participant[{n}]"
        if not isinstance(row, dict) or "id" not in row:
            raise InputError(f"{where} has no id", path=path)
        extra = sorted(set(row) - _KEYS)
        if extra:
            raise InputError(f"{where}.{extra[0]} is not a participant key", path=path,
                             hint=f"known keys: {', '.join(sorted(_KEYS))}")
        if "speaker" in row and "diarized" in row:
            raise InputError(f"{where} gives both speaker and diarized", path=path,
                             hint="they are synonyms: keep one")
        try:
            participant = Participant(str(row["id"]), str(row.get("role", "other")),
                                      row.get("label"))
        except PolyphonyError as exc:
            raise InputError(f"{where}: {exc.problem}", path=path, hint=exc.hint) from None
        if any(p.id == participant.id for p in participants):
            raise InputError(f"{where} repeats the participant id {participant.id!r}",
                             path=path, hint="give every person one entry")
        participants.append(participant)
        for label in _strings(row.get("speaker", row.get("diarized")), f"{where}.speaker",
                              path):
            _map_once(labels, label, participant.id, where, path)
        if "voice" in row:
            if participant.id in labels.values():
                raise InputError(f"{where} gives both a speaker and a voice", path=path,
                                 hint="speaker names a voice already known; voice finds it "
                                      "from a sample: give one")
            voices[participant.id] = _strings(row["voice"], f"{where}.voice", path)
    excluded: dict[str, str] = {}
    for n, row in enumerate(data.get("not_participant", [])):
        where = f"not_participant[{n}]"
        if not isinstance(row, dict) or "speaker" not in row:
            raise InputError(f"{where} has no speaker", path=path,
                             hint='name the voice to leave out: speaker = "S5"')
        extra = sorted(set(row) - _EXCLUDED_KEYS)
        if extra:
            raise InputError(f"{where}.{extra[0]} is not a not_participant key", path=path,
                             hint=f"known keys: {', '.join(sorted(_EXCLUDED_KEYS))}")
        for label in _strings(row["speaker"], f"{where}.speaker", path):
            if label in labels or label in excluded:
                raise InputError(f"{where} leaves out speaker {label!r}, which is already "
                                 "mapped", path=path, hint="a voice is a person or not")
            excluded[label] = str(row.get("reason", "not a participant"))
    return Roster(tuple(participants), labels, voices, excluded, path)


def _strings(value: Any, where: str, path: Path) -> tuple[str, ...]:
    """A string or a list of strings (a key that may name several), as a tuple."""
    if value is None:
        return ()
    values = value if isinstance(value, list) else [value]
    if not values or not all(isinstance(v, str | int | float) for v in values):
        raise InputError(f"{where} is {value!r}, not a label or a list of them", path=path)
    return tuple(str(v) for v in values)


def _map_once(labels: dict[str, str], label: str, pid: str, where: str, path: Path) -> None:
    if label in labels:
        raise InputError(f"{where} maps speaker {label!r}, already mapped to "
                         f"{labels[label]!r}", path=path,
                         hint="one voice is one person: map each label once")
    labels[label] = pid
