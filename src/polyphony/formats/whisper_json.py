"""Whisper-family JSON transcripts: WhisperX (`--diarize` or not), whisper-ctranslate2,
openai-whisper, whisper-timestamped and insanely-fast-whisper.

They share one shape with many spellings, all read here:
- utterances are `segments` (`start`, `end`, `text`), or insanely-fast-whisper's `speakers`
  (diarized) or `chunks`, each with `timestamp: [start, end]`;
- the speaker is `speaker` (or `speaker_id`), else that of most of the segment's words; a
  producer's placeholder (`UNKNOWN`) names nobody, and a file where no segment has one has
  no speaker labels at all;
- words are `words` (a list, or `null` when not aligned), each `word` or `text`, with
  `start`/`end` (WhisperX leaves both out for numbers it could not align) and `score`,
  `probability` or `confidence`.
Writing gives WhisperX's layout, `segments` and `word_segments`.
"""

from __future__ import annotations

import json
import math
from collections import Counter
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from polyphony.conversation import Conversation, Word
from polyphony.errors import InputError
from polyphony.files import read_json, write_json
from polyphony.formats.labels import Attribution

SPEAKER_KEYS = ("speaker", "speaker_id")
WORD_TEXT_KEYS = ("word", "text")
SCORE_KEYS = ("score", "probability", "confidence")


def recognises(data: Any) -> bool:
    return isinstance(data, Mapping) and any(
        isinstance(data.get(key), list) for key in ("segments", "speakers", "chunks"))


def _number(value: Any, where: str, key: str, path: Path) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise InputError(f"{where} has {key} = {json.dumps(value)[:40]}, not a number of "
                         "seconds", path=path)
    return float(value)


def _times(item: Mapping[str, Any], where: str, path: Path) -> tuple[float, float] | None:
    """(start, end) from `start`/`end` or `timestamp: [start, end]`; None when the end is
    missing (insanely-fast-whisper's last chunk can be `[x, null]`)."""
    if "timestamp" in item:
        stamp = item["timestamp"]
        if not isinstance(stamp, list) or len(stamp) != 2:
            raise InputError(f"{where} has a timestamp that is not [start, end]", path=path)
        if stamp[1] is None:
            return None
        return (_number(stamp[0], where, "timestamp[0]", path),
                _number(stamp[1], where, "timestamp[1]", path))
    for key in ("start", "end"):
        if key not in item:
            raise InputError(f"{where} has no {key!r}", path=path,
                             hint="each segment needs 'start' and 'end' in seconds")
    return (_number(item["start"], where, "start", path),
            _number(item["end"], where, "end", path))


def _speaker(item: Mapping[str, Any]) -> str | None:
    for key in SPEAKER_KEYS:
        value = item.get(key)
        if value is not None:
            return str(value)
    return None


def _words(segment: Mapping[str, Any], speaker: str | None, where: str,
           path: Path) -> tuple[Word, ...]:
    words = segment.get("words")
    if words is None:
        return ()
    if not isinstance(words, list):
        raise InputError(f"{where} has 'words' that is not a list", path=path)
    out = []
    for i, w in enumerate(words):
        if not isinstance(w, Mapping):
            raise InputError(f"{where}, word {i} is not an object", path=path)
        if "start" not in w or "end" not in w:
            continue  # WhisperX could not align it (numbers, symbols): no time to give it
        start = _number(w["start"], f"{where}, word {i}", "start", path)
        end = _number(w["end"], f"{where}, word {i}", "end", path)
        text = next((str(w[k]) for k in WORD_TEXT_KEYS if k in w), "").strip()
        score = next((w[k] for k in SCORE_KEYS if isinstance(w.get(k), int | float)), None)
        out.append(Word(start, max(end, start), text, _speaker(w) or speaker, score))
    return tuple(out)


def read(path: str | Path) -> Conversation:
    path = Path(path)
    data = read_json(path)
    if not recognises(data):
        keys = ", ".join(list(data)[:8]) if isinstance(data, Mapping) else type(data).__name__
        raise InputError(f"is not a Whisper-style JSON transcript (found: {keys})",
                         path=path, hint="expected a 'segments' list, as WhisperX, "
                                         "whisper-ctranslate2 and openai-whisper write")
    # insanely-fast-whisper keeps `speakers` empty when it did not diarize; then `chunks`
    key = next((k for k in ("segments", "speakers", "chunks")
                if isinstance(data.get(k), list) and data[k]), None)
    if key is None:
        raise InputError("holds no segments: the recording had no speech Whisper could "
                         "transcribe", path=path, hint="check that this is the right file")
    items = data[key]
    labelled = any(isinstance(s, Mapping) and _speaker(s) is not None for s in items)
    reading = Attribution()
    open_ended = 0
    for n, item in enumerate(items):
        where = f"{key}[{n}]"
        if not isinstance(item, Mapping):
            raise InputError(f"{where} is not an object", path=path)
        times = _times(item, where, path)
        if times is None:
            open_ended += 1
            continue
        text = " ".join(str(item.get("text") or "").split())
        start, end = times
        if end <= start:
            continue  # Whisper emits zero-length segments; they hold no speech
        speaker = _speaker(item)
        words = _words(item, speaker, where, path)
        if speaker is None and any(w.speaker for w in words):
            # WhisperX labels words on their own; a segment it could not label takes the
            # speaker of most of its words
            speaker = Counter(w.speaker for w in words if w.speaker).most_common(1)[0][0]
        if labelled:
            reading.add(speaker, start, end, text, words)
        else:
            reading.add_unlabelled(start, end, text, words)
    if open_ended:
        reading.note(f"{open_ended} {key} without an end time left out")
    if not labelled:
        reading.note("no segment names a speaker (the file was not diarized): all speech "
                     "is read as one participant 'unknown'")
    return reading.build(speaker_labels=labelled)


def to_dict(conv: Conversation) -> dict[str, Any]:
    segments = [{
        "start": u.start, "end": u.end, "text": u.text, "speaker": u.speaker,
        "words": [{"word": w.text, "start": w.start, "end": w.end, "score": w.probability,
                   "speaker": w.speaker or u.speaker} for w in u.words],
    } for u in conv.utterances]
    return {"segments": segments,
            "word_segments": [w for s in segments for w in s["words"]]}


def write(conv: Conversation, path: str | Path) -> Path:
    return write_json(path, to_dict(conv))
