"""Reliability flags (METRICS.md §6), reported beside the numbers they qualify."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from polyphony.conversation import Conversation
from polyphony.models import MULTILINGUAL_ASR, public_name

LITTLE_SPEECH = 5.0
HIGH_OVERLAP = 0.15
WIDEBAND = 16_000  # Hz: what Whisper and the diarization models were trained on
TRUNCATION = (2.0, 0.02)  # seconds, fraction: a shortfall below both is rounding
LANGUAGE_CONFIDENCE = 0.5  # Whisper's own threshold for trusting its language detection


def _flag(code: str, message: str, speaker: str | None = None) -> dict[str, Any]:
    return {"code": code, "message": message, "speaker": speaker}


def flags(conv: Conversation, voice: dict[str, Any],
          expected_speakers: int | None = None,
          split_voices: Sequence[tuple[str, str]] = ()) -> list[dict[str, Any]]:
    """Flags for little speech, heavy overlap, a speaker-count mismatch, voices split to
    reach the count, a file without speaker labels or with unattributed speech, and
    automatic source.

    A flag about one participant names them only by id in `speaker`, never in `message`,
    so that a de-identified report can show it under an alias.

    `voice` is the output of `voice_metrics` for the same conversation. `split_voices`
    pairs the participants that diarization heard as one voice and split in two because
    the roster or the user gave a larger count (`Diarization.splits`).
    """
    out = []
    if voice["totals"]["speech_time"] <= 0:
        out.append(_flag("no_speech", "no speech was found in the analysed region: check "
                                      "that this is the right recording"))
    for p in conv.participants:
        t = voice["speaking_time"][p.id]
        if t < LITTLE_SPEECH:
            out.append(_flag(
                "little_speech",
                f"has {t:.1f} s of speech (under {LITTLE_SPEECH:.0f} s): "
                "automatic diarization may have merged or split this voice",
                p.id))
    totals = voice["totals"]
    if totals["speech_time"] > 0 and totals["overlap_time"] / totals["speech_time"] > HIGH_OVERLAP:
        ratio = totals["overlap_time"] / totals["speech_time"]
        out.append(_flag("high_overlap",
                         f"{ratio:.0%} of speech is overlapped (over {HIGH_OVERLAP:.0%}): "
                         "turn metrics are less reliable"))
    split = {sid for pair in split_voices for sid in pair}
    for sid in [p.id for p in conv.participants if p.id in split]:
        out.append(_flag(
            "split_voice",
            "sounded like one voice with another participant to the speaker model, and "
            "was split from it to reach the speaker count given: speech may be mixed up "
            "between the two",
            sid))
    heard = sum(1 for t in voice["speaking_time"].values() if t > 0)
    if expected_speakers is not None and expected_speakers != heard:
        out.append(_flag("speaker_count_mismatch",
                         f"the roster lists {expected_speakers} participants but diarization "
                         f"found {heard} speaker{'' if heard == 1 else 's'}"))
    prov = conv.provenance
    if not prov.speaker_labels:
        out.append(_flag("no_speaker_labels",
                         "the file names no speakers: all its speech is one participant, "
                         "so shares, turns and responsiveness say nothing about who spoke"))
    if prov.unattributed:
        n = sum(count for count, _ in prov.unattributed.values())
        seconds = prov.unattributed_time
        spoken = seconds + totals["speech_time"]
        labels = ", ".join(repr(label) for label in prov.unattributed)
        out.append(_flag(
            "unattributed_speech",
            f"{n} utterance{'' if n == 1 else 's'} ({seconds:.1f} s, "
            f"{seconds / spoken if spoken else 0:.0%} of the speech) name no speaker "
            f"(labelled {labels}) and are left out: shares are of the attributed speech, "
            "and their time counts as silence"))
    out += _audio_flags(prov.audio)
    present = {p.id for p in conv.participants}
    threshold = prov.enrolment.get("threshold")
    for match in prov.enrolment.get("matches", ()) if threshold is not None else ():
        if (not match.get("named", True) and not match.get("mapped_in_roster")
                and match.get("voice") in present):
            out.append(_flag(
                "uncertain_identity",
                f"was paired with a voice sample at similarity {match['similarity']:.2f}, "
                f"under the {threshold:.2f} needed to name it: listen, "
                "and name it with `polyphony relabel` if it is that person", match["voice"]))
    heard = prov.settings.get("language_heard")
    if heard and language_mismatch(heard, prov.settings.get("language")):
        out.append(_flag("language_mismatch",
                         f"the speech sounds like {heard[0]!r} ({heard[1]:.0%} sure) but was "
                         f"transcribed as English by {public_name(prov.models.get('asr', ''))}: "
                         "the words, and "
                         "every metric drawn from them, are unreliable; a multilingual model "
                         f"(--asr-model {MULTILINGUAL_ASR}) would transcribe it"))
    language = prov.settings.get("language")
    if prov.has_text and language not in (None, "en"):
        out.append(_flag("text_not_english",
                         f"the transcript is in {language!r}, but responsiveness (uptake, "
                         "questions, reflecting) is measured with English language models: "
                         "read those numbers as rough; voice share and turn-taking do not "
                         "depend on the language"))
    if prov.source == "automatic" or prov.derived_from.get("source") == "automatic":
        # Naming the voices (`relabel`) corrects who is who, not the times or the words.
        out.append(_flag("automatic",
                         "times and words come from automatic transcription and "
                         "diarization, not checked by a person"))
    return out


def _audio_flags(audio: Mapping[str, Any]) -> list[dict[str, Any]]:
    """A recording that is narrowband (telephone, 8 kHz) or shorter than its header says."""
    out = []
    rate = audio.get("sample_rate") or 0
    if 0 < rate < WIDEBAND:
        out.append(_flag("narrowband_audio",
                         f"the recording is sampled at {rate / 1000:g} kHz (telephone "
                         "quality): transcription and diarization are less accurate"))
    declared, decoded = audio.get("declared_duration"), audio.get("decoded_duration")
    if declared and decoded is not None:
        short = declared - decoded
        if short > TRUNCATION[0] and short > TRUNCATION[1] * declared:
            out.append(_flag("truncated_recording",
                             f"only {decoded:.1f} s of the {declared:.1f} s its header "
                             "declares could be decoded: the file may have been cut short "
                             "in copying, and the rest of the meeting is not in these "
                             "numbers"))
    return out


def language_mismatch(heard: Sequence[Any], language: str | None) -> bool:
    """Whether speech heard as `heard` (code, probability) was transcribed as another
    `language`."""
    code, probability = heard
    return code != (language or "en") and probability >= LANGUAGE_CONFIDENCE
