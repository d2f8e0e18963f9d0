"""Timed cues, as WebVTT and SubRip hold them, and the speaker conventions real producers
write into them.

One small parser serves both formats, in place of webvtt-py: it names the line of every
problem, and it takes what real exports contain (a byte-order mark, CRLF, WhisperX's stamps
without hours, `,` or `.` before the milliseconds, NOTE/STYLE/REGION blocks, cue settings).

Who speaks a cue, by the first convention that the file uses (real examples in tests/data):
- `<v Name>text</v>` voice spans (WebVTT, Teams, noScribe), entities decoded; a cue with
  several voices (or noScribe's inline overlaps, `//S02: text //`) is divided among them
  in proportion to their words;
- `[SPEAKER_00]: text`, or the label alone on the cue's first line (`[SPEAKER_00 | 0.72]`):
  WhisperX, whisper-ctranslate2 and pipelines built on them;
- `Name: text` (Zoom), adopted only when most cues start that way, so that a cue saying
  "Note: ..." in a file without speakers is not a person.
A cue without a label continues the previous speaker's turn in a file of `<v>` tags or
`Name:` prefixes (Zoom, Teams and captioners name only a turn's first cue), and the reader
says how many it gave on; in a `[SPEAKER]:` file it names nobody (WhisperX found no
speaker for it) and is flagged as unattributed speech. A file with no convention at all is
read as one participant `unknown`, and says so.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from functools import partial
from html import unescape
from pathlib import Path

from polyphony.conversation import Conversation
from polyphony.errors import InputError
from polyphony.files import read_text, split_lines
from polyphony.formats.labels import Attribution

_TIMING = re.compile(r"^\s*(\S+)\s+-->\s+(\S+)(?:\s.*)?$")
_STAMP = re.compile(r"^(?:(\d+):)?(\d{1,2}):(\d{1,2})(?:[.,](\d{1,3}))?$")
_VOICE = re.compile(r"<v(?:\.[^\s>]*)?(?:\s+([^>]*))?>", re.IGNORECASE)
# WebVTT's own tags only: `<yeah>`, as converters write backchannels, is text
_TAG = re.compile(r"</?(?:c|i|b|u|v|ruby|rt|lang)(?:[.\s][^>]*)?>|<\d+(?::\d+){1,2}\.\d+>",
                  re.IGNORECASE)
_INLINE = re.compile(r"(?<![\w:])//\s*([^:/\s][^:/]{0,40}?):\s*(.*?)\s*(?://|$)", re.DOTALL)
# Bracketed sound notes of captions, which are not speakers: [laughs], [MUSIC PLAYING]
_SOUND = re.compile(r"\b(?:laugh\w*|applause|music|inaudible|crosstalk|cough\w*|sigh\w*|"
                    r"noise|silence|pause|chuckl\w*|sniff\w*|cries|crying|clears? throat|"
                    r"indistinct|unintelligible|playing|background|overlapping)\b",
                    re.IGNORECASE)
_BRACKET = re.compile(r"^\[([^\]\n|]{1,64}?)(?:\s*\|[^\]\n]*)?\]\s*:?\s*")
_NAME = re.compile(r"^([^\s:\[\]<>(),;?!\"][^:\[\]<>,;?!\"\n]{0,59}?):\s+(?=\S)")
# A name with a comma ("Smith, Bob: ...") is taken only when it labels two cues or more:
# a single "Well, I think: ..." is speech.
_NAME_WITH_COMMA = re.compile(r"^([^\s:\[\]<>(),;?!\"][^:\[\]<>;?!\"\n]{0,59}?):\s+(?=\S)")
MAX_NAME_WORDS = 6


@dataclass(frozen=True)
class Cue:
    start: float
    end: float
    text: str  # the cue payload, lines joined with "\n", markup kept


def seconds(stamp: str) -> float | None:
    """`hh:mm:ss.ttt`, `mm:ss.ttt` or `h:m:s.t`, with `.` or `,`, to seconds."""
    match = _STAMP.match(stamp)
    if not match:
        return None
    h, m, s, frac = match.groups()
    return int(h or 0) * 3600 + int(m) * 60 + int(s) + (int(frac) / 10 ** len(frac)
                                                       if frac else 0.0)


def stamp(t: float, separator: str = ".") -> str:
    ms = round(t * 1000)
    h, rem = divmod(ms, 3_600_000)
    m, rem = divmod(rem, 60_000)
    s, ms = divmod(rem, 1000)
    return f"{h:02d}:{m:02d}:{s:02d}{separator}{ms:03d}"


def read(path: Path, kind: str) -> Conversation:
    """A WebVTT (`kind="vtt"`) or SubRip (`"srt"`) file as a Conversation."""
    return conversation(*parse(read_text(path), path, kind))


def parse(text: str, path: Path, kind: str) -> tuple[list[Cue], list[int]]:
    """The cues of a WebVTT (`kind="vtt"`) or SubRip (`"srt"`) text, in file order, and the
    line numbers of timings that end before they start (real exports have them)."""
    lines = split_lines(text)
    if kind == "vtt" and not lines[0].lstrip("\ufeff").startswith("WEBVTT"):
        raise InputError("line 1 does not start with WEBVTT", path=path,
                         hint="a WebVTT file begins with the line 'WEBVTT'")
    cues: list[Cue] = []
    backwards: list[int] = []
    for block_start, block in _blocks(lines, 1 if kind == "vtt" else 0):
        first = block[0].lstrip("\ufeff").strip()
        if kind == "vtt" and (first.split()[0] in ("NOTE", "STYLE", "REGION")
                              or (block_start == 1 and "-->" not in "".join(block))):
            continue  # comments, style sheets, regions, and header lines such as `Kind:`
        timing_at = 0 if "-->" in block[0] else 1
        if timing_at >= len(block) or "-->" not in block[timing_at]:
            raise InputError(f"line {block_start + 1} starts a cue without a timing line",
                             path=path, hint="expected 'start --> end', as "
                             f"{stamp(1.5, '.' if kind == 'vtt' else ',')} --> "
                             f"{stamp(4.0, '.' if kind == 'vtt' else ',')}")
        line_no = block_start + timing_at + 1
        match = _TIMING.match(block[timing_at])
        start = seconds(match.group(1)) if match else None
        end = seconds(match.group(2)) if match else None
        if start is None or end is None:
            raise InputError(f"line {line_no} has a malformed timing {block[timing_at]!r}",
                             path=path, hint="expected hh:mm:ss.ttt --> hh:mm:ss.ttt")
        payload = "\n".join(block[timing_at + 1:])
        if end < start:
            backwards.append(line_no)
        elif end > start and _plain(payload):
            cues.append(Cue(start, end, payload))
    return cues, backwards


def _blocks(lines: list[str], first: int) -> Iterator[tuple[int, list[str]]]:
    """(index of its first line, lines) of each block. A block ends at an empty line; a line
    of spaces inside a cue is cue text (YouTube writes them), and a second timing line starts
    a new cue even without the empty line that should come before it."""
    block: list[str] = []
    start = first
    for n in range(first, len(lines)):
        line = lines[n]
        if line == "":
            if block:
                yield start, block
            block = []
            continue
        if not block:
            if not line.strip():
                continue  # stray spaces between cues
            start = n
        elif "-->" in line and any("-->" in b for b in block):
            # a cue number just before it belongs to the new cue, not the old one's text
            number = block.pop() if block[-1].strip().isdigit() else None
            yield start, block
            block, start = ([number] if number else []), n - bool(number)
        block.append(line)
    if block:
        yield start, block


def _plain(payload: str) -> str:
    return " ".join(unescape(_TAG.sub("", payload)).split())


def _voices(cue: Cue) -> list[tuple[str | None, str]]:
    """(speaker, text) for each voice span of a cue; [(None, text)] without voice tags.
    noScribe writes a short overlap inside another's cue as `//S02: text //`: it becomes a
    span of its own, and the host's voice resumes after it."""
    matches = list(_VOICE.finditer(cue.text))
    if not matches:
        return [(None, _plain(cue.text))]
    spans: list[tuple[str | None, str]] = []
    before = _plain(cue.text[:matches[0].start()])
    if before:
        spans.append((None, before))
    for i, match in enumerate(matches):
        end = matches[i + 1].start() if i + 1 < len(matches) else len(cue.text)
        host = " ".join(unescape(match.group(1) or "").split()).lstrip("/").strip() or None
        pieces = _INLINE.split(cue.text[match.end():end])
        spans.append((host, _plain(pieces[0])))
        for name, said, after in zip(pieces[1::3], pieces[2::3], pieces[3::3], strict=True):
            spans += [(name.strip(), _plain(said)), (host, _plain(after))]
    return [(name, text) for name, text in spans if text]


def _bracket(text: str) -> tuple[str, str] | None:
    match = _BRACKET.match(text)
    if not match or _SOUND.search(match.group(1)):
        return None
    return match.group(1).strip(), text[match.end():].strip()


def _name(text: str, repeated: frozenset[str] = frozenset()) -> tuple[str, str] | None:
    match = _NAME.match(text)
    if not match:
        match = _NAME_WITH_COMMA.match(text)
        if not match or match.group(1).strip() not in repeated:
            return None
    if len(match.group(1).split()) > MAX_NAME_WORDS:
        return None
    return match.group(1).strip(), text[match.end():].strip()


def _repeated_comma_names(texts: list[str]) -> frozenset[str]:
    labels = [m.group(1).strip() for m in map(_NAME_WITH_COMMA.match, texts)
              if m and "," in m.group(1)]
    return frozenset(label for label in labels if labels.count(label) >= 2)


def conversation(cues: list[Cue], backwards: list[int]) -> Conversation:
    """Attribute every cue to a speaker by the file's convention (module docstring)."""
    reading = Attribution()
    if backwards:
        reading.note(f"{len(backwards)} cue{'' if len(backwards) == 1 else 's'} ending before "
                     f"{'it starts' if len(backwards) == 1 else 'they start'} left out "
                     f"(line {', '.join(map(str, backwards[:5]))})")
    texts = [_voices(cue) for cue in cues]
    plain = [" ".join(t for _, t in spans) for spans in texts]
    if any(name for spans in texts for name, _ in spans):
        convention, split = "<v> voice tags", None
    elif sum(1 for t in plain if _bracket(t)) * 2 >= len(plain) > 0:
        convention, split = "[SPEAKER]: labels", _bracket
    elif sum(1 for t in plain if _name(t, repeated := _repeated_comma_names(plain))) * 2 \
            > len(plain) > 0:
        convention, split = "'Name: text' prefixes", partial(_name, repeated=repeated)
    else:
        for cue, text in zip(cues, plain, strict=True):
            reading.add_unlabelled(cue.start, cue.end, text)
        reading.note("no speaker labels found (no <v> tags, [SPEAKER]: or 'Name:' "
                     "prefixes): all speech is read as one participant 'unknown'")
        return reading.build(speaker_labels=False)
    # WhisperX leaves a cue unlabelled when no speaker overlapped it: that is nobody known.
    # Zoom, Teams and caption files name a turn on its first cue only: that is a turn going on.
    carry = split is not _bracket
    current, carried = None, 0
    for cue, spans, text in zip(cues, texts, plain, strict=True):
        if split is not None:
            found = split(text)
            spans = [found] if found else [(None, text)]
        words = [len(t.split()) or 1 for _, t in spans]
        t = cue.start
        for (name, said), n in zip(spans, words, strict=True):
            end = t + (cue.end - cue.start) * n / sum(words)
            if name is None and carry:
                carried += current is not None
                name = current
            current = name
            reading.add(name, t, end, said)
            t = end
    reading.note(f"speakers from {convention}")
    inline = sum(len(_INLINE.findall(cue.text)) for cue in cues) if split is None else 0
    if inline:
        reading.note(f"{inline} overlap{'' if inline == 1 else 's'} written inside another's "
                     "cue (//S02: ... //) read as turns of their own, timed in proportion "
                     "to their words")
    if carried:
        reading.note(f"{carried} cue{'' if carried == 1 else 's'} without a speaker label "
                     "read as continuing the previous speaker's turn")
    return reading.build()
