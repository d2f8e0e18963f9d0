"""WebVTT with `<v Speaker>` voice tags, which video players and ELAN both show."""

from __future__ import annotations

import re
from html import escape, unescape
from pathlib import Path

from polyphony.conversation import Conversation, Provenance, Utterance
from polyphony.errors import InputError
from polyphony.files import write_text

_VOICE = re.compile(r"<v(?:\.[\w.-]+)?\s+([^>]+)>")
_TAG = re.compile(r"</?[^>]+>")


def _stamp(t: float) -> str:
    ms = round(t * 1000)
    h, rem = divmod(ms, 3_600_000)
    m, rem = divmod(rem, 60_000)
    s, ms = divmod(rem, 1000)
    return f"{h:02d}:{m:02d}:{s:02d}.{ms:03d}"


def _voice(name: str) -> str:
    return name.replace(">", "").replace("&", "and").strip() or "unknown"


def _seconds(stamp: str) -> float:
    """`hh:mm:ss.ttt` or `mm:ss.ttt` to seconds (webvtt-py's own rounds to whole seconds)."""
    parts = [float(p) for p in stamp.split(":")]
    return sum(p * 60 ** i for i, p in enumerate(reversed(parts)))


def dumps(conv: Conversation) -> str:
    """One cue per utterance with text; speakers shown by their roster label."""
    names = {p.id: p.display for p in conv.participants}
    cues = ["WEBVTT", ""]
    for n, u in enumerate((u for u in conv.utterances if u.has_text), 1):
        text = escape(u.text, quote=False)
        cues += [str(n), f"{_stamp(u.start)} --> {_stamp(u.end)}",
                 f"<v {_voice(names[u.speaker])}>{text}", ""]
    return "\n".join(cues)


def write(conv: Conversation, path: str | Path) -> Path:
    return write_text(path, dumps(conv))


def read(path: str | Path) -> Conversation:
    """Cues become utterances; the `<v>` tag names the speaker (`unknown` without one)."""
    import webvtt
    from webvtt.errors import MalformedFileError

    path = Path(path)
    try:
        captions = webvtt.read(str(path))
    except (MalformedFileError, UnicodeDecodeError) as exc:
        raise InputError(f"is not a valid WebVTT file ({exc})", path=path) from exc
    utterances = []
    for cue in captions:
        raw = cue.raw_text
        voice = _VOICE.search(raw)
        text = unescape(_TAG.sub("", raw))
        speaker = voice.group(1).strip() if voice else "unknown"
        utterances.append(Utterance(speaker, _seconds(cue.start), _seconds(cue.end),
                                    " ".join(text.split())))
    return Conversation.build(utterances, provenance=Provenance(source="imported"))
