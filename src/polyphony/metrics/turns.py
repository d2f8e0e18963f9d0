"""Turn-taking (METRICS.md §2): backchannels, turns, transitions, floor-transfer offsets,
overlap takeovers, interruptions and overlap onsets.

Pairwise relations (who was talking when b started) are computed by lag: utterances are
sorted by start, so the utterances still active when b starts lie at most `L` places
before it, where `L` comes from the running maximum of end times. Each lag is one numpy
pass over all utterances, so the cost is O(n·L) array work, not a Python loop over pairs.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cached_property

import numpy as np

from polyphony.conversation import Conversation, Utterance

BACKCHANNEL_LEXICON = {
    "en": frozenset({"mm", "mhm", "mm-hmm", "uh-huh", "hm", "yeah", "yes", "yep", "right",
                     "okay", "ok", "sure", "ah", "oh", "i see", "wow", "true"}),
}
BACKCHANNEL_MAX_DURATION = 1.5
LONG_SILENCE = 3.0
TAKEOVER_MARGIN = 0.2
_PUNCT = re.compile(r"[^\w\s'-]|(?<!\w)[-']|[-'](?!\w)", re.UNICODE)
_CUT_OFF = ("-", "—", "–", "...", "…")


def _tokens(text: str) -> list[str]:
    return _PUNCT.sub(" ", text.lower()).split()


def is_backchannel(u: Utterance, language: str = "en") -> bool:
    """1-3 lexicon tokens within 1.5 s. Text-less utterances (RTTM) are never backchannels."""
    if not u.has_text or u.duration > BACKCHANNEL_MAX_DURATION:
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


def ends_cut_off(text: str) -> bool:
    """No sentence-final punctuation, or a trailing dash or ellipsis."""
    t = text.rstrip()
    return t.endswith(_CUT_OFF) or not t.endswith((".", "?", "!"))


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
        return " ".join(u.text.strip() for u in self.utterances if u.has_text)


class Timing:
    """A conversation's utterances as arrays, computed once and shared by the families."""

    def __init__(self, conv: Conversation, language: str = "en") -> None:
        self.conv = conv
        self.ids = conv.speakers
        utts = conv.utterances
        self.start = np.fromiter((u.start for u in utts), float, len(utts))
        self.end = np.fromiter((u.end for u in utts), float, len(utts))
        index = {pid: i for i, pid in enumerate(self.ids)}
        self.speaker = np.fromiter((index[u.speaker] for u in utts), int, len(utts))
        self.has_text = conv.provenance.has_text
        if self.has_text:
            self.backchannel = np.fromiter((is_backchannel(u, language) for u in utts), bool,
                                           len(utts))
            self.cut_off = np.fromiter((u.has_text and ends_cut_off(u.text) for u in utts),
                                       bool, len(utts))
        else:
            self.backchannel = np.zeros(len(utts), bool)
            self.cut_off = np.zeros(len(utts), bool)

    @cached_property
    def max_lag(self) -> int:
        """How far back an utterance active at another's start can lie in start order."""
        n = len(self.start)
        if n < 2:
            return 0
        running_end = np.maximum.accumulate(self.end)
        first_active = np.searchsorted(running_end, self.start, side="left")
        return int((np.arange(n) - first_active).max())

    def active_pairs(self) -> tuple[np.ndarray, np.ndarray]:
        """(a, b) index pairs, a of another speaker, where a is active when b starts:
        start(a) < start(b) <= end(a)."""
        a_all, b_all = [], []
        for lag in range(1, self.max_lag + 1):
            b = np.arange(lag, len(self.start))
            a = b - lag
            keep = ((self.speaker[a] != self.speaker[b]) & (self.start[a] < self.start[b])
                    & (self.start[b] <= self.end[a]))
            a_all.append(a[keep])
            b_all.append(b[keep])
        if not a_all:
            return np.zeros(0, int), np.zeros(0, int)
        return np.concatenate(a_all), np.concatenate(b_all)


def build_turns(conv: Conversation, backchannels: str = "separate",
                timing: Timing | None = None) -> list[Turn]:
    """Turns from utterances sorted by start; backchannels dropped first unless `include`."""
    if backchannels not in ("separate", "include"):
        raise ValueError(f"backchannels must be 'separate' or 'include', not {backchannels!r}")
    timing = timing or Timing(conv)
    keep = np.flatnonzero(~timing.backchannel if backchannels == "separate"
                          else np.ones(len(timing.start), bool))
    if keep.size == 0:
        return []
    speakers = timing.speaker[keep]
    first = np.flatnonzero(np.r_[True, speakers[1:] != speakers[:-1]])
    ends = np.maximum.reduceat(timing.end[keep], first)
    bounds = np.r_[first, keep.size]
    utts = conv.utterances
    return [Turn(utts[keep[lo]].speaker, float(timing.start[keep[lo]]), float(end),
                 tuple(utts[i] for i in keep[lo:hi]))
            for lo, hi, end in zip(bounds[:-1], bounds[1:], ends, strict=True)]


def _pair_matrix(ids: list[str], rows: np.ndarray, cols: np.ndarray) -> dict:
    """{row speaker: {col speaker: count}} over distinct (row, col) index pairs."""
    matrix = np.zeros((len(ids), len(ids)), int)
    np.add.at(matrix, (rows, cols), 1)
    return {r: {c: int(matrix[i, j]) for j, c in enumerate(ids) if c != r}
            for i, r in enumerate(ids)}


def turn_metrics(conv: Conversation, backchannels: str = "separate",
                 timing: Timing | None = None) -> dict:
    """Per-speaker turn statistics and the conversation-level turn-taking block."""
    timing = timing or Timing(conv)
    ids = timing.ids
    turns = build_turns(conv, backchannels, timing)
    t_speaker = np.array([ids.index(t.speaker) for t in turns], int)
    t_start = np.array([t.start for t in turns], float)
    t_end = np.array([t.end for t in turns], float)
    durations = t_end - t_start

    a, b = timing.active_pairs()
    onsets = np.bincount(timing.speaker[np.unique(b)], minlength=len(ids))
    taken = ((timing.start[b] <= timing.end[a] - TAKEOVER_MARGIN)
             & (timing.end[a] < timing.end[b]) & ~timing.backchannel[b])
    # each utterance of b counts at most once per other speaker
    key = np.unique(np.stack([b[taken], timing.speaker[a[taken]]]), axis=1)
    takeovers = _pair_matrix(ids, timing.speaker[key[0]], key[1])
    interruptions = None
    if timing.has_text:
        cut = taken & timing.cut_off[a]
        ikey = np.unique(np.stack([b[cut], timing.speaker[a[cut]]]), axis=1)
        interruptions = _pair_matrix(ids, timing.speaker[ikey[0]], ikey[1])

    per: dict[str, dict] = {}
    backchannel_counts = np.bincount(timing.speaker[timing.backchannel], minlength=len(ids))
    for i, pid in enumerate(ids):
        mine = durations[t_speaker == i]
        per[pid] = {
            "turns": int(mine.size),
            "mean_turn": float(mine.mean()) if mine.size else None,
            "median_turn": float(np.median(mine)) if mine.size else None,
            "longest_turn": float(mine.max()) if mine.size else None,
            "backchannels": int(backchannel_counts[i]) if timing.has_text else None,
            "overlap_onsets": int(onsets[i]),
            "interruptions_made": (sum(interruptions[pid].values())
                                   if interruptions is not None else None),
            "interruptions_suffered": (sum(interruptions[o][pid] for o in ids if o != pid)
                                       if interruptions is not None else None),
        }

    fto = t_start[1:] - t_end[:-1]
    gaps = fto[fto > 0]
    pauses = np.array([b.start - a.end for t in turns
                       for a, b in zip(t.utterances, t.utterances[1:], strict=False)
                       if b.start > a.end], float)
    return {
        "turns": turns,
        "participants": per,
        "turn_taking": {
            "transitions": _pair_matrix(ids, t_speaker[:-1], t_speaker[1:]),
            "fto_median": float(np.median(fto)) if fto.size else None,
            "fto_iqr": ([float(q) for q in np.percentile(fto, [25, 75])] if fto.size
                        else None),
            "long_silences": int((gaps >= LONG_SILENCE).sum()),
            "longest_silence": float(gaps.max()) if gaps.size else None,
            "overlap_takeovers": takeovers,
            "interruptions": interruptions,
            "pauses": {"count": int(pauses.size),
                       "median": float(np.median(pauses)) if pauses.size else None,
                       "longest": float(pauses.max()) if pauses.size else None},
        },
    }
