"""SubRip `.srt`: numbered cues, `hh:mm:ss,ttt` times, and the speaker as WhisperX and
whisper-ctranslate2 write it, `[SPEAKER_00]: text`.

Reading understands the other conventions of `formats.cues` as well.
"""

from __future__ import annotations

from pathlib import Path

from polyphony.conversation import Conversation
from polyphony.files import write_text
from polyphony.formats import cues

_LABEL_SAFE = str.maketrans({"[": "(", "]": ")", "|": "/", "<": "(", ">": ")"})


def _label(name: str) -> str:
    """A name as a `[label]`: brackets, line breaks, `|` (WhisperX variants put a score
    after it) and `<>` (read as markup) would cut it short."""
    return " ".join(name.translate(_LABEL_SAFE).split())


def dumps(conv: Conversation) -> str:
    names = {p.id: p.display for p in conv.participants}
    out = []
    for n, u in enumerate((u for u in conv.utterances if u.has_text), 1):
        out += [str(n), f"{cues.stamp(u.start, ',')} --> {cues.stamp(u.end, ',')}",
                f"[{_label(names[u.speaker])}]: {' '.join(u.text.split())}", ""]
    return "\n".join(out)


def write(conv: Conversation, path: str | Path) -> Path:
    return write_text(path, dumps(conv))


def read(path: str | Path) -> Conversation:
    return cues.read(Path(path), "srt")
