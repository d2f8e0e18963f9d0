"""ELAN `.eaf`: one tier per speaker, annotations in milliseconds (pympi-ling)."""

from __future__ import annotations

from pathlib import Path

from polyphony.conversation import Conversation, Provenance, Utterance
from polyphony.errors import InputError
from polyphony.files import write_text


def read(path: str | Path) -> Conversation:
    """Each tier is a speaker (its PARTICIPANT attribute when set, else its name)."""
    import pympi

    path = Path(path)
    try:
        eaf = pympi.Elan.Eaf(str(path))
    except Exception as exc:  # pympi raises bare exceptions on malformed XML
        raise InputError(f"is not a readable ELAN file ({exc})", path=path) from exc
    utterances = []
    for tier, (_, _, attributes, _) in eaf.tiers.items():
        speaker = attributes.get("PARTICIPANT") or tier
        for start, end, value, *_ in eaf.get_annotation_data_for_tier(tier):
            if end > start:
                utterances.append(Utterance(speaker, start / 1000, end / 1000, value or ""))
    return Conversation.build(utterances, provenance=Provenance(source="imported"))


def dumps(conv: Conversation) -> str:
    import tempfile

    import pympi

    eaf = pympi.Elan.Eaf(author="polyphony")
    eaf.remove_tier("default")
    for p in conv.participants:
        eaf.add_tier(p.id, part=p.id)
    for u in conv.utterances:
        eaf.add_annotation(u.speaker, round(u.start * 1000), round(u.end * 1000), u.text)
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "x.eaf"
        eaf.to_file(str(out))
        return out.read_text(encoding="utf-8")


def write(conv: Conversation, path: str | Path) -> Path:
    return write_text(path, dumps(conv))
