"""Turn-taking (METRICS.md §2): backchannels, turns, transitions, floor-transfer offsets,
overlap takeovers and interruptions."""

from __future__ import annotations

import re
from dataclasses import dataclass
from itertools import pairwise

import numpy as np

from polyphony.conversation import Conversation, Utterance

BACKCHANNEL_LEXICON = {
    "en": frozenset({"mm", "mhm", "mm-hmm", "uh-huh", "hm", "yeah", "yes", "yep", "right",
                     "okay", "ok", "sure", "ah", "oh", "i see", "wow", "true"}),
}
LONG_SILENCE = 3.0
TAKEOVER_MARGIN = 0.2
_PUNCT = re.compile(r"[^\w\s'-]|(?<!\w)[-']|[-'](?!\w)", re.UNICODE)


def _tokens(text: str) -> list[str]:
    return _PUNCT.sub(" ", text.lower()).split()


def is_backchannel(u: Utterance, language: str = "en") -> bool:
    """1-3 lexicon tokens within 1.5 s. Text-less utterances (RTTM) are never backchannels."""
    if not u.has_text or u.duration > 1.5:
        return False
    lexicon = BACKCHANNEL_LEXICON[language]
    tokens = _tokens(u.text)
    if not 1 <= len(tokens) <= 3:
        return False
    phrases = sorted((p.split() for p in lexicon if " " in p), key=len, reverse=True)
    i = 0
    while i < len(tokens):
        for phrase in phrases:
            if tokens[i:i + len(phrase)] == phrase:
                i += len(phrase)
                break
        else:
            if tokens[i] not in lexicon:
                return False
            i += 1
    return True


@dataclass(frozen=True)
class Turn:
    """A maximal run of one speaker's consecutive utterances."""

    speaker: str
    start: float
    end: float
    utterances: tuple[Utterance, ...]

    @property
    def duration(self) -> float:
        return self.end - self.start

    @property
    def text(self) -> str:
        return " ".join(u.text for u in self.utterances if u.has_text)


def build_turns(conv: Conversation, backchannels: str = "separate") -> list[Turn]:
    """Turns from utterances sorted by start; backchannels dropped first unless `include`."""
    if backchannels not in ("separate", "include"):
        raise ValueError(f"backchannels must be 'separate' or 'include', not {backchannels!r}")
    utts = [u for u in conv.utterances
            if backchannels == "include" or not is_backchannel(u)]
    turns: list[list[Utterance]] = []
    for u in utts:
        if turns and turns[-1][0].speaker == u.speaker:
            turns[-1].append(u)
        else:
            turns.append([u])
    return [Turn(run[0].speaker, run[0].start, max(u.end for u in run), tuple(run))
            for run in turns]


def _ends_cut_off(text: str) -> bool:
    t = text.rstrip()
    if t.endswith(("-", "—", "–", "...", "…")):
        return True
    return not t.endswith((".", "?", "!"))


def turn_metrics(conv: Conversation, backchannels: str = "separate") -> dict:
    """Per-speaker turn statistics and the conversation-level turn-taking block."""
    ids = conv.speakers
    turns = build_turns(conv, backchannels)
    has_text = conv.provenance.has_text

    per: dict[str, dict] = {}
    for pid in ids:
        durations = np.array([t.duration for t in turns if t.speaker == pid], float)
        per[pid] = {
            "turns": len(durations),
            "mean_turn": float(durations.mean()) if durations.size else None,
            "median_turn": float(np.median(durations)) if durations.size else None,
            "longest_turn": float(durations.max()) if durations.size else None,
            "backchannels": (sum(1 for u in conv.utterances
                                 if u.speaker == pid and is_backchannel(u))
                             if has_text else None),
        }

    transitions = {a: {b: 0 for b in ids if b != a} for a in ids}
    for prev, nxt in pairwise(turns):
        transitions[prev.speaker][nxt.speaker] += 1
    fto = np.array([nxt.start - prev.end for prev, nxt in pairwise(turns)])
    gaps = fto[fto > 0]

    takeovers = {b: {a: 0 for a in ids if a != b} for b in ids}
    interruptions = ({b: {a: 0 for a in ids if a != b} for b in ids} if has_text else None)
    onsets = dict.fromkeys(ids, 0)
    utts = conv.utterances
    starts = np.array([u.start for u in utts], float)
    ends = np.array([u.end for u in utts], float)
    speakers = np.array([u.speaker for u in utts], object)
    for b in utts:
        active = (starts < b.start) & (b.start <= ends) & (speakers != b.speaker)
        if active.any():
            onsets[b.speaker] += 1
        if has_text and is_backchannel(b):
            continue
        taken = (active & (b.start <= ends - TAKEOVER_MARGIN) & (ends < b.end))
        for a in set(speakers[taken]):
            takeovers[b.speaker][a] += 1
            if interruptions is not None:
                cut = [i for i in np.flatnonzero(taken & (speakers == a))
                       if utts[i].has_text and _ends_cut_off(utts[i].text)]
                if cut:
                    interruptions[b.speaker][a] += 1
    for pid in ids:
        per[pid]["overlap_onsets"] = onsets[pid]
        if interruptions is None:
            per[pid]["interruptions_made"] = per[pid]["interruptions_suffered"] = None
        else:
            per[pid]["interruptions_made"] = sum(interruptions[pid].values())
            per[pid]["interruptions_suffered"] = sum(interruptions[b][pid]
                                                     for b in ids if b != pid)
    return {
        "turns": turns,
        "participants": per,
        "turn_taking": {
            "transitions": transitions,
            "fto_median": float(np.median(fto)) if fto.size else None,
            "fto_iqr": ([float(q) for q in np.percentile(fto, [25, 75])] if fto.size
                        else None),
            "long_silences": int((gaps >= LONG_SILENCE).sum()),
            "longest_silence": float(gaps.max()) if gaps.size else None,
            "overlap_takeovers": takeovers,
            "interruptions": interruptions,
        },
    }
