"""De-identification for an Action Learning Set: people by role, and the transcript with
names, places, dates, ages and phone numbers replaced.

Two sources of names, because neither alone is enough. spaCy's NER (the bundled
`en_core_web_sm`, with its NER component, which the metrics do not load) finds people,
places, organisations, dates, times and ages it has learned to see; the roster knows the
names of the very people in the room, which a small model misses when they are lower-case
or unusual. Every roster label and id is replaced, with its parts ("Dr Lee" also as "Lee")
and common short forms ("Tom" for "Thomas", a long first name's first four letters).
Phone numbers, ages and e-mail addresses go by pattern. What is replaced is said in
brackets ("[name]", "[place]", "[date]", "[number]"), so that the reader knows something
was there.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from functools import cache

from polyphony.conversation import Participant

ROLE_LABELS = {"person": "Person at the centre", "family": "Family member",
               "network": "Network member", "clinician": "Clinician",
               "peer_practitioner": "Peer practitioner", "other": "Participant"}
_ENTITIES = {"PERSON": "[name]", "NORP": None, "GPE": "[place]", "LOC": "[place]",
             "FAC": "[place]", "ORG": "[organisation]", "DATE": "[date]", "TIME": "[time]"}
# A date or time is replaced when it could place the meeting ("3 May", "2019", "Friday the
# 12th"); "today" and "all night" say nothing about who or where, and stay.
_ABSOLUTE = re.compile(r"\d|\b(jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\b",
                       re.IGNORECASE)
_PHONE = re.compile(r"(?<!\w)(?:\+?\d[\d ()-]{6,}\d)(?!\w)")
_EMAIL = re.compile(r"[\w.+-]+@[\w-]+\.[\w.-]+")
_AGE = re.compile(r"\b\d{1,3}[- ](?:years?|yrs?)[- ]old\b|\baged? \d{1,3}\b", re.IGNORECASE)
_TITLES = {"dr", "mr", "mrs", "ms", "miss", "prof", "nurse", "doctor"}
# Short forms a prefix does not give; a first name of more than five letters is also
# replaced by its first four ("Alexandra": "Alex").
_SHORT = {"thomas": ("Tom", "Tommy"), "william": ("Will", "Bill", "Billy"),
          "robert": ("Rob", "Bob", "Bobby"), "richard": ("Rich", "Rick", "Dick"),
          "elizabeth": ("Liz", "Beth", "Lizzie"), "margaret": ("Maggie", "Meg", "Peggy"),
          "katherine": ("Kate", "Kathy", "Katie"), "catherine": ("Cathy", "Kate", "Katie"),
          "michael": ("Mike", "Mick"), "james": ("Jim", "Jimmy", "Jamie"),
          "jennifer": ("Jen", "Jenny"), "samuel": ("Sam", "Sammy"),
          "samantha": ("Sam", "Sammy"), "rebecca": ("Becky", "Becca"),
          "christopher": ("Chris",), "christine": ("Chris", "Chrissie"),
          "joseph": ("Joe", "Joey"), "josephine": ("Jo", "Josie"), "daniel": ("Dan", "Danny"),
          "patricia": ("Pat", "Patty"), "patrick": ("Pat", "Paddy"), "edward": ("Ed", "Eddie"),
          "anthony": ("Tony",), "nicholas": ("Nick",), "susan": ("Sue", "Suzie"),
          "deborah": ("Debbie", "Deb"), "jonathan": ("Jon", "Jonny"), "john": ("Johnny",),
          "benjamin": ("Ben", "Benny"), "matthew": ("Matt",), "andrew": ("Andy", "Drew")}


def aliases(participants: Iterable[Participant]) -> dict[str, str]:
    """Neutral labels by role: "Person at the centre", "Family member 1", "Clinician 2"
    (numbered only where a role has more than one)."""
    people = list(participants)
    totals: dict[str, int] = {}
    for p in people:
        totals[p.role] = totals.get(p.role, 0) + 1
    seen: dict[str, int] = {}
    out = {}
    for p in people:
        seen[p.role] = seen.get(p.role, 0) + 1
        label = ROLE_LABELS.get(p.role, "Participant")
        out[p.id] = label if totals[p.role] == 1 else f"{label} {seen[p.role]}"
    return out


def roster_names(participants: Iterable[Participant]) -> set[str]:
    """Every form of the people's names a transcript may use: each label and id, their
    parts without titles, and a first name's short form. Give every source of names: the
    conversation's participants, and the consent manifest's and the roster's people, which
    an automatic run that named no voice does not carry."""
    names: set[str] = set()
    for p in participants:
        for whole in filter(None, (p.label, p.id.replace("_", " "))):
            parts = [w for w in re.split(r"[\s_.-]+", whole) if w]
            names.add(whole)
            names.update(w for w in parts if w.lower() not in _TITLES and len(w) > 1)
            plain = [w for w in parts if w.lower() not in _TITLES]
            if plain:
                names.update(_SHORT.get(plain[0].lower(), ()))
                if len(plain[0]) > 5:
                    names.add(plain[0][:4])
    return {n for n in names if len(n) > 1}


@cache
def _ner():
    import spacy

    from polyphony.models import model_path

    return spacy.load(model_path("spacy-en-core-web-sm"),
                      disable=["tagger", "parser", "lemmatizer", "attribute_ruler"])


def redact(texts: list[str], names: set[str]) -> list[str]:
    """Each text with the roster's names, spaCy's entities, ages, phone numbers and e-mail
    addresses replaced by what they were ("[name]", ...)."""
    pattern = (re.compile(r"\b(" + "|".join(sorted(map(re.escape, names), key=len,
                                                     reverse=True)) + r")\b",
                          re.IGNORECASE) if names else None)
    out = []
    docs = _ner().pipe(texts) if texts else []
    for text, doc in zip(texts, docs, strict=True):
        spans = []  # patterns first: where spans start together, the first one's tag wins
        for regex, tag in ((_EMAIL, "[e-mail]"), (_PHONE, "[number]"), (_AGE, "[age]")):
            spans += [(m.start(), m.end(), tag) for m in regex.finditer(text)]
        if pattern is not None:
            spans += [(m.start(), m.end(), "[name]") for m in pattern.finditer(text)]
        spans += [(e.start_char, e.end_char, _ENTITIES[e.label_]) for e in doc.ents
                  if _ENTITIES.get(e.label_) and (e.label_ not in ("DATE", "TIME")
                                                  or _ABSOLUTE.search(e.text))]
        out.append(_replace(text, spans))
    return out


def _replace(text: str, spans: list[tuple[int, int, str]]) -> str:
    """`text` with each span replaced, overlapping spans merged (the first tag wins)."""
    merged: list[list] = []
    for start, end, tag in sorted(spans, key=lambda span: span[0]):  # stable
        if merged and start < merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], end)
        else:
            merged.append([start, end, tag])
    pieces, at = [], 0
    for start, end, tag in merged:
        pieces += [text[at:start], tag]
        at = end
    return "".join(pieces) + text[at:]


def names_in(texts: Iterable[str], names: Mapping[str, str] | set[str]) -> set[str]:
    """Which of `names` appear, as words, in `texts`: what a redaction test checks."""
    joined = "\n".join(texts)
    return {n for n in names
            if re.search(r"\b" + re.escape(n) + r"\b", joined, re.IGNORECASE)}
