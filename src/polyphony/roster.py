"""Rosters: who was present, their roles, and (once someone has listened) which diarized
voice is whose.

```toml
[[participant]]
id = "anna"              # stable id used in every table
role = "person"          # person | family | network | clinician | peer_practitioner | other
label = "Anna"           # how reports name her (omit it in de-identified reports)
diarized = "SPEAKER_02"  # optional: the diarization label that is her voice
```

Automatic diarization cannot know who is who. A roster without `diarized` entries still
tells the pipeline how many people were present, which constrains clustering and is
checked against what was found; the report then names voices "Speaker 1", "Speaker 2".
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from pathlib import Path

from polyphony.conversation import Participant
from polyphony.errors import InputError, PolyphonyError


@dataclass(frozen=True)
class Roster:
    participants: tuple[Participant, ...]
    diarized: dict[str, str]  # diarization label -> participant id

    def __len__(self) -> int:
        return len(self.participants)


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
    participants, diarized = [], {}
    for n, row in enumerate(rows, 1):
        if not isinstance(row, dict) or "id" not in row:
            raise InputError(f"participant {n} has no id", path=path)
        try:
            participants.append(Participant(str(row["id"]), str(row.get("role", "other")),
                                            row.get("label")))
        except PolyphonyError as exc:
            raise exc.located(path) from None
        if "diarized" in row:
            diarized[str(row["diarized"])] = str(row["id"])
    ids = [p.id for p in participants]
    if len(set(ids)) != len(ids):
        raise InputError("lists a participant id twice", path=path)
    return Roster(tuple(participants), diarized)
