"""polyphony's own conversation.json: everything a Conversation holds, versioned."""

from __future__ import annotations

import json
from pathlib import Path

from polyphony.conversation import Conversation
from polyphony.errors import InputError
from polyphony.files import read_text, write_json


def write(conv: Conversation, path: str | Path) -> Path:
    return write_json(path, conv.to_dict())


def read(path: str | Path) -> Conversation:
    path = Path(path)
    try:
        data = json.loads(read_text(path))
    except json.JSONDecodeError as exc:
        raise InputError(f"is not a readable conversation.json ({exc.msg} at line "
                         f"{exc.lineno}, column {exc.colno})", path=path) from None
    try:
        return Conversation.from_dict(data)
    except InputError as exc:
        raise exc.located(path) from None
