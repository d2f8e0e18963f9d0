"""Accuracy against a reference: DER and JER (pyannote.metrics), WER (jiwer, with Whisper's
English text normaliser), and speaker-count error."""

from __future__ import annotations

import re
from dataclasses import dataclass

from polyphony.conversation import Conversation

_NUMBERS = {"0": "zero", "1": "one", "2": "two", "3": "three", "4": "four", "5": "five",
            "6": "six", "7": "seven", "8": "eight", "9": "nine", "10": "ten"}


@dataclass(frozen=True)
class Scores:
    der: float
    jer: float
    wer: float | None
    speaker_count_error: int


def normalise(text: str) -> str:
    """Whisper's English normaliser when faster-whisper's tokenizer ships it; else a close
    simplification (lower case, no punctuation, small numbers spelled out)."""
    text = text.lower().replace("’", "'")
    text = re.sub(r"\[[^\]]*\]|<[^>]*>|\([^)]*\)", " ", text)
    text = re.sub(r"[^\w\s']", " ", text)
    words = [_NUMBERS.get(w, w) for w in text.split()]
    return " ".join(w.strip("'") for w in words if w.strip("'"))


def der(reference: Conversation, hypothesis: Conversation, collar: float = 0.25,
        skip_overlap: bool = False) -> float:
    from pyannote.metrics.diarization import DiarizationErrorRate

    metric = DiarizationErrorRate(collar=collar, skip_overlap=skip_overlap)
    return float(metric(reference.to_annotation(), hypothesis.to_annotation()))


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


def speaker_count_error(reference: Conversation, hypothesis: Conversation) -> int:
    """Found minus true number of speakers who speak (negative: voices were merged)."""
    def count(c: Conversation) -> int:
        return len({u.speaker for u in c.utterances})

    return count(hypothesis) - count(reference)


def score(reference: Conversation, hypothesis: Conversation, collar: float = 0.25,
          reference_text: Conversation | None = None) -> Scores:
    """`reference` gives timing (RTTM); `reference_text` the words (STM), if separate."""
    text_ref = reference_text or reference
    has_text = text_ref.provenance.has_text and hypothesis.provenance.has_text
    return Scores(der(reference, hypothesis, collar), jer(reference, hypothesis, collar),
                  wer(text_ref, hypothesis) if has_text else None,
                  speaker_count_error(reference, hypothesis))
