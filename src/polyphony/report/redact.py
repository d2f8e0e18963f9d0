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
import unicodedata
from collections.abc import Iterable, Mapping
from functools import cache

from polyphony.conversation import Participant
from polyphony.report.cards import ANONYMOUS_ID, ANONYMOUS_LABEL

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
_ALIAS = re.compile(r"^Participant \d+$")  # this module's own name for a role `other`
# Names that are also everyday words, and prefixes of names that are: replaced only when
# capitalised, or "I will step up" would lose two words.
_COMMON = {"will", "bill", "mark", "rob", "pat", "sue", "step", "jack", "rose", "grace",
           "hope", "joy", "faith", "may", "june", "april", "dawn", "summer", "ray", "dean",
           "drew", "art", "frank", "rich", "sky", "holly", "ivy", "robin"}
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
    parts without titles or punctuation, a first name's short forms, and each without its
    accents ("Siobhán": "Siobhan") and with either apostrophe (' or U+2019).
    Give every source of names: the conversation's participants, and the consent
    manifest's and the roster's people, which an automatic run that named no voice does
    not carry. Diarization's own labels ("Speaker 3") are no one's name."""
    names: set[str] = set()
    for p in participants:
        for whole in filter(None, (p.label, p.id.replace("_", " "))):
            if any(p.match(whole) for p in (ANONYMOUS_LABEL, ANONYMOUS_ID, _ALIAS)):
                continue
            parts = [w.strip("'’.,") for w in re.split(r"[^\w'’]+", whole)]
            parts = [w for w in parts if w and w.lower() not in _TITLES]
            names.add(" ".join(parts))
            names.update(w for w in parts if len(w) > 1)
            if parts:
                names.update(_SHORT.get(parts[0].lower(), ()))
                if len(parts[0]) > 5:
                    names.add(parts[0][:4])
    variants = set()
    for n in names:
        variants |= {n, _plain(n), n.replace("'", "’"), n.replace("’", "'")}
    return {n for n in variants if len(n) > 1}


def _plain(text: str) -> str:
    """`text` without its accents."""
    return "".join(c for c in unicodedata.normalize("NFKD", text)
                   if not unicodedata.combining(c))


@cache
def _ner():
    import spacy

    from polyphony.models import model_path

    return spacy.load(model_path("spacy-en-core-web-sm"),
                      disable=["tagger", "parser", "lemmatizer", "attribute_ruler"])


def redact(texts: list[str], names: set[str]) -> list[str]:
    """Each text with the roster's names, spaCy's entities, ages, phone numbers and e-mail
    addresses replaced by what they were ("[name]", ...)."""
    # A name is matched whole (not inside a word), in any case, except a short form that is
    # also a word ("Will", "Bill"): that one only capitalised, as a name is written.
    words = {n for n in names if n.lower() in _COMMON}
    pattern = _alternatives(names - words, re.IGNORECASE)
    capitalised = _alternatives(words, 0)
    spoken = [t for t in texts if t.strip()]  # a text-less transcript loads no model
    docs = dict(zip(spoken, _ner().pipe(spoken), strict=True)) if spoken else {}
    out = []
    for text in texts:
        if not text.strip():
            out.append(text)
            continue
        doc = docs[text]
        spans = []  # patterns first: where spans start together, the first one's tag wins
        for regex, tag in ((_EMAIL, "[e-mail]"), (_PHONE, "[number]"), (_AGE, "[age]")):
            spans += [(m.start(), m.end(), tag) for m in regex.finditer(text)]
        for regex in (pattern, capitalised):
            if regex is not None:
                spans += [(m.start(), m.end(), "[name]") for m in regex.finditer(text)]
        spans += [(e.start_char, e.end_char, _ENTITIES[e.label_]) for e in doc.ents
                  if _ENTITIES.get(e.label_) and (e.label_ not in ("DATE", "TIME")
                                                  or _ABSOLUTE.search(e.text))]
        out.append(_replace(text, spans))
    return out


def _alternatives(names: set[str], flags: int) -> re.Pattern[str] | None:
    if not names:
        return None
    alternatives = "|".join(sorted(map(re.escape, names), key=len, reverse=True))
    return re.compile(rf"(?<!\w)({alternatives})(?!\w)", flags)


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
    """Which of `names` appear, as words, in `texts`, in any case (a common word such as
    "will" only capitalised): what a redaction test checks."""
    joined = "\n".join(texts)
    return {n for n in names if re.search(rf"(?<!\w){re.escape(n)}(?!\w)", joined,
                                          0 if n.lower() in _COMMON else re.IGNORECASE)}
