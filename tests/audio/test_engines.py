"""A worker's models: loaded once, kept, and owned by the object that holds them."""

from __future__ import annotations

import shutil

import pytest
import torch

from polyphony.analyze import analyze_all
from polyphony.audio import diarize, transcribe
from polyphony.audio.engines import Engines
from tests.conftest import write_consent


def test_threads_must_be_positive():
    with pytest.raises(ValueError, match="at least 1"):
        Engines(threads=0)


@pytest.mark.models
def test_each_model_loads_once_per_engines_and_engines_do_not_share():
    before = torch.get_num_threads()
    try:
        engines = Engines(threads=1)
        whisper = engines.whisper(transcribe.DEFAULT_MODEL, "cpu")
        assert engines.whisper(transcribe.DEFAULT_MODEL, "cpu") is whisper
        assert torch.get_num_threads() == 1  # the worker's share of the cores
        assert Engines(threads=1).whisper(transcribe.DEFAULT_MODEL, "cpu") is not whisper
    finally:
        torch.set_num_threads(before)


@pytest.mark.models
def test_analysing_several_recordings_loads_the_models_once(sample_recording, tmp_path,
                                                            monkeypatch):
    folder = tmp_path / "in"
    folder.mkdir()
    for name in ("one.wav", "two.wav"):
        shutil.copy(sample_recording, folder / name)
    write_consent(folder, "one.wav", "two.wav")
    loads = []
    for module, name in ((transcribe, "load_model"), (diarize, "load_pipeline")):
        real = getattr(module, name)
        monkeypatch.setattr(module, name,
                            lambda *a, _real=real, _name=name, **k: loads.append(_name)
                            or _real(*a, **k))
    outcomes = list(analyze_all([folder / "one.wav", folder / "two.wav"], tmp_path / "out"))
    assert [o.ok for o in outcomes] == [True, True]
    assert sorted(loads) == ["load_model", "load_model", "load_pipeline"]  # tiny.en, and
    # the multilingual model that checks which language the speech sounds like
