"""Responsiveness (METRICS.md §3): is each voice taken up by the others?

Works on turns. Every turn after the first follows a turn of another speaker (turns are
maximal same-speaker runs), so each consecutive pair (i, j) is scored. A pair in which either
turn has no text (diarized speech Whisper did not transcribe) cannot be judged: it counts
neither as responsive nor as unresponsive.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from polyphony import language
from polyphony.metrics.turns import Turn

UPTAKE_THRESHOLD = 0.2
SIMILARITY_THRESHOLD = 0.5


@dataclass(frozen=True)
class PairScores:
    """Scores of each turn j >= 1 against turn j-1; arrays of length len(turns) - 1."""

    uptake: np.ndarray
    similarity: np.ndarray
    judged: np.ndarray  # both turns have text
    responsive: np.ndarray
    questions: np.ndarray  # per turn, length len(turns)
    content: list[frozenset[str]]  # per turn


def lexical_uptake(previous: frozenset[str], current: frozenset[str]) -> float:
    return len(current & previous) / len(current) if current else 0.0


def score_pairs(turns: list[Turn], uptake_threshold: float = UPTAKE_THRESHOLD,
                similarity_threshold: float = SIMILARITY_THRESHOLD) -> PairScores:
    texts = [language.clean(t.text) for t in turns]
    analyses = language.analyse(texts)
    content = [a.content for a in analyses]
    has_text = np.array([bool(t) for t in texts], bool)
    vectors = language.embed(texts)
    similarity = (vectors[1:] * vectors[:-1]).sum(axis=1) if len(turns) > 1 else np.zeros(0)
    uptake = np.array([lexical_uptake(content[i - 1], content[i])
                       for i in range(1, len(turns))], float)
    judged = has_text[1:] & has_text[:-1]
    responsive = judged & ((uptake >= uptake_threshold) | (similarity >= similarity_threshold))
    questions = np.array([a.is_question for a in analyses], bool) & has_text
    return PairScores(uptake, similarity, judged, responsive, questions, content)


def responsiveness_metrics(turns: list[Turn], ids: list[str], scores: PairScores) -> dict:
    speaker = np.array([ids.index(t.speaker) for t in turns], int)
    prev, nxt = speaker[:-1], speaker[1:]
    judged, responsive = scores.judged, scores.responsive
    per = {}
    for i, pid in enumerate(ids):
        as_prev = (prev == i) & judged
        as_next = (nxt == i) & judged
        asked = scores.questions & (speaker == i)
        answered = asked[:-1] & responsive
        per[pid] = {
            "responded_to_rate": (float(responsive[as_prev].mean()) if as_prev.any()
                                  else None),
            "responsiveness": float(responsive[as_next].mean()) if as_next.any() else None,
            "questions_asked": int(asked.sum()),
            "questions_answered": int(answered.sum()),
        }
    network = np.zeros((len(ids), len(ids)), int)
    np.add.at(network, (prev[responsive], nxt[responsive]), 1)
    uptake_network = {a: {b: int(network[i, j]) for j, b in enumerate(ids) if b != a}
                      for i, a in enumerate(ids)}
    return {"participants": per, "uptake_network": uptake_network}
