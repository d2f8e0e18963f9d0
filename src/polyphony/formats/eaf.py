"""ELAN `.eaf`: speech on time-aligned tiers, everything else (words, glosses, translations,
coding) on tiers that hang from them or stand beside them.

Which tiers are speech, by default:
- top-level tiers (no PARENT_REF) of a time-alignable type without a constraint: dependent
  tiers (Symbolic Association and Subdivision, Included In, Time Subdivision) re-annotate
  speech that a top-level tier already holds, so reading them again would count it twice;
- but not a tier that is coding rather than talk: one whose type takes a controlled
  vocabulary, whose name or type says gesture, gaze, comment, note, code, marker, topic,
  translation, gloss, silence, pause, event, noise or metadata, or whose every annotation
  is a number;
- and not an empty tier (ELAN's `default`).
The speaker is the tier's PARTICIPANT when set, else the speaker a `ref@SPK` style id
names, else the tier id, so one person's tiers are one participant. `tiers=` (glob
patterns, `--tiers` on the command line) overrides the choice. The reader notes which tiers
it read as whom, and which it passed over and why.

Time slots without a value (unaligned, common in real files) take a time interpolated
between their aligned neighbours in the file's time order, as ELAN shows them. A reference
tier (`ref@SPK`, whose values are utterance ids, as Toolbox, FLEx and DoReCo exports write
it) takes its text from its transcription child (`tx@SPK`, `orth@SPK`).

Parsed with the standard library's ElementTree: pympi-ling's reader fails on unaligned slots
and loses where a malformed file breaks. pympi-ling still writes the files.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from pathlib import Path

from polyphony.conversation import Conversation
from polyphony.errors import InputError
from polyphony.files import write_text
from polyphony.formats import origin, select
from polyphony.formats.labels import Attribution, is_pause, is_placeholder

_NOT_TALK = re.compile(
    r"(?:^|[^a-z])(gestures?|gaze|comments?|notes?|codes?|coding|markers?|topics?|"
    r"translations?|transl|glosse?s?|silences?|pauses?|events?|noises?|metadata)"
    r"(?:[^a-z]|$)", re.IGNORECASE)
_REF = re.compile(r"^ref(?:[@_\-\s]|t\b|$)", re.IGNORECASE)
_TRANSCRIPTION = re.compile(r"^(?:tx|orth|trs|transcription|text|utterance)(?:[@_\-\s]|t\b|$)",
                            re.IGNORECASE)
_NUMBER = re.compile(r"^[\s(]*[-+]?\d+(?:[.,]\d+)?[\s)]*$")


@dataclass(frozen=True)
class Tier:
    id: str
    participant: str
    type: str
    parent: str | None
    annotations: tuple[tuple[str, str | None, str | None, str], ...]  # id, slot1, slot2, value
    references: tuple[tuple[str, str], ...] = ()  # (the annotation it refers to, value)

    @property
    def speaker(self) -> str:
        """PARTICIPANT, else the speaker that a `type@SPEAKER` tier id names, else the id. A
        placeholder PARTICIPANT (`unknown`, `speaker`, left by a template on every tier)
        would merge different people, so it counts as none."""
        if self.participant and not is_placeholder(self.participant):
            return self.participant
        return self.id.rsplit("@", 1)[1] if "@" in self.id.strip("@") else self.id


def _parse(path: Path) -> tuple[dict[str, float | None], list[Tier], dict[str, ET.Element]]:
    try:
        root = ET.parse(path).getroot()
    except ET.ParseError as exc:
        line, column = exc.position
        raise InputError(f"is not well-formed XML (line {line}, column {column})",
                         path=path, hint="open and save it in ELAN, or fix the XML") from None
    except LookupError as exc:
        raise InputError(f"declares an encoding Python does not know ({exc})",
                         path=path, hint="save it in ELAN as UTF-8") from None
    except OSError as exc:
        raise InputError(f"cannot be read ({exc.strerror})", path=path) from None
    if root.tag != "ANNOTATION_DOCUMENT":
        raise InputError(f"is XML but not an ELAN file (root element <{root.tag}>)", path=path,
                         hint="an .eaf file starts with <ANNOTATION_DOCUMENT>")
    slots: dict[str, float | None] = {}
    for slot in root.iter("TIME_SLOT"):
        value = slot.get("TIME_VALUE")
        try:
            slots[slot.get("TIME_SLOT_ID", "")] = float(value) / 1000 if value else None
        except ValueError:
            raise InputError(f"time slot {slot.get('TIME_SLOT_ID')!r} has TIME_VALUE "
                             f"{value!r}, not milliseconds", path=path) from None
    types = {t.get("LINGUISTIC_TYPE_ID", ""): t for t in root.iter("LINGUISTIC_TYPE")}
    tiers = []
    for tier in root.iter("TIER"):
        annotations = tuple(
            (a.get("ANNOTATION_ID", ""), a.get("TIME_SLOT_REF1"), a.get("TIME_SLOT_REF2"),
             a.findtext("ANNOTATION_VALUE") or "")
            for a in tier.iter("ALIGNABLE_ANNOTATION"))
        references = tuple((a.get("ANNOTATION_REF", ""), a.findtext("ANNOTATION_VALUE") or "")
                           for a in tier.iter("REF_ANNOTATION"))
        tiers.append(Tier(tier.get("TIER_ID", ""), (tier.get("PARTICIPANT") or "").strip(),
                          tier.get("LINGUISTIC_TYPE_REF", ""), tier.get("PARENT_REF"),
                          annotations, references))
    header = {prop.get("NAME"): prop.text or "" for prop in root.iter("PROPERTY")}
    return _interpolate(slots), tiers, types, origin.parse(header.get(origin.NAME, ""))


def _interpolate(slots: dict[str, float | None]) -> dict[str, float | None]:
    """Unaligned slots get a time between the aligned ones around them, in file order
    (ELAN keeps TIME_ORDER sorted); one with no aligned slot on either side stays None."""
    ids = list(slots)
    out = dict(slots)
    previous: int | None = None  # index of the last aligned slot
    for i, sid in enumerate(ids):
        if slots[sid] is None:
            continue
        if previous is not None and i - previous > 1:
            t0, t1 = slots[ids[previous]], slots[sid]
            for k in range(previous + 1, i):
                out[ids[k]] = t0 + (t1 - t0) * (k - previous) / (i - previous)
        previous = i
    return out


def _why_not_talk(tier: Tier, types: dict[str, ET.Element]) -> str | None:
    """Why a tier is not someone's talk, or None when it is."""
    kind = types.get(tier.type)
    if tier.parent is not None:
        return f"depends on {tier.parent}"
    if kind is not None and kind.get("CONSTRAINTS"):
        return f"{kind.get('CONSTRAINTS')} type"
    if kind is not None and kind.get("TIME_ALIGNABLE", "true") == "false":
        return "not time-aligned"
    if not tier.annotations:
        return "empty"
    if kind is not None and kind.get("CONTROLLED_VOCABULARY_REF"):
        return "coding (controlled vocabulary)"
    match = _NOT_TALK.search(tier.id) or _NOT_TALK.search(tier.type)
    if match:
        return f"coding ({match.group(1).lower()})"
    values = [v for *_, v in tier.annotations if v.strip() and not is_pause(v)]
    if values and all(_NUMBER.match(v) for v in values):
        return "coding (numbers only)"
    return None


def _texts(tier: Tier, tiers: list[Tier]) -> tuple[dict[str, str], str | None]:
    """For a reference tier (`ref@SPK`, the language-documentation convention of Toolbox,
    FLEx and DoReCo exports), whose values are utterance ids, the transcription that its
    child tier (`tx@SPK`, `orth@SPK`) holds, by annotation id, and that child's id ("" when
    it has none: its speech has timing but no text); for any other tier, ({}, None)."""
    if not (_REF.match(tier.id) or _REF.match(tier.type)):
        return {}, None
    for child in tiers:
        if child.parent == tier.id and child.references and (
                _TRANSCRIPTION.match(child.id) or _TRANSCRIPTION.match(child.type)):
            texts: dict[str, str] = {}
            for ref, value in child.references:
                texts[ref] = f"{texts[ref]} {value}" if ref in texts else value
            return texts, child.id
    return {}, ""


def read(path: str | Path, tiers: list[str] | None = None) -> Conversation:
    path = Path(path)
    slots, all_tiers, types, exported = _parse(path)
    if tiers is not None:
        chosen_ids = select.matching([t.id for t in all_tiers], tiers, path)
        chosen = [t for t in all_tiers if t.id in chosen_ids]
        passed = {}
    else:
        reasons = {t.id: _why_not_talk(t, types) for t in all_tiers}
        chosen = [t for t in all_tiers if reasons[t.id] is None]
        passed = {tid: why for tid, why in reasons.items() if why is not None}
    if not chosen:
        raise InputError("has no tier that looks like speech", path=path,
                         hint="choose tiers with --tiers; its tiers: " +
                              ", ".join(f"{t} ({why})" for t, why in passed.items()))
    reading = Attribution()
    unresolved = 0
    for tier in chosen:
        texts, source = _texts(tier, all_tiers)
        if source:
            reading.note(f"text of {tier.id} (utterance ids) from its child tier {source}")
        elif source is not None:
            reading.note(f"{tier.id} holds utterance ids and has no transcription tier: "
                         "its speech is timed, without text")
        for aid, ref1, ref2, value in tier.annotations:
            start, end = slots.get(ref1 or ""), slots.get(ref2 or "")
            if start is None or end is None:
                unresolved += 1
                continue
            if end > start:
                text = texts.get(aid, "") if source is not None else value
                reading.add(tier.speaker, start, end, " ".join(text.split()))
    reading.note("read tiers " + ", ".join(
        t.id if t.id == t.speaker else f"{t.id} as {t.speaker}" for t in chosen))
    dependent = [t for t, why in passed.items() if why.startswith("depends on")]
    others = {t: why for t, why in passed.items() if not why.startswith("depends on")}
    if others:
        reading.note("passed over " + ", ".join(f"{t} ({why})" for t, why in others.items())
                     + ": choose tiers with --tiers")
    if dependent:
        reading.note(f"{len(dependent)} dependent tier{'' if len(dependent) == 1 else 's'} "
                     "(words, glosses, translations) not read again as speech")
    if unresolved:
        reading.note(f"{unresolved} annotation{'' if unresolved == 1 else 's'} with a time "
                     "slot that cannot be placed in time left out")
    conv = reading.build()
    return origin.restore(conv, exported) if exported else conv


def dumps(conv: Conversation) -> str:
    import mimetypes
    import tempfile

    import pympi

    eaf = pympi.Elan.Eaf(author="polyphony")
    eaf.remove_tier("default")
    tiers = {p.id: f"{p.id} ({p.role})" for p in conv.participants}  # PARTICIPANT is the id
    for p in conv.participants:
        eaf.add_tier(tiers[p.id], part=p.id, ann=p.label or "")
    for u in conv.utterances:
        eaf.add_annotation(tiers[u.speaker], round(u.start * 1000), round(u.end * 1000),
                           u.text)
    prov = conv.provenance
    if prov.recording_sha256:  # the link back to the recording (origin.py)
        eaf.add_property(origin.NAME, origin.record(conv))
        if prov.recording:  # ELAN finds the recording beside the file, to listen while editing
            kind = mimetypes.guess_type(prov.recording)[0] or "audio/*"
            eaf.add_linked_file(prov.recording, relpath=prov.recording, mimetype=kind)
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "x.eaf"
        eaf.to_file(str(out))
        return out.read_text(encoding="utf-8")


def write(conv: Conversation, path: str | Path) -> Path:
    return write_text(path, dumps(conv))
