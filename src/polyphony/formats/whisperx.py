"""WhisperX JSON: `segments` with `speaker` and `words` (each with `word`, `start`, `end`,
`score`, `speaker`), as `whisperx --diarize` writes it."""

from __future__ import annotations

import json
from pathlib import Path

from polyphony.conversation import Conversation, Provenance, Utterance, Word
from polyphony.errors import InputError
from polyphony.files import write_json

UNKNOWN = "UNKNOWN"


def read(path: str | Path) -> Conversation:
    path = Path(path)
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        segments = data["segments"]
    except (OSError, UnicodeDecodeError, json.JSONDecodeError, KeyError, TypeError) as exc:
        raise InputError(f"is not a WhisperX JSON file ({exc})", path=path) from exc
    utterances = []
    for n, seg in enumerate(segments):
        try:
            speaker = seg.get("speaker") or UNKNOWN
            words = tuple(
                Word(float(w["start"]), float(w["end"]), w["word"].strip(),
                     w.get("speaker") or speaker, w.get("score"))
                for w in seg.get("words", ()) if "start" in w and "end" in w)
            utterances.append(Utterance(speaker, float(seg["start"]), float(seg["end"]),
                                        seg.get("text", "").strip(), words))
        except (KeyError, TypeError, ValueError) as exc:
            raise InputError(f"segment {n} is malformed ({exc})", path=path) from exc
    return Conversation.build(utterances, provenance=Provenance(source="imported"))


def to_dict(conv: Conversation) -> dict:
    segments = [{
        "start": u.start, "end": u.end, "text": u.text, "speaker": u.speaker,
        "words": [{"word": w.text, "start": w.start, "end": w.end, "score": w.probability,
                   "speaker": w.speaker or u.speaker} for w in u.words],
    } for u in conv.utterances]
    return {"segments": segments,
            "word_segments": [w for s in segments for w in s["words"]]}


def write(conv: Conversation, path: str | Path) -> Path:
    return write_json(path, to_dict(conv))
