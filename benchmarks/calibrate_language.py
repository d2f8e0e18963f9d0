"""Calibrate question detection and the `responsive` thresholds on AnnoMI's expert labels.

    .venv/bin/python benchmarks/calibrate_language.py

1. Question detection against AnnoMI-full's `question_exists` for therapist utterances
   (majority over annotators), as written (punctuated) and with every "?" removed, which
   is what the syntax rule alone must catch in unpunctuated transcripts.
2. Lexical uptake and semantic similarity of each therapist utterance against the client
   utterance before it: reflections (which by definition take up what the client said)
   against other therapist moves (input, advice, questions, other). For each score the
   AUC, and for thresholds around the defaults the share of reflections and of other moves
   called responsive.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

import polyphony  # noqa: F401  (offline environment first)
from polyphony import language
from polyphony.metrics.responsiveness import lexical_uptake

DATA = Path(__file__).resolve().parents[2] / "shared" / "data" / "annomi"


def majority(values: list[str]) -> bool:
    votes = [v == "True" for v in values if v in ("True", "False")]
    return sum(votes) * 2 > len(votes)


def load() -> list[dict]:
    import csv

    with (DATA / "AnnoMI-full.csv").open(newline="", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    grouped: dict[tuple[str, int], list[dict]] = {}
    for row in rows:
        grouped.setdefault((row["transcript_id"], int(row["utterance_id"])), []).append(row)
    out = []
    for (tid, uid), group in sorted(grouped.items()):
        first = group[0]
        out.append({"tid": tid, "uid": uid, "who": first["interlocutor"],
                    "text": language.clean(first["utterance_text"]),
                    "question": majority([r["question_exists"] for r in group]),
                    "reflection": majority([r["reflection_exists"] for r in group]),
                    "behaviour": first["main_therapist_behaviour"]})
    return out


def auc(positive: np.ndarray, negative: np.ndarray) -> float:
    """Probability that a random positive scores above a random negative (ties half)."""
    scores = np.concatenate([positive, negative])
    ranks = scores.argsort().argsort() + 1.0
    for value in np.unique(scores):  # average ranks of ties
        tied = scores == value
        ranks[tied] = ranks[tied].mean()
    n_pos, n_neg = len(positive), len(negative)
    return float((ranks[:n_pos].sum() - n_pos * (n_pos + 1) / 2) / (n_pos * n_neg))


def prf(predicted: np.ndarray, truth: np.ndarray) -> str:
    tp = int((predicted & truth).sum())
    precision = tp / max(int(predicted.sum()), 1)
    recall = tp / max(int(truth.sum()), 1)
    f1 = 2 * precision * recall / max(precision + recall, 1e-9)
    return f"precision {precision:.3f} recall {recall:.3f} F1 {f1:.3f}"


def main() -> None:
    rows = load()
    therapist = [r for r in rows if r["who"] == "therapist"]
    truth = np.array([r["question"] for r in therapist])
    texts = [r["text"] for r in therapist]
    print(f"AnnoMI therapist utterances: {len(therapist)}, with a question: {truth.sum()}")
    punctuated = np.array([a.is_question for a in language.analyse(texts)])
    bare = np.array([a.is_question for a in language.analyse(
        [t.replace("?", ".") for t in texts])])
    mark = np.array(["?" in t for t in texts])
    print(f"  '?' alone                      {prf(mark, truth)}")
    print(f"  is_question (as written)       {prf(punctuated, truth)}")
    print(f"  is_question, every '?' removed {prf(bare, truth)}")

    pairs = [(rows[i - 1], rows[i]) for i in range(1, len(rows))
             if rows[i]["who"] == "therapist" and rows[i - 1]["who"] == "client"
             and rows[i]["tid"] == rows[i - 1]["tid"] and rows[i]["text"]
             and rows[i - 1]["text"]]
    prev = language.analyse([p["text"] for p, _ in pairs])
    cur = language.analyse([c["text"] for _, c in pairs])
    uptake = np.array([lexical_uptake(a.content, b.content) for a, b in zip(prev, cur,
                                                                             strict=True)])
    va = language.embed([p["text"] for p, _ in pairs])
    vb = language.embed([c["text"] for _, c in pairs])
    similarity = (va * vb).sum(axis=1)
    reflection = np.array([c["reflection"] for _, c in pairs])
    other = ~reflection
    print(f"\nclient -> therapist pairs: {len(pairs)}; reflections {reflection.sum()}, "
          f"other moves {other.sum()}")
    print(f"  AUC lexical uptake      {auc(uptake[reflection], uptake[other]):.3f}")
    print(f"  AUC semantic similarity {auc(similarity[reflection], similarity[other]):.3f}")
    print("  uptake_thr sim_thr  responsive: reflections  other moves")
    for u_thr in (0.1, 0.2, 0.3):
        for s_thr in (0.4, 0.5, 0.6):
            responsive = (uptake >= u_thr) | (similarity >= s_thr)
            print(f"  {u_thr:10.1f} {s_thr:7.1f}  {responsive[reflection].mean():22.1%} "
                  f"{responsive[other].mean():12.1%}")


if __name__ == "__main__":
    main()
