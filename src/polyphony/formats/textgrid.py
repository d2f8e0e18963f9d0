"""Praat TextGrid: interval tiers of labelled stretches, in Praat's long, short ("ooTextFile
short") or chronological text formats, UTF-8 or UTF-16.

Which tiers are whose talk, by default:
- a tier named for a linguistic level (`words`, `phones`, `utterance`, `phrase`, ...)
  belongs to the speaker its name gives as `Speaker - words` (Montreal Forced Aligner,
  FAVE), or to one unnamed talker when there is no speaker in the name; of one speaker's
  tiers only the coarsest is read (the phrase over its words, the words over their
  phones), so that a talker aligned at two levels is not two people at 100% overlap;
- any other interval tier is one speaker's (`bob`, `Interviewer`);
- tiers with no talk, point tiers, noise tiers and annotation levels without talk
  (`mute`, `errors`, `style`, `tones`) are passed over, and the reader says so.
Labels that are only a pause (`(0.3)`, `sil`, `sp`) are silence. `tiers=` (`--tiers`)
chooses tiers by glob pattern instead, each read as the speaker it names.

Parsed here rather than with praatio, which refuses files that Praat itself opens (an
interval ending 1e-7 s after the next begins, as aligners write) and the chronological
format; praatio still writes the files.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from pathlib import Path

from polyphony.conversation import Conversation
from polyphony.errors import InputError
from polyphony.files import read_text, write_text
from polyphony.formats import origin, select
from polyphony.formats.labels import Attribution, is_pause

_TOKEN = re.compile(r'"(?:[^"]|"")*"|![^\n]*|\[[^\]"\n]*\]|[^\s"]+')
_NUMBER = re.compile(r"^[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?$")
# Coarsest first: the first level a speaker has is their talk.
TALK_LEVELS = ("utterances", "utterance", "sentences", "sentence", "phrases", "phrase",
               "transcription", "trn", "ortho", "orthography", "ort", "text", "turns", "turn",
               "words", "word", "tokens", "token", "kan")
# BAS WebMAUS: ORT (orthography), KAN (canonical), MAU/MAS (phonetic segments)
SUBWORD_LEVELS = ("syllables", "syllable", "morphemes", "morpheme", "phones", "phone",
                  "phonemes", "phoneme", "segments", "segment", "mau", "mas")
NOT_TALK = ("mute", "errors", "error", "style", "tones", "tone", "breaks", "break", "misc",
            "pitch", "comments", "comment", "notes", "note", "noise", "noises", "ruido",
            "ruidos", "bruit", "bruits", "geräusch", "geräusche", "events", "event")
LEVELS = frozenset((*TALK_LEVELS, *SUBWORD_LEVELS, *NOT_TALK))
_LEVEL_SPLIT = re.compile(r"^(.+?)\s*[-_]\s*([^-_]+)$")


@dataclass(frozen=True)
class Tier:
    name: str
    intervals: tuple[tuple[float, float, str], ...]  # empty for a point tier
    points: bool = False

    @property
    def talk(self) -> tuple[tuple[float, float, str], ...]:
        return tuple((s, e, t) for s, e, t in self.intervals
                     if e > s and t.strip() and not is_pause(t))


class _Tokens:
    """Praat's text formats are one stream of numbers and quoted strings; labels such as
    `xmin =`, `intervals [3]:` and `!` comments only decorate it."""

    def __init__(self, text: str, path: Path) -> None:
        self.path = path
        self.items: list[tuple[str, int]] = []
        line = 1
        last = 0
        for match in _TOKEN.finditer(text):
            line += text.count("\n", last, match.start())
            last = match.start()
            token = match.group()
            if token.startswith('"') or _NUMBER.match(token) or token == "<absent>":
                self.items.append((token, line))
        self.at = 0

    def _next(self, what: str) -> tuple[str, int]:
        if self.at >= len(self.items):
            after = f" after line {self.items[-1][1]}" if self.items else ""
            raise InputError(f"ends early: expected {what}{after} (a number or a quoted "
                             "string), and found none", path=self.path,
                             hint="the file may be cut short, or hold a value Praat does "
                                  "not write; open and save it in Praat")
        item = self.items[self.at]
        self.at += 1
        return item

    def number(self, what: str) -> float:
        token, line = self._next(what)
        if not _NUMBER.match(token):
            raise InputError(f"line {line}: expected {what}, found {token[:40]}",
                             path=self.path)
        return float(token)

    def count(self, what: str) -> int:
        value = self.number(what)
        if not math.isfinite(value) or value != int(value) or value < 0:
            raise InputError(f"expected a count of {what}, found {value}", path=self.path)
        return int(value)

    def string(self, what: str) -> str:
        token, line = self._next(what)
        if not token.startswith('"'):
            raise InputError(f"line {line}: expected {what} in quotes, found {token[:40]}",
                             path=self.path)
        return token[1:-1].replace('""', '"')

    def skip_domain(self) -> None:
        """A tier's own xmin and xmax: the grid's domain and the intervals are what count."""
        self.number("tier xmin")
        self.number("tier xmax")

    def skip_point(self) -> None:
        """A point of a TextTier (pitch marks, ToBI tones): no one's talk."""
        self.number("a point time")
        self.string("a point mark")

    def peek_absent(self) -> bool:
        return self.at < len(self.items) and self.items[self.at][0] == "<absent>"


def parse(text: str, path: Path) -> tuple[tuple[float, float], list[Tier]]:
    """The grid's time domain and its tiers."""
    tokens = _Tokens(text, path)
    kind = tokens.string("the file type")
    if kind == "Praat chronological TextGrid text file":
        return _chronological(tokens)
    if not kind.startswith("ooTextFile") or tokens.string("the object class") != "TextGrid":
        raise InputError("is not a Praat TextGrid", path=path,
                         hint='a TextGrid starts with File type = "ooTextFile" and '
                              'Object class = "TextGrid"')
    domain = (tokens.number("xmin"), tokens.number("xmax"))
    if tokens.peek_absent():
        return domain, []
    tiers = []
    for _ in range(tokens.count("tiers")):
        cls, name = tokens.string("a tier class"), tokens.string("a tier name")
        tokens.skip_domain()
        n = tokens.count(f"intervals of tier {name!r}")
        if cls == "IntervalTier":
            tiers.append(Tier(name, tuple(
                (tokens.number("interval xmin"), tokens.number("interval xmax"),
                 tokens.string("an interval label")) for _ in range(n))))
        elif cls == "TextTier":
            for _ in range(n):
                tokens.skip_point()
            tiers.append(Tier(name, (), points=True))
        else:
            raise InputError(f"tier {name!r} has unknown class {cls!r}", path=path,
                             hint="expected IntervalTier or TextTier")
    return domain, tiers


def _chronological(tokens: _Tokens) -> tuple[tuple[float, float], list[Tier]]:
    domain = (tokens.number("xmin"), tokens.number("xmax"))
    heads = []
    for _ in range(tokens.count("tiers")):
        cls, name = tokens.string("a tier class"), tokens.string("a tier name")
        tokens.skip_domain()
        heads.append((cls, name, []))
    while tokens.at < len(tokens.items):
        index = tokens.count("a tier number")
        if not 1 <= index <= len(heads):
            raise InputError(f"refers to tier {index}, but has {len(heads)}",
                             path=tokens.path)
        cls, _, entries = heads[index - 1]
        if cls == "IntervalTier":
            entries.append((tokens.number("xmin"), tokens.number("xmax"),
                            tokens.string("a label")))
        else:
            tokens.skip_point()
    return domain, [Tier(name, tuple(entries), points=cls != "IntervalTier")
                    for cls, name, entries in heads]


def _level(name: str) -> tuple[str | None, str | None]:
    """(speaker, level) from a tier name: `Speaker - words`, `Speaker_words` or
    `words - Speaker` -> ("Speaker", "words"); `phones` or WebMAUS's `ORT-MAU` (two levels)
    -> (None, the first level); `bob` -> ("bob", None)."""
    bare = name.strip().strip('"').strip()
    if bare.lower() in LEVELS:
        return None, bare.lower()
    match = _LEVEL_SPLIT.match(bare)
    if match:
        first, second = (part.strip() for part in match.groups())
        if first.lower() in LEVELS:
            return (None if second.lower() in LEVELS else second), first.lower()
        if second.lower() in LEVELS:
            return first, second.lower()
    return bare, None


def _choose(tiers: list[Tier]) -> tuple[list[tuple[Tier, str | None]], dict[str, str]]:
    """(tier, speaker) to read, and the tiers passed over with why (module docstring)."""
    passed: dict[str, str] = {}
    by_speaker: dict[str | None, list[tuple[str | None, Tier]]] = {}
    for tier in tiers:
        speaker, level = _level(tier.name)
        if tier.points:
            passed[tier.name] = "point tier"
        elif level in NOT_TALK or (speaker is not None and speaker.lower() in NOT_TALK):
            passed[tier.name] = "not talk"
        elif not tier.talk:
            passed[tier.name] = "no talk"
        else:
            by_speaker.setdefault(speaker, []).append((level, tier))
    chosen = []
    for speaker, leveled in by_speaker.items():
        if all(level is None for level, _ in leveled):
            chosen += [(tier, speaker) for _, tier in leveled]
            continue
        order = (*TALK_LEVELS, *SUBWORD_LEVELS)
        leveled.sort(key=lambda lt: order.index(lt[0]) if lt[0] in order else -1)
        chosen.append((leveled[0][1], speaker))
        for _, tier in leveled[1:]:
            passed[tier.name] = f"a finer level of {leveled[0][1].name}"
    return chosen, passed


def read(path: str | Path, tiers: list[str] | None = None) -> Conversation:
    path = Path(path)
    domain, all_tiers = parse(read_text(path), path)
    exported = next((origin.parse(label) for t in all_tiers if t.name == origin.NAME
                     for _, _, label in t.intervals if label.strip()), None)
    all_tiers = [t for t in all_tiers if t.name != origin.NAME]
    if tiers is not None:
        names = select.matching([t.name for t in all_tiers], tiers, path)
        chosen = [(t, t.name) for t in all_tiers if t.name in names and not t.points]
        passed: dict[str, str] = {}
    else:
        chosen, passed = _choose(all_tiers)
    if not chosen:
        raise InputError("has no tier with talk", path=path,
                         hint="choose tiers with --tiers; its tiers: " +
                              (", ".join(f"{t} ({why})" for t, why in passed.items())
                               or "none"))
    reading = Attribution()
    unnamed = all(speaker is None for _, speaker in chosen)
    for tier, speaker in chosen:
        for start, end, label in tier.intervals:
            if end > start and label.strip():
                text = " ".join(label.split())
                if speaker is None:  # a talker the tier names only by level
                    reading.add_unlabelled(start, end, text)
                else:
                    reading.add(speaker, start, end, text)
    reading.note("read tiers " + ", ".join(
        tier.name if speaker == tier.name else f"{tier.name} as {speaker or 'unknown'}"
        for tier, speaker in chosen))
    if passed:
        reading.note("passed over " + ", ".join(f"{t} ({why})" for t, why in passed.items()))
    if unnamed:
        reading.note("the tiers name no speaker (one talker's alignment): all speech is "
                     "read as one participant 'unknown'")
    # Some writers put intervals outside the declared domain (batchalign2): widen it.
    t0 = min((u.start for u in reading.utterances), default=domain[0])
    t1 = max((u.end for u in reading.utterances), default=domain[1])
    conv = reading.build(speaker_labels=not unnamed,
                         region=(min(domain[0], t0), max(domain[1], t1)))
    return origin.restore(conv, exported) if exported else conv


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
    if conv.provenance.recording_sha256:  # the link back to the recording (origin.py)
        grid.addTier(textgrid.IntervalTier(origin.NAME, [(t0, t1, origin.record(conv))],
                                           t0, t1))
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "x.TextGrid"
        grid.save(str(out), format="long_textgrid", includeBlankSpaces=True)
        return out.read_text(encoding="utf-8")


def write(conv: Conversation, path: str | Path) -> Path:
    return write_text(path, dumps(conv))
