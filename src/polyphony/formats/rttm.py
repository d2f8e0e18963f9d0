"""NIST RTTM: the diarization exchange format (timing only, no text), with optional UEM
(the scored region)."""

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


def write(conv: Conversation, path: str | Path, uri: str | None = None) -> Path:
    return write_text(path, dumps(conv, uri or Path(path).stem))


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
        utterances.append(Utterance(speaker, start, start + duration))
    return utterances


def read_uem(path: str | Path) -> tuple[float, float]:
    """The scored region: from the first UEM start to the last UEM end."""
    path = Path(path)
    spans = []
    for n, line in enumerate(_lines(path), 1):
        fields = line.split()
        if not fields or fields[0].startswith(";"):
            continue
        try:
            spans.append((float(fields[2]), float(fields[3])))
        except (IndexError, ValueError) as exc:
            raise InputError(f"line {n} is not a valid UEM line (uri channel start end)",
                             path=path) from exc
    if not spans:
        raise InputError("holds no UEM region", path=path)
    return min(s for s, _ in spans), max(e for _, e in spans)


def _lines(path: Path) -> list[str]:
    try:
        return path.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"cannot be read as text ({exc})", path=path) from exc


def read(path: str | Path, uem: str | Path | None = None) -> Conversation:
    path = Path(path)
    return Conversation.build(parse(_lines(path), str(path)),
                              region=read_uem(uem) if uem else None,
                              provenance=Provenance(source="imported", has_text=False))
