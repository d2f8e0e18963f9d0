"""The install recipe (Makefile, requirements/) leaves a torchaudio that imports as pure
Python beside CPU torch, with the parts pyannote.audio uses working."""

import torch


def test_torchaudio_pure_python_parts_work():
    import torchaudio
    import torchaudio.compliance.kaldi as kaldi
    import torchaudio.functional as F

    assert torchaudio.__version__
    feats = kaldi.fbank(torch.randn(1, 16_000), num_mel_bins=80)
    assert feats.shape == (98, 80)
    assert F.resample(torch.randn(1, 8_000), 8_000, 16_000).shape == (1, 16_000)


def test_pyannote_imports():
    from pyannote.audio.pipelines import SpeakerDiarization  # noqa: F401
