"""TalkBank CHAT (`.cha`), the format of CHILDES, CABank and conversation-analysis research:
`*SPK:` main lines timed by media bullets (`\\x15start_end\\x15`, in milliseconds).

Reading:
- participants come from `@Participants` (`CODE Name Role`), ids are the codes, and a
  CHAT role maps to a polyphony role where one fits (Mother -> family, Therapist ->
  clinician, Target_Child or Patient -> person, ...; the rest are `other`, for the roster
  to say); a participant whose CHAT role is `Unidentified` (CABank's pause and applause
  pseudo-speakers, `UNK`) names nobody;
- an utterance runs from its first bullet to its last, continuation lines included; one
  without a bullet has no time and is left out (the reader counts them), and a file with
  no bullets at all is refused, since no timing metric can be computed from it;
- the text is the main line without CHAT's codes (`[...]` scopes, `&=events`, `xxx`,
  pauses, CA arrows), so that words and questions are counted on what was said; `0` (an
  action without words) is not speech; dependent tiers (`%mor`, `%wor`, ...) are not read.

Writing gives a file CLAN reads back: `@Participants` and `@ID` headers (the polyphony id
and role kept in the @ID custom field, so a corrected file round-trips) and one bulleted
main line per utterance. Text from other formats passes through CHAT's syntax: its reserved
characters are spelled out or dropped (`&` -> "and", `[` -> "("), an utterance without a
terminator gains " .", and one without words is written `xxx` (speech not transcribed).
"""

from __future__ import annotations

import re
from pathlib import Path

from polyphony.conversation import Conversation, Participant
from polyphony.errors import InputError
from polyphony.files import read_text, split_lines, write_text
from polyphony.formats.labels import Attribution

_BULLET = re.compile(r"\x15(\d+)_(\d+)\x15")
_CODE = re.compile(r"^[A-Za-z0-9_']{1,12}$")
_SCOPED = re.compile(r"\[[^\]]*\]")  # [/], [//], [= text], [+ bch], [>], [<], [*] ...
_EVENT = re.compile(r"&[=~+\-]?\S+|\(\.+\)|\(\d+(?:[.:]\d+)*\)")
_UNCLEAR = re.compile(r"\b(?:xxx|yyy|www)\b")
_CA = re.compile("[\u2190-\u21ff\u2300-\u23ff\u2500-\u25ff\u2580-\u259f\u00b0\u02c8"
                 "\u02cc\u2047\u204e\u2206\u2207\u2219\u222c\u263a\u264b\u00a7\u201e"
                 "\u2021\u223e\u2260\u21bb\u0001\u0002<>+\"^]")
ROLES = {
    "family": ("mother", "father", "brother", "sister", "sibling", "grandmother",
               "grandfather", "grandparent", "relative", "aunt", "uncle", "cousin",
               "husband", "wife", "partner", "son", "daughter", "parent", "child"),
    "clinician": ("therapist", "doctor", "clinician", "nurse", "physician", "psychiatrist",
                  "psychologist", "counselor", "counsellor", "social_worker"),
    "person": ("target_child", "target_adult", "patient", "client"),
    "network": ("friend", "neighbor", "neighbour", "playmate", "teacher", "caretaker"),
}
_CHAT_ROLE = {"person": "Target_Adult", "family": "Relative", "network": "Friend",
              "clinician": "Therapist", "peer_practitioner": "Participant",
              "other": "Participant"}
_CUSTOM = "polyphony:"
# CHAT reads these as its own codes (scopes, events, word markers, linkers, bullets): text
# from other formats spells them out or drops them, so that it reads back as words.
_WRITE_SAFE = str.maketrans({"[": "(", "]": ")", "\x15": " ", "&": " and ", "@": " at ",
                             "+": " plus ", "<": "", ">": "", '"': "", "^": ""})


def _role(chat_role: str) -> str:
    lowered = chat_role.lower()
    return next((role for role, names in ROLES.items() if lowered in names), "other")


def _logical_lines(text: str) -> list[tuple[int, str]]:
    """(first line number, line) with continuation lines (starting with a tab) joined on."""
    out: list[tuple[int, str]] = []
    for n, line in enumerate(split_lines(text), 1):
        if line.startswith(("\t", " ")) and out:
            out[-1] = (out[-1][0], f"{out[-1][1]} {line.strip()}")
        elif line.strip():
            out.append((n, line.lstrip("\ufeff")))
    return out


def _header(line: str) -> tuple[str, str]:
    name, _, value = line.partition(":")
    return name.strip().lower(), value.strip()


def clean(text: str) -> tuple[str, bool]:
    """The words said, without CHAT's transcription codes, and whether anything was said:
    unintelligible speech (`xxx`) is speech without words; `0` and events alone are not."""
    text = _BULLET.sub(" ", text)
    text = _SCOPED.sub(" ", text)
    text = _EVENT.sub(" ", text)
    text = re.sub(r"@\S*", "", text)  # word@s, word@l: language and form markers
    text = re.sub(r"(?<!\S)0\w+", " ", text)  # 0word: a word omitted, not said
    # special terminators (+... +/. +//? +"/.) end as their final mark; linkers (+< +^) go
    text = re.sub(r"\+[^\s\w]*([.?!])\s*$", r" \1", text.rstrip())
    text = re.sub(r"\+[^\s\w]*", " ", text)
    text = _CA.sub("", text)
    spoken = bool(_UNCLEAR.search(text)) or bool(re.search(r"\w", _UNCLEAR.sub("", text)))
    text = _UNCLEAR.sub(" ", text)
    text = re.sub(r"\s+([.?!,])", r"\1", " ".join(text.split()))
    if re.fullmatch(r"0\s*[.?!]?", text):
        return "", False
    text = re.sub(r"^0\s+", "", text)  # `0 [=! laughs] words`: the words are what was said
    return ("" if re.fullmatch(r"[\s.?!,]*", text) else text), spoken


def read(path: str | Path) -> Conversation:
    path = Path(path)
    lines = _logical_lines(read_text(path))
    if not any(line.startswith("@Begin") or line.startswith("@begin") for _, line in lines):
        raise InputError("is not a CHAT file (no @Begin line)", path=path,
                         hint="a CHAT transcript starts with @UTF8 and @Begin")
    participants: dict[str, Participant] = {}
    unidentified: set[str] = set()
    kept: dict[str, tuple[str, str]] = {}  # code -> (role, id) that polyphony wrote
    reading = Attribution()
    untimed = words_none = 0
    for n, line in lines:
        if line.startswith("@"):
            name, value = _header(line[1:])
            if name == "participants":
                for entry in value.split(","):
                    parts = entry.split()
                    if not parts:
                        continue
                    code, chat_role = parts[0], parts[-1] if len(parts) > 1 else ""
                    label = " ".join(parts[1:-1]).replace("_", " ") or None
                    if chat_role.lower() == "unidentified":
                        unidentified.add(code)
                    else:
                        participants[code] = Participant(code, _role(chat_role), label)
            elif name == "id":
                fields = value.split("|")
                if len(fields) > 9 and fields[9].startswith(_CUSTOM):
                    role, _, pid = fields[9][len(_CUSTOM):].partition(":")
                    if role in _CHAT_ROLE and pid:
                        kept[fields[2]] = (role, pid)
            continue
        if not line.startswith("*"):
            continue  # dependent tiers: %mor, %gra, %wor, %com, ...
        code, colon, said = line[1:].partition(":")
        if not colon or not _CODE.match(code.strip()):
            raise InputError(f"line {n} is not a CHAT main line", path=path,
                             hint="expected *CODE:<tab>words ... \\x15start_end\\x15")
        code = code.strip()
        bullets = [(int(a), int(b)) for a, b in _BULLET.findall(said)]
        if not bullets:
            untimed += 1
            continue
        start, end = bullets[0][0] / 1000, max(b for _, b in bullets) / 1000
        text, spoken = clean(said)
        if not spoken:
            words_none += 1
            continue
        if end <= start:
            continue
        if code in unidentified:
            reading.set_aside(code, start, end)
            continue
        participants.setdefault(code, Participant(code))
        reading.add(code, start, end, text)
    if not reading.utterances and untimed:
        raise InputError(f"has no time bullets on its {untimed} utterances, so no timing "
                         "metric can be computed", path=path,
                         hint="align it to its recording first (CLAN, or batchalign)")
    roster = [Participant(p.id, kept[p.id][0], p.label) if p.id in kept else p
              for p in participants.values()]
    if untimed:
        reading.note(f"{untimed} utterance{'' if untimed == 1 else 's'} without a time "
                     "bullet left out")
    if words_none:
        reading.note(f"{words_none} utterance{'' if words_none == 1 else 's'} without words "
                     "('0', a pause or an event alone) read as no speech")
    conv = reading.build(participants=roster)
    return conv.relabel({code: pid for code, (_, pid) in kept.items()}) if kept else conv


def _codes(conv: Conversation) -> dict[str, str]:
    """A CHAT speaker code per participant: the id itself where CLAN accepts it."""
    codes: dict[str, str] = {}
    for n, p in enumerate(conv.participants, 1):
        code = p.id if re.fullmatch(r"[A-Z0-9]{1,7}", p.id) else f"S{n:02d}"
        while code in codes.values():
            code += "X"
        codes[p.id] = code
    return codes


def dumps(conv: Conversation, language: str = "eng") -> str:
    codes = _codes(conv)
    entries, ids = [], []
    for p in conv.participants:
        name = "_".join((p.label or "").replace(",", " ").split())  # `,` ends the entry
        role = _CHAT_ROLE[p.role]
        entries.append(" ".join(x for x in (codes[p.id], name, role) if x))
        pid = " ".join(p.id.replace("|", "/").split())
        ids.append(f"@ID:\t{language}|polyphony|{codes[p.id]}|||||{role}||"
                   f"{_CUSTOM}{p.role}:{pid}|")
    out = ["@UTF8", "@Begin", f"@Languages:\t{language}",
           f"@Participants:\t{', '.join(entries)}", *ids]
    for u in conv.utterances:
        said = " ".join(u.text.translate(_WRITE_SAFE).split()) or "xxx"  # words unheard
        if said[-1] not in ".?!":
            said += " ."
        out.append(f"*{codes[u.speaker]}:\t{said} "
                   f"\x15{round(u.start * 1000)}_{round(u.end * 1000)}\x15")
    out.append("@End")
    return "\n".join(out) + "\n"


def write(conv: Conversation, path: str | Path) -> Path:
    return write_text(path, dumps(conv))
