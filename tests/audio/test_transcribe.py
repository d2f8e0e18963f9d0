"""The two transcription engines: faster-whisper (the default) and openai-whisper, given
the same weights converted by benchmarks/ct2_to_openai_whisper.py."""

import importlib.util
import re

import jiwer
import numpy as np
import pytest
import torch

from polyphony.audio import openai_whisper, transcribe
from polyphony.audio.decode import decode
from polyphony.audio.engines import Engines
from polyphony.errors import InputError, UsageError
from polyphony.models import model_path
from tests.conftest import ROOT, pyannote_sample_dir


def _converter():
    spec = importlib.util.spec_from_file_location(
        "ct2_to_openai_whisper", ROOT / "benchmarks" / "ct2_to_openai_whisper.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def tiny_en_pt(tmp_path_factory):
    path = tmp_path_factory.mktemp("openai") / "tiny-en.pt"
    torch.save(_converter().convert(model_path("whisper-tiny-en")), path)
    return path


def _normalised(words) -> list[str]:
    return [re.sub(r"[^\w']", "", w.text.lower()) for w in words]


@pytest.mark.models
def test_the_same_weights_give_the_same_words_through_both_engines(tiny_en_pt, monkeypatch):
    # At temperature 0 only: where Whisper's checks fail it samples at higher temperatures,
    # and the engines' random draws differ
    monkeypatch.setitem(transcribe._OPTIONS, "temperature", 0.0)
    waveform = decode(pyannote_sample_dir() / "sample.wav")
    engines = Engines()
    faster = transcribe.transcribe(waveform, engines=engines)
    openai = transcribe.transcribe(waveform, str(tiny_en_pt), engines=engines,
                                   engine="openai-whisper")
    assert openai.language == faster.language == "en"
    # faster-whisper runs int8 on a CPU, openai-whisper float32: a few words in overlapped
    # speech differ (4.1% here), a broken conversion would differ in all
    assert len(faster.words) > 50
    assert jiwer.wer(" ".join(_normalised(faster.words)),
                     " ".join(_normalised(openai.words))) < 0.1
    starts = {text: w.start for text, w in zip(_normalised(faster.words), faster.words,
                                                strict=True)}
    shifts = [abs(starts[text] - w.start) for text, w in zip(_normalised(openai.words),
                                                              openai.words, strict=True)
              if text in starts and abs(starts[text] - w.start) < 2]
    assert np.median(shifts) < 0.15  # times mapped back past the VAD's cuts, as faster's
    assert all(0 <= w.start <= w.end <= waveform.duration + 0.5 for w in openai.words)


@pytest.mark.models
def test_an_analysis_through_openai_whisper_says_so(tiny_en_pt, sample_recording):
    from polyphony.audio.diarize import SpeakerCount
    from polyphony.audio.pipeline import Settings, analyze

    analysis = analyze(sample_recording, settings=Settings(
        count=SpeakerCount(num=2), device="cpu", asr_model=str(tiny_en_pt),
        asr_engine="openai-whisper"))
    provenance = analysis.conversation.provenance
    assert provenance.settings["asr_engine"] == "openai-whisper"
    assert provenance.models["asr"] == str(tiny_en_pt)
    assert sum(len(u.words) for u in analysis.conversation.utterances) > 50
    again = analyze(sample_recording, settings=Settings(
        count=SpeakerCount(num=2), device="cpu", asr_model=str(tiny_en_pt),
        asr_engine="openai-whisper"))
    assert again.conversation.utterances == analysis.conversation.utterances  # seeded


def test_names_either_library_would_download_are_refused(tmp_path):
    for name in ("tiny.en", "large-v3", str(tmp_path)):
        with pytest.raises(InputError, match="not an openai-whisper checkpoint"):
            transcribe.resolve_model(name, engine="openai-whisper")
    (tmp_path / "mine.pt").write_bytes(b"")
    with pytest.raises(InputError, match="--asr-engine openai-whisper"):
        transcribe.resolve_model(str(tmp_path / "mine.pt"))
    with pytest.raises(UsageError, match="unknown ASR engine"):
        transcribe.resolve_model("whisper-tiny-en", engine="whisper.cpp")


@pytest.mark.models
def test_a_checkpoint_that_is_not_one_is_named(tmp_path):
    bad = tmp_path / "broken.pt"
    bad.write_bytes(b"not a checkpoint")
    with pytest.raises(InputError, match="could not be loaded") as caught:
        transcribe.load_model(str(bad), engine="openai-whisper")
    assert caught.value.path == str(bad)
    assert "\n" not in str(caught.value) and "weights_only" not in str(caught.value)
    import torch

    empty = tmp_path / "empty.pt"
    torch.save({"dims": {}, "model_state_dict": {}}, empty)  # torch's error lists keys
    with pytest.raises(InputError, match="could not be loaded") as caught:
        transcribe.load_model(str(empty), engine="openai-whisper")
    assert "\n" not in str(caught.value) and len(caught.value.problem) < 250


def test_openai_whisper_missing_is_one_line_that_says_how_to_install(tmp_path, monkeypatch):
    import sys

    checkpoint = tmp_path / "model.pt"
    checkpoint.write_bytes(b"")
    monkeypatch.setitem(sys.modules, "whisper", None)  # as if the extra were not installed
    with pytest.raises(UsageError, match="whisper is not installed") as caught:
        openai_whisper.load(str(checkpoint), "cpu")
    assert "--no-deps openai-whisper" in caught.value.hint
    with pytest.raises(InputError, match="no such checkpoint file"):
        transcribe.resolve_model(str(tmp_path / "absent.pt"), engine="openai-whisper")
