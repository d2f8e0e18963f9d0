"""WebVTT with `<v Speaker>` voice tags, which video players, Teams and ELAN all show.

Reading understands the speaker conventions of Zoom, Teams and WhisperX exports too
(`formats.cues`).
"""

from __future__ import annotations

from html import escape
from pathlib import Path

from polyphony.conversation import Conversation
from polyphony.files import write_text
from polyphony.formats import cues


def dumps(conv: Conversation) -> str:
    """One cue per utterance with text; speakers shown by their roster label, escaped so
    that a name such as `<b>` or `A & B` reads back as itself."""
    names = {p.id: p.display for p in conv.participants}
    out = ["WEBVTT", ""]
    for n, u in enumerate((u for u in conv.utterances if u.has_text), 1):
        voice = " ".join(escape(names[u.speaker]).split())
        out += [str(n), f"{cues.stamp(u.start)} --> {cues.stamp(u.end)}",
                f"<v {voice}>{escape(u.text, quote=False)}", ""]
    return "\n".join(out)


def write(conv: Conversation, path: str | Path) -> Path:
    return write_text(path, dumps(conv))


def read(path: str | Path) -> Conversation:
    return cues.read(Path(path), "vtt")
