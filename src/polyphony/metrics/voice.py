"""Voice share and balance (METRICS.md §1): quantitative dominance.

Balance indices run over every roster member, silent ones included, because a silent voice
is exactly what the report must show.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence

import numpy as np

from polyphony.conversation import PROFESSIONAL_ROLES, ROLES, Conversation, Utterance
from polyphony.metrics import intervals

_WORDY = re.compile(r"[^\W_]", re.UNICODE)


def word_count(u: Utterance) -> int:
    """The `words` list when present, else whitespace tokens holding a letter or digit."""
    if u.words:
        return len(u.words)
    return sum(1 for token in u.text.split() if _WORDY.search(token))


def speech_intervals(conv: Conversation) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """Each participant's merged speech, clipped to the region."""
    t0, t1 = conv.region
    out = {}
    for pid in conv.speakers:
        mine = [u for u in conv.utterances if u.speaker == pid]
        s = np.array([u.start for u in mine], float)
        e = np.array([u.end for u in mine], float)
        out[pid] = intervals.union(*intervals.clip(s, e, t0, t1))
    return out


def longest_absence(speech: tuple[np.ndarray, np.ndarray], region: tuple[float, float]) -> float:
    """The longest stretch of the region in which this speaker is silent."""
    s, e = speech
    bounds_start = np.concatenate([[region[0]], e])
    bounds_end = np.concatenate([s, [region[1]]])
    return float(max((bounds_end - bounds_start).max(), 0.0))


def shares(values: Mapping[str, float]) -> dict[str, float | None]:
    """Each value over their sum; all null when the sum is zero (nobody spoke)."""
    total = sum(values.values())
    return {k: (v / total if total > 0 else None) for k, v in values.items()}


def balance(values: Sequence[float]) -> dict[str, float | None]:
    """Gini, evenness, effective voices and dominance over n roster members."""
    x = np.asarray(values, float)
    n, total = len(x), float(x.sum())
    if n == 0 or total <= 0:
        return {"gini": None, "evenness": None, "effective_voices": None, "dominance": None}
    p = x / total
    gini = float(np.abs(x[:, None] - x[None, :]).sum() / (2 * n * total))
    nz = p[p > 0]
    entropy = float(-(nz * np.log(nz)).sum())
    return {
        "gini": gini,
        "evenness": entropy / float(np.log(n)) if n >= 2 else None,
        "effective_voices": float(np.exp(entropy)),
        "dominance": float(p.max()),
    }


def voice_metrics(conv: Conversation) -> dict:
    """Speaking time, shares and balance. Word fields are null when the input has no text."""
    speech = speech_intervals(conv)
    time = {pid: float((e - s).sum()) for pid, (s, e) in speech.items()}
    all_s = np.concatenate([s for s, _ in speech.values()] or [np.zeros(0)])
    all_e = np.concatenate([e for _, e in speech.values()] or [np.zeros(0)])
    speech_time = intervals.length(all_s, all_e)
    overlap_time = intervals.covered_by_at_least(list(speech.values()), 2)

    has_text = conv.provenance.has_text
    words: dict[str, int] | None = None
    if has_text:
        words = {pid: 0 for pid in conv.speakers}
        for u in conv.utterances:
            words[u.speaker] += word_count(u)

    share_time = shares(time)
    share_words = shares(words) if words is not None else None
    role_share: dict[str, float] = {}
    for p in conv.participants:
        role_share[p.role] = role_share.get(p.role, 0.0) + (share_time[p.id] or 0.0)
    nobody = all(v is None for v in share_time.values())
    return {
        "speech": speech,
        "speaking_time": time,
        "longest_absence": {pid: longest_absence(sp, conv.region) for pid, sp in speech.items()},
        "share_time": share_time,
        "words": words,
        "share_words": share_words,
        "totals": {
            "speech_time": speech_time,
            "overlap_time": overlap_time,
            "silence_time": conv.duration - speech_time,
            "words": sum(words.values()) if words is not None else None,
        },
        "balance": {
            "time": balance(list(time.values())),
            "words": balance(list(words.values())) if words is not None else balance([]),
        },
        "roles": {
            "share_time": {r: (None if nobody else role_share[r]) for r in ROLES
                           if r in role_share},
            "professional_share": None if nobody else sum(
                role_share.get(r, 0.0) for r in PROFESSIONAL_ROLES),
        },
    }
