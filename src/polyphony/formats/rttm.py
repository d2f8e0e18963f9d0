"""NIST RTTM: the diarization exchange format (timing only, no text)."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from polyphony.conversation import Conversation, Provenance, Utterance
from polyphony.errors import InputError
from polyphony.files import write_text


def dumps(conv: Conversation, uri: str) -> str:
    """One SPEAKER line per utterance."""
    uri = uri.replace(" ", "_")
    return "".join(
        f"SPEAKER {uri} 1 {u.start:.3f} {u.end - u.start:.3f} <NA> <NA> {u.speaker} <NA> <NA>\n"
        for u in conv.utterances)


def write(conv: Conversation, path: str | Path, uri: str) -> Path:
    return write_text(path, dumps(conv, uri))


def parse(lines: Iterable[str], source: str = "<rttm>") -> list[Utterance]:
    utterances = []
    for n, line in enumerate(lines, 1):
        fields = line.split()
        if not fields or fields[0] != "SPEAKER":
            continue
        try:
            start, duration, speaker = float(fields[3]), float(fields[4]), fields[7]
        except (IndexError, ValueError) as exc:
            raise InputError(f"line {n} is not a valid RTTM SPEAKER line", path=source,
                             hint="expected: SPEAKER uri 1 start duration <NA> <NA> "
                                  "speaker <NA> <NA>") from exc
        if duration <= 0:
            continue  # zero-length segments occur in real RTTMs and carry no speech
        try:
            utterances.append(Utterance(speaker, start, start + duration))
        except InputError as exc:
            raise exc.located(f"{source}, line {n}") from None
    return utterances


def read(path: str | Path) -> Conversation:
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"cannot be read as RTTM ({exc})", path=path) from exc
    return Conversation.build(parse(text.splitlines(), str(path)),
                              provenance=Provenance(source="imported", has_text=False))
