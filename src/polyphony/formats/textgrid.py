"""Praat TextGrid: one interval tier per speaker (praatio). Empty intervals are silence."""

from __future__ import annotations

from pathlib import Path

from polyphony.conversation import Conversation, Provenance, Utterance
from polyphony.errors import InputError
from polyphony.files import write_text


def read(path: str | Path) -> Conversation:
    from praatio import textgrid

    path = Path(path)
    try:
        grid = textgrid.openTextgrid(str(path), includeEmptyIntervals=False)
    except Exception as exc:  # praatio raises several types on malformed files
        raise InputError(f"is not a readable TextGrid ({exc})", path=path) from exc
    utterances = []
    for name in grid.tierNames:
        tier = grid.getTier(name)
        for entry in tier.entries:
            if len(entry) == 3 and entry[1] > entry[0] and entry[2].strip():
                utterances.append(Utterance(name, float(entry[0]), float(entry[1]),
                                            entry[2].strip()))
    return Conversation.build(utterances, region=(grid.minTimestamp, grid.maxTimestamp),
                              provenance=Provenance(source="imported"))


def dumps(conv: Conversation) -> str:
    import tempfile

    from praatio import textgrid

    t0, t1 = conv.region
    grid = textgrid.Textgrid(t0, t1)
    for p in conv.participants:
        entries = [(u.start, u.end, u.text) for u in conv.utterances if u.speaker == p.id]
        merged: list[tuple[float, float, str]] = []
        for start, end, text in entries:  # a tier's intervals may not overlap
            if merged and start < merged[-1][1]:
                s, e, t = merged[-1]
                merged[-1] = (s, max(e, end), f"{t} {text}".strip())
            else:
                merged.append((start, end, text))
        grid.addTier(textgrid.IntervalTier(p.id, merged, t0, t1))
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "x.TextGrid"
        grid.save(str(out), format="long_textgrid", includeBlankSpaces=True)
        return out.read_text(encoding="utf-8")


def write(conv: Conversation, path: str | Path) -> Path:
    return write_text(path, dumps(conv))
