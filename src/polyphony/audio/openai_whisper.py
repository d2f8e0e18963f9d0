"""openai-whisper as a second transcription engine, for users who bring `.pt` checkpoints
(community fine-tunes for their language, say), behind the `openai-whisper` extra.

It is fed exactly what faster-whisper is fed: the speech that Silero VAD finds, with the
silences between cut out, through faster-whisper's own `get_speech_timestamps` and
`collect_chunks`, and the words' times mapped back into the recording the way
faster-whisper maps them (by the chunk that holds each word's middle). The decoding options
are faster-whisper's in `transcribe.py`: beam 5, no conditioning on previous text, word
timestamps. So both engines give attribution the same `Word`s; `tests/audio/
test_transcribe.py` checks the words of the same weights through both.

openai-whisper's `load_model` downloads any name it knows ("tiny.en"); only a checkpoint
file that exists is ever passed to it.
"""

from __future__ import annotations

import pickle
from pathlib import Path
from typing import Any

import numpy as np

from polyphony.conversation import Word
from polyphony.errors import InputError, UsageError, one_line

ENGINE = "openai-whisper"
SAMPLE_RATE = 16_000


def checkpoint(name_or_path: str) -> Path:
    """The `.pt` checkpoint file `name_or_path` names; nothing else is accepted."""
    path = Path(name_or_path)
    if path.suffix == ".pt" and not path.exists():
        raise InputError("no such checkpoint file", path=path,
                         hint="check the path given to --asr-model")
    if path.suffix != ".pt" or not path.is_file():
        raise InputError(
            f"ASR model {name_or_path!r} is not an openai-whisper checkpoint file (.pt)",
            hint="with --asr-engine openai-whisper, give --asr-model PATH.pt; names such "
                 "as tiny.en would be downloaded, which polyphony never does")
    return path


def load(name_or_path: str, device: str) -> Any:
    path = checkpoint(name_or_path)
    try:
        import whisper
    except ImportError as exc:
        missing = exc.name or "openai-whisper"
        raise UsageError(f"openai-whisper cannot be imported: {missing} is not installed",
                         hint="pip install --no-deps openai-whisper==20250625 tiktoken "
                              "(docs/transcription.md: --no-deps keeps out triton, 1 GB)"
                         ) from None
    try:
        return whisper.load_model(str(path), device=device)
    except Exception as exc:  # torch.load and the state dict raise anything
        raise InputError(f"could not be loaded as an openai-whisper checkpoint "
                         f"({_first_line(exc)})", path=path,
                         hint="give a checkpoint saved by openai-whisper (a dict of "
                              "'dims' and 'model_state_dict'), or one converted to its "
                              "format") from None


def _first_line(exc: Exception) -> str:
    """What went wrong, in one short line: torch's own messages run to pages (every
    missing key, or advice to unpickle code, which polyphony never does)."""
    if isinstance(exc, KeyError):
        return f"no {exc.args[0]!r} in it"
    if isinstance(exc, pickle.UnpicklingError):
        return "it holds more than tensors, and only weights are ever loaded"
    return one_line(exc)


def words(model: Any, samples: np.ndarray, offset: float, language: str | None,
          device: str, options: dict[str, Any]) -> tuple[list[Word], str]:
    """The words of `samples` (recording time from `offset`) and the language decoded."""
    import torch
    import whisper
    from faster_whisper.vad import SpeechTimestampsMap, collect_chunks, get_speech_timestamps

    speech = get_speech_timestamps(samples)
    if not speech:
        return [], language or "en"  # as faster-whisper says of silence
    chunks, _ = collect_chunks(samples, speech)
    times = SpeechTimestampsMap(speech, SAMPLE_RATE)
    # Where decoding at temperature 0 fails Whisper's checks, both engines sample at higher
    # temperatures; openai-whisper draws from torch's global generator, so it is seeded
    # (and restored after) for the same words from the same audio on every run.
    with torch.random.fork_rng(devices=[] if device == "cpu" else None):
        torch.manual_seed(0)
        result = whisper.transcribe(model, np.concatenate(chunks).astype(np.float32),
                                    language=language, fp16=device == "cuda", verbose=None,
                                    **options)
    out = []
    for segment in result["segments"]:
        for w in segment.get("words", ()):
            text = w["word"].strip()
            if not text:
                continue
            # openai-whisper's times are numpy floats; a Word holds Python's
            first, last = float(w["start"]), float(w["end"])
            chunk = times.get_chunk_index((first + last) / 2)
            start = offset + times.get_original_time(first, chunk)
            end = offset + times.get_original_time(last, chunk)
            out.append(Word(start, max(end, start), text,
                            probability=round(float(w["probability"]), 4)))
    return out, result["language"]
