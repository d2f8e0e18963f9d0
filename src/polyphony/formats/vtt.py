"""WebVTT with `<v Speaker>` voice tags, which video players and ELAN both show."""

from __future__ import annotations

from pathlib import Path

from polyphony.conversation import Conversation
from polyphony.files import write_text


def _stamp(t: float) -> str:
    ms = round(t * 1000)
    h, rem = divmod(ms, 3_600_000)
    m, rem = divmod(rem, 60_000)
    s, ms = divmod(rem, 1000)
    return f"{h:02d}:{m:02d}:{s:02d}.{ms:03d}"


def _voice(name: str) -> str:
    return name.replace(">", "").replace("&", "and").strip() or "unknown"


def dumps(conv: Conversation) -> str:
    """One cue per utterance with text; speakers shown by their roster label."""
    names = {p.id: p.display for p in conv.participants}
    cues = ["WEBVTT", ""]
    for n, u in enumerate((u for u in conv.utterances if u.has_text), 1):
        text = u.text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
        cues += [str(n), f"{_stamp(u.start)} --> {_stamp(u.end)}",
                 f"<v {_voice(names[u.speaker])}>{text}", ""]
    return "\n".join(cues)


def write(conv: Conversation, path: str | Path) -> Path:
    return write_text(path, dumps(conv))
