"""NIST STM: timed reference transcripts (`uri channel speaker start end [<label>] text`)."""

from __future__ import annotations

from pathlib import Path

from polyphony.conversation import Conversation, Provenance, Utterance
from polyphony.errors import InputError
from polyphony.files import write_text


def read(path: str | Path) -> Conversation:
    path = Path(path)
    utterances = []
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip() or line.startswith(";;"):
            continue
        fields = line.split(maxsplit=5)
        try:
            speaker, start, end = fields[2], float(fields[3]), float(fields[4])
        except (IndexError, ValueError) as exc:
            raise InputError(f"line {n} is not a valid STM line", path=path) from exc
        text = fields[5] if len(fields) > 5 else ""
        if text.startswith("<"):
            text = text.split(">", 1)[1] if ">" in text else ""
        utterances.append(Utterance(speaker, start, end, text.strip()))
    return Conversation.build(utterances, provenance=Provenance(source="imported"))


def dumps(conv: Conversation, uri: str) -> str:
    return "".join(f"{uri} 1 {u.speaker} {u.start:.3f} {u.end:.3f} {u.text}\n"
                   for u in conv.utterances if u.has_text)


def write(conv: Conversation, path: str | Path, uri: str | None = None) -> Path:
    return write_text(path, dumps(conv, uri or Path(path).stem))
