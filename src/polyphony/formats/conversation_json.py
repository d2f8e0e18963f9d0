"""polyphony's own conversation.json: everything a Conversation holds, versioned."""

from __future__ import annotations

import json
from pathlib import Path

from polyphony.conversation import Conversation
from polyphony.errors import InputError
from polyphony.files import write_json


def write(conv: Conversation, path: str | Path) -> Path:
    return write_json(path, conv.to_dict())


def read(path: str | Path) -> Conversation:
    path = Path(path)
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise InputError(f"is not a readable conversation.json ({exc})", path=path) from exc
    try:
        return Conversation.from_dict(data)
    except InputError as exc:
        raise exc.located(path) from None
