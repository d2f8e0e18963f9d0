"""Rosters: who was present, their roles, and (once someone has listened) which diarized
voice is whose.

```toml
[[participant]]
id = "anna"              # stable id used in every table
role = "person"          # person | family | network | clinician | peer_practitioner | other
label = "Anna"           # how reports name her (omit it in de-identified reports)
speaker = "S2"           # optional: her label in the transcript or diarization
```

`speaker` (or its synonym `diarized`) maps a label to a person; a label equal to a roster
id maps to that member without it. Automatic diarization cannot know who is who: a roster
that maps no label still tells the pipeline how many people were present, which
constrains clustering and is checked against what was found, and the report names the
voices "Speaker 1", "Speaker 2".
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from pathlib import Path

from polyphony.conversation import Conversation, Participant
from polyphony.errors import InputError, PolyphonyError

_KEYS = {"id", "role", "label", "speaker", "diarized", "note"}


@dataclass(frozen=True)
class Roster:
    participants: tuple[Participant, ...]
    labels: dict[str, str]  # speaker label in a transcript or diarization -> participant id

    def __len__(self) -> int:
        return len(self.participants)

    def mapping(self, speakers: list[str]) -> dict[str, str]:
        """Which of these speaker labels are which roster members."""
        ids = {p.id for p in self.participants}
        return {s: self.labels.get(s, s) for s in speakers
                if s in self.labels or s in ids}


def apply(conv: Conversation, roster: Roster | None) -> Conversation:
    """Rename mapped speakers to roster ids and adopt the roster's participants and roles.

    When no speaker maps to the roster, nobody can say who is who, so the conversation keeps
    its own participants: adding the roster would count speaking people twice, once as
    silent members.
    """
    if roster is None:
        return conv
    mapping = roster.mapping(conv.speakers)
    if not mapping:
        return conv
    renamed = conv.relabel(mapping)
    members = {p.id for p in roster.participants}  # every mapped speaker is one of them
    others = [p for p in renamed.participants if p.id not in members]
    return renamed.with_participants([*roster.participants, *others])


def load(path: str | Path) -> Roster:
    path = Path(path)
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise InputError("roster file not found", path=path, hint="check the path") from None
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise InputError(f"is not a valid TOML roster ({exc})", path=path) from exc
    unknown = sorted(set(data) - {"participant", "note"})
    if unknown:
        raise InputError(f"{unknown[0]} is not a roster key", path=path,
                         hint="a roster holds [[participant]] tables (and an optional note)")
    rows = data.get("participant")
    if not isinstance(rows, list) or not rows:
        raise InputError("lists no [[participant]] entries", path=path,
                         hint="add one [[participant]] table per person present")
    participants: list[Participant] = []
    labels: dict[str, str] = {}
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
        label = row.get("speaker", row.get("diarized"))
        if label is not None:
            if str(label) in labels:
                raise InputError(f"{where} maps speaker {label!r}, already mapped to "
                                 f"{labels[str(label)]!r}", path=path,
                                 hint="one voice is one person: map each label once")
            labels[str(label)] = participant.id
    return Roster(tuple(participants), labels)
