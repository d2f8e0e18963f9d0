"""Dialogical structure (METRICS.md §4, after Seikkula and Linell): semantic and
interactional dominance, and reflecting sequences."""

from __future__ import annotations

import numpy as np

from polyphony.conversation import PROFESSIONAL_ROLES, Conversation
from polyphony.metrics.responsiveness import PairScores
from polyphony.metrics.turns import Turn

INITIATIVE_UPTAKE = 0.1
INITIATIVE_SIMILARITY = 0.3
REFLECTING_MIN_TURNS = 4


def semantic_dominance(turns: list[Turn], ids: list[str],
                       content: list[frozenset[str]]) -> dict[str, float | None]:
    """Share of all taken-up lemmas that each speaker introduced."""
    introducer: dict[str, str] = {}
    taken_up: set[str] = set()
    for turn, lemmas in zip(turns, content, strict=True):
        for lemma in lemmas:
            first = introducer.setdefault(lemma, turn.speaker)
            if first != turn.speaker:
                taken_up.add(lemma)
    counts = dict.fromkeys(ids, 0)
    for lemma in taken_up:
        counts[introducer[lemma]] += 1
    total = len(taken_up)
    return {pid: (counts[pid] / total if total else None) for pid in ids}


def interactional_dominance(turns: list[Turn], ids: list[str],
                            scores: PairScores) -> dict[str, float | None]:
    """Share of initiatives: questions and topic shifts (low uptake and low similarity)."""
    if not turns:
        return dict.fromkeys(ids)
    shift = (scores.judged & (scores.uptake < INITIATIVE_UPTAKE)
             & (scores.similarity < INITIATIVE_SIMILARITY))
    initiative = scores.questions.copy()
    initiative[0] = True
    initiative[1:] |= shift
    speaker = np.array([ids.index(t.speaker) for t in turns], int)
    counts = np.bincount(speaker[initiative], minlength=len(ids))
    total = int(counts.sum())
    if not total:
        return dict.fromkeys(ids)
    return {pid: float(counts[i] / total) for i, pid in enumerate(ids)}


def reflecting_sequences(turns: list[Turn], conv: Conversation,
                         min_turns: int = REFLECTING_MIN_TURNS) -> list[dict]:
    """Runs of at least `min_turns` consecutive turns all by professionals."""
    roles = {p.id: p.role for p in conv.participants}
    professional = [roles[t.speaker] in PROFESSIONAL_ROLES for t in turns] + [False]
    out, run_start = [], None
    for i, is_pro in enumerate(professional):
        if is_pro and run_start is None:
            run_start = i
        elif not is_pro and run_start is not None:
            if i - run_start >= min_turns:
                run = turns[run_start:i]
                out.append({"start": run[0].start, "end": max(t.end for t in run),
                            "speakers": sorted({t.speaker for t in run})})
            run_start = None
    return out
