"""Polyphony metrics: pure functions from a Conversation to the numbers of METRICS.md.

`compute_metrics` assembles the `metrics.json` layout of METRICS.md §7, one family per
module: voice, turns, responsiveness, dialogical, timecourse, flags. Every key is always
present. When the input has no text (an RTTM), word, text and responsiveness fields are
null, never zero.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass
from typing import Any

from polyphony import language
from polyphony.conversation import Conversation
from polyphony.metrics import dialogical, responsiveness, timecourse
from polyphony.metrics.flags import flags
from polyphony.metrics.turns import Timing, build_turns, turn_metrics
from polyphony.metrics.voice import balance, shares, voice_metrics

DEFINITIONS_VERSION = 1

_TEXT_FIELDS = ("responded_to_rate", "responsiveness", "questions_asked",
                "questions_answered", "semantic_dominance", "interactional_dominance")


@dataclass(frozen=True)
class MetricsConfig:
    """The configurable parts of the definitions; recorded in every metrics.json."""

    backchannels: str = "separate"
    uptake_threshold: float = responsiveness.UPTAKE_THRESHOLD
    similarity_threshold: float = responsiveness.SIMILARITY_THRESHOLD
    window: float = timecourse.WINDOW
    step: float = timecourse.STEP
    language: str = "en"


DEFAULT_CONFIG = MetricsConfig()


def compute_many(conversations: list[Conversation],
                 config: MetricsConfig = DEFAULT_CONFIG) -> list[dict[str, Any]]:
    """Metrics for a batch of conversations. Every turn text of the batch goes through the
    language models in one pass first, which batches far better than one call per
    conversation (see benchmarks/metrics_throughput.py)."""
    pairs = [(conv, Timing(conv, config.language)) for conv in conversations]
    texts = [language.clean(turn.text) for conv, timing in pairs if conv.provenance.has_text
             for turn in build_turns(conv, config.backchannels, timing)]
    language.analyse(texts)
    language.embed(texts)
    return [_metrics(conv, config, None, timing) for conv, timing in pairs]


def compute_metrics(conv: Conversation, config: MetricsConfig = DEFAULT_CONFIG,
                    expected_speakers: int | None = None,
                    split_voices: Sequence[tuple[str, str]] | None = None) -> dict[str, Any]:
    """The metrics.json document for one conversation.

    `expected_speakers` is how many people the roster says were present, when the speaker
    labels come from diarization, so that a mismatch can be flagged; `split_voices` are the
    pairs diarization split to reach that count (`flags.flags`). Both default to what the
    conversation's provenance records, so a saved conversation.json gives its run's
    metrics again.
    """
    prov = conv.provenance
    if expected_speakers is None:
        expected_speakers = prov.expected_speakers
    return _metrics(conv, config, expected_speakers, Timing(conv, config.language),
                    prov.split_voices if split_voices is None else split_voices)


def _metrics(conv: Conversation, config: MetricsConfig, expected_speakers: int | None,
             timing: Timing, split_voices: Sequence[tuple[str, str]] = ()
             ) -> dict[str, Any]:
    ids = conv.speakers
    has_text = conv.provenance.has_text
    voice = voice_metrics(conv)
    turns = turn_metrics(conv, config.backchannels, timing)
    turn_list = turns["turns"]
    turn_counts = {pid: turns["participants"][pid]["turns"] for pid in ids}
    share_turns = shares(turn_counts)

    text_metrics: dict[str, dict[str, Any]] = {pid: dict.fromkeys(_TEXT_FIELDS) for pid in ids}
    uptake_network = None
    if has_text and turn_list:
        scores = responsiveness.score_pairs(turn_list, config.uptake_threshold,
                                            config.similarity_threshold)
        resp = responsiveness.responsiveness_metrics(turn_list, ids, scores)
        uptake_network = resp["uptake_network"]
        semantic = dialogical.semantic_dominance(turn_list, ids, scores.content)
        interactional = dialogical.interactional_dominance(turn_list, ids, scores)
        for pid in ids:
            text_metrics[pid] = {**resp["participants"][pid],
                                 "semantic_dominance": semantic[pid],
                                 "interactional_dominance": interactional[pid]}

    first_speech = {pid: None for pid in ids}
    for u in reversed(conv.utterances):
        first_speech[u.speaker] = u.start

    participants = {}
    for p in conv.participants:
        t = turns["participants"][p.id]
        participants[p.id] = {
            "role": p.role,
            "label": p.label,
            "speaking_time": voice["speaking_time"][p.id],
            "share_time": voice["share_time"][p.id],
            "words": voice["words"][p.id] if has_text else None,
            "share_words": voice["share_words"][p.id] if has_text else None,
            "turns": t["turns"],
            "share_turns": share_turns[p.id],
            "backchannels": t["backchannels"],
            "mean_turn": t["mean_turn"],
            "median_turn": t["median_turn"],
            "longest_turn": t["longest_turn"],
            "interruptions_made": t["interruptions_made"],
            "interruptions_suffered": t["interruptions_suffered"],
            "overlap_onsets": t["overlap_onsets"],
            **text_metrics[p.id],
            "first_speech": first_speech[p.id],
            "longest_absence": voice["longest_absence"][p.id],
        }

    totals = dict(voice["totals"])
    totals["turns"] = len(turn_list)
    totals["backchannels"] = (sum(v["backchannels"] for v in turns["participants"].values())
                              if has_text else None)
    return {
        "definitions_version": DEFINITIONS_VERSION,
        "source": conv.provenance.source,
        "region": list(conv.region),
        "config": asdict(config),
        "totals": totals,
        "participants": participants,
        "balance": {**voice["balance"], "turns": balance(list(turn_counts.values()))},
        "roles": voice["roles"],
        "turn_taking": turns["turn_taking"],
        "responsiveness": {"uptake_network": uptake_network},
        "reflecting_sequences": dialogical.reflecting_sequences(turn_list, conv),
        "timecourse": timecourse.timecourse(voice["speech"], conv.region, config.window,
                                            config.step),
        "flags": flags(conv, voice, expected_speakers, split_voices),
        "provenance": conv.provenance.to_dict(),
    }
