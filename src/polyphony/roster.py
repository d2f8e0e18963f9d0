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
    rows = data.get("participant")
    if not isinstance(rows, list) or not rows:
        raise InputError("lists no [[participant]] entries", path=path,
                         hint="add one [[participant]] table per person present")
    participants, labels = [], {}
    for n, row in enumerate(rows, 1):
        if not isinstance(row, dict) or "id" not in row:
            raise InputError(f"participant {n} has no id", path=path)
        try:
            participants.append(Participant(str(row["id"]), str(row.get("role", "other")),
                                            row.get("label")))
        except PolyphonyError as exc:
            raise exc.located(path) from None
        label = row.get("speaker", row.get("diarized"))
        if label is not None:
            labels[str(label)] = str(row["id"])
    ids = [p.id for p in participants]
    if len(set(ids)) != len(ids):
        raise InputError("lists a participant id twice", path=path)
    return Roster(tuple(participants), labels)
