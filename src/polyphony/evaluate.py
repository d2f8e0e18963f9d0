"""Accuracy against a reference: DER and JER (pyannote.metrics), DER split by cause, WER and
speaker-attributed cpWER (jiwer, after a simple English normaliser), and speaker-count
error.

JER weighs every speaker equally, which suits polyphony: a quiet voice lost costs as much
as a loud one."""

from __future__ import annotations

import re
from dataclasses import dataclass

from polyphony.conversation import Conversation

_NUMBERS = {"0": "zero", "1": "one", "2": "two", "3": "three", "4": "four", "5": "five",
            "6": "six", "7": "seven", "8": "eight", "9": "nine", "10": "ten"}


@dataclass(frozen=True)
class ErrorParts:
    """DER split by cause, each a fraction of the scored reference speech (together they
    are the DER): speech missed, speech found where nobody spoke, and speech given to the
    wrong voice. Only confusion is the clustering's. Missed speech and false alarms are the
    speech detection's, and no choice of speaker labels can remove them."""

    missed: float
    false_alarm: float
    confusion: float


@dataclass(frozen=True)
class Scores:
    der: float
    jer: float
    wer: float | None
    cpwer: float | None
    speaker_count_error: int
    collar: float
    speakers_found: int  # reference speakers found as a voice of their own
    reference_speakers: int
    parts: ErrorParts


def normalise(text: str) -> str:
    """Lower case, no punctuation or bracketed asides, small numbers spelled out: a
    simplification of Whisper's English normaliser, which is not installed here."""
    text = text.lower().replace("’", "'")
    text = re.sub(r"\[[^\]]*\]|<[^>]*>|\([^)]*\)", " ", text)
    text = re.sub(r"[^\w\s']", " ", text)
    words = [_NUMBERS.get(w, w) for w in text.split()]
    return " ".join(w.strip("'") for w in words if w.strip("'"))


def _scored(reference: Conversation, hypothesis: Conversation, collar: float,
            skip_overlap: bool) -> tuple[float, ErrorParts]:
    """DER and its parts from one pyannote.metrics pass."""
    from pyannote.metrics.diarization import DiarizationErrorRate

    metric = DiarizationErrorRate(collar=collar, skip_overlap=skip_overlap)
    detail = metric(reference.to_annotation(), hypothesis.to_annotation(), detailed=True)
    total = detail["total"]
    if total == 0:  # no reference speech: pyannote's DER is 1 if any was found
        parts = ErrorParts(0.0, float(detail["false alarm"] > 0), 0.0)
    else:
        parts = ErrorParts(detail["missed detection"] / total, detail["false alarm"] / total,
                           detail["confusion"] / total)
    return float(metric.compute_metric(detail)), parts


def der(reference: Conversation, hypothesis: Conversation, collar: float = 0.25,
        skip_overlap: bool = False) -> float:
    return _scored(reference, hypothesis, collar, skip_overlap)[0]


def der_parts(reference: Conversation, hypothesis: Conversation, collar: float = 0.25,
              skip_overlap: bool = False) -> ErrorParts:
    """The DER's three causes (`ErrorParts`), scored as `der` scores."""
    return _scored(reference, hypothesis, collar, skip_overlap)[1]


def jer(reference: Conversation, hypothesis: Conversation, collar: float = 0.25) -> float:
    from pyannote.metrics.diarization import JaccardErrorRate

    return float(JaccardErrorRate(collar=collar)(reference.to_annotation(),
                                                 hypothesis.to_annotation()))


def wer(reference: Conversation, hypothesis: Conversation) -> float:
    """Word error rate of the whole transcript, speakers ignored."""
    import jiwer

    ref = normalise(" ".join(u.text for u in reference.utterances))
    hyp = normalise(" ".join(u.text for u in hypothesis.utterances))
    return float(jiwer.wer(ref, hyp))


def _words(conv: Conversation, speaker: str) -> list[str]:
    return normalise(" ".join(u.text for u in conv.utterances if u.speaker == speaker)).split()


def cpwer(reference: Conversation, hypothesis: Conversation) -> float:
    """Concatenated minimum-permutation WER (the CHiME-6 measure): each speaker's words
    concatenated, reference and hypothesis speakers paired to minimise the total errors,
    unpaired speakers' words counted as deletions or insertions."""
    import jiwer
    import numpy as np
    from scipy.optimize import linear_sum_assignment

    refs = [_words(reference, s) for s in reference.speakers]
    hyps = [_words(hypothesis, s) for s in hypothesis.speakers]
    total = sum(len(r) for r in refs)
    if total == 0:
        raise ValueError("the reference has no words")
    size = max(len(refs), len(hyps))
    refs += [[]] * (size - len(refs))
    hyps += [[]] * (size - len(hyps))
    cost = np.zeros((size, size))
    for i, r in enumerate(refs):
        for j, h in enumerate(hyps):
            if not r or not h:
                cost[i, j] = len(r) + len(h)
            else:
                out = jiwer.process_words(" ".join(r), " ".join(h))
                cost[i, j] = out.substitutions + out.deletions + out.insertions
    rows, cols = linear_sum_assignment(cost)
    return float(cost[rows, cols].sum() / total)


def speaker_count_error(reference: Conversation, hypothesis: Conversation) -> int:
    """Found minus true number of speakers who speak (negative: voices were merged)."""
    def count(c: Conversation) -> int:
        return len({u.speaker for u in c.utterances})

    return count(hypothesis) - count(reference)


def speakers_found(reference: Conversation, hypothesis: Conversation) -> int:
    """How many reference speakers were found as a voice of their own: matched one to one
    (the mapping that maximises shared speech, as DER's) to a hypothesis voice that
    shares more speech with them than with anyone else. A voice merged into another, or
    found only as scraps of someone else's voice, is not found."""
    import numpy as np
    from scipy.optimize import linear_sum_assignment

    ref, hyp = reference.to_annotation(), hypothesis.to_annotation()
    if not ref.labels() or not hyp.labels():
        return 0
    shared = np.asarray(ref * hyp)  # seconds each (reference, hypothesis) pair co-occur
    rows, cols = linear_sum_assignment(-shared)
    return int(sum(shared[r, c] > 0 and shared[:, c].argmax() == r
                   for r, c in zip(rows, cols, strict=True)))


def score(reference: Conversation, hypothesis: Conversation, collar: float = 0.25,
          reference_text: Conversation | None = None, skip_overlap: bool = False) -> Scores:
    """`reference` gives timing (RTTM); `reference_text` the words (STM), if separate.
    Text scores are None when either side has no text."""
    text_ref = reference_text or reference
    has_text = text_ref.provenance.has_text and hypothesis.provenance.has_text
    der_, parts = _scored(reference, hypothesis, collar, skip_overlap)
    return Scores(der_, jer(reference, hypothesis, collar),
                  wer(text_ref, hypothesis) if has_text else None,
                  cpwer(text_ref, hypothesis) if has_text else None,
                  speaker_count_error(reference, hypothesis), collar,
                  speakers_found(reference, hypothesis), len(reference.speakers), parts)
