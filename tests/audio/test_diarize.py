"""Diarization on real audio: a voice with only 3 s of speech survives as its own speaker,
and the speaker-count options are checked before anything runs. Pause filling on
hand-made turns."""

from __future__ import annotations

import numpy as np
import pytest

from polyphony.audio.attribute import Turn
from polyphony.audio.decode import Waveform, decode
from polyphony.audio.diarize import Diarization, SpeakerCount, diarize, fill_pauses
from polyphony.conversation import Conversation, Utterance
from polyphony.errors import InputError
from polyphony.formats import rttm
from tests.conftest import EXAMPLE

GAP = 0.4


def quiet_voice_meeting(quiet: str = "sam", budget: float = 3.2):
    """The example meeting re-cut from its non-overlapped reference segments, keeping only
    about 3 s of one voice."""
    full = decode(EXAMPLE / "network-meeting.flac")
    segments = rttm.read(EXAMPLE / "reference.rttm").utterances
    kept, spent = [], 0.0
    for u in segments:
        if any(o is not u and o.start < u.end and u.start < o.end for o in segments):
            continue
        if u.speaker == quiet:
            if spent + u.duration > budget:
                continue
            spent += u.duration
        kept.append(u)
    pieces, reference, t = [], [], 0.0
    for u in kept:
        audio = full.samples[round(u.start * full.sample_rate):round(u.end * full.sample_rate)]
        reference.append(Utterance(u.speaker, t, t + len(audio) / full.sample_rate))
        pieces += [audio, np.zeros(round(GAP * full.sample_rate), np.float32)]
        t += len(audio) / full.sample_rate + GAP
    return Waveform(np.concatenate(pieces), full.sample_rate), Conversation.build(reference), spent


@pytest.mark.models
def test_a_voice_with_three_seconds_of_speech_survives(sample_result):
    # (sample_result: the models are first loaded inside the network guard of conftest)
    from pyannote.metrics.diarization import DiarizationErrorRate

    waveform, reference, spent = quiet_voice_meeting()
    assert 2.5 <= spent <= 3.2
    d = diarize(waveform, SpeakerCount(num=4))
    hyp = Conversation.build(Utterance(t.speaker, t.start, t.end) for t in d.overlap_aware)
    mapping = DiarizationErrorRate().optimal_mapping(reference.to_annotation(),
                                                     hyp.to_annotation())
    assert "sam" in mapping.values()
    assert len(d.speakers) == 4


@pytest.mark.parametrize(("kwargs", "message"), [
    ({"num": 2, "max": 3}, "either an exact speaker count or min/max"),
    ({"min": 4, "max": 2}, "exceeds"),
    ({"num": 0}, "at least 1"),
])
def test_bad_speaker_counts(kwargs, message):
    with pytest.raises(InputError, match=message):
        SpeakerCount(**kwargs)


def test_a_short_silent_pause_is_filled_and_a_long_one_kept():
    turns = [Turn(0.0, 1.0, "A"), Turn(1.2, 2.0, "A"), Turn(2.5, 3.0, "A")]
    assert fill_pauses(turns, 0.3) == (Turn(0.0, 2.0, "A"), Turn(2.5, 3.0, "A"))
    assert fill_pauses(turns, 0.0) == tuple(turns)


def test_a_pause_where_another_voice_comes_in_is_kept():
    # B's "mm" inside A's pause, and C talking across A's other pause: both stay pauses.
    turns = [Turn(0.0, 1.0, "A"), Turn(1.05, 1.15, "B"), Turn(1.2, 2.0, "A"),
             Turn(1.5, 2.3, "C"), Turn(2.1, 3.0, "A")]
    assert fill_pauses(turns, 0.3) == tuple(sorted(turns, key=lambda t: t.start))


def test_pauses_fill_per_speaker_in_overlapped_speech():
    # A's pause falls inside B's speech: kept. B's pause is silent (A has stopped): filled.
    turns = [Turn(0.0, 1.0, "A"), Turn(0.8, 1.5, "B"), Turn(1.25, 1.45, "A"),
             Turn(1.7, 3.0, "B")]
    assert fill_pauses(turns, 0.3) == (Turn(0.0, 1.0, "A"), Turn(0.8, 3.0, "B"),
                                       Turn(1.25, 1.45, "A"))
    turns[2] = Turn(1.25, 1.6, "A")  # now A speaks into B's pause: every pause stays
    assert fill_pauses(turns, 0.3) == tuple(turns)


def test_both_views_of_a_diarization_are_filled():
    turns = (Turn(0.0, 1.0, "A"), Turn(1.2, 2.0, "A"))
    filled = Diarization(turns, turns).with_pauses_filled(0.3)
    assert filled.overlap_aware == filled.exclusive == (Turn(0.0, 2.0, "A"),)


@pytest.mark.models
def test_a_local_speaker_silent_in_a_window_is_not_embedded(sample_result):
    # pyannote asks for all three local speakers of every window; a silent one's embedding
    # is discarded, so CAM++ is not run for it (NaN, as pyannote's own wrappers mark it).
    import torch

    from polyphony.audio.diarize import load_pipeline

    model = load_pipeline()._embedding.model_
    waveforms = torch.from_numpy(decode(EXAMPLE / "network-meeting.flac").samples[
        16_000:16_000 * 11].copy()).reshape(1, 1, -1).repeat(2, 1, 1)
    weights = torch.zeros(2, 589)
    weights[1, 50:400] = 1.0
    with torch.inference_mode():
        out = model(waveforms, weights=weights).numpy()
    assert np.isnan(out[0]).all() and np.isfinite(out[1]).all()


@pytest.mark.models
def test_the_speaker_model_gives_the_same_vector_on_either_engine(sample_result):
    # ONNX Runtime on the CPU (onnx_cpu.py); torch for inputs too short for the exported
    # graph, and on a GPU
    import torch

    from polyphony.audio.diarize import load_pipeline

    model = load_pipeline()._embedding.model_
    samples = decode(EXAMPLE / "network-meeting.flac").samples[16_000:16_000 * 3]
    feats = model._fbank(torch.from_numpy(samples.copy()))
    inputs = [feats[:frames] for frames in (2, 3, 150, len(feats))]
    with torch.inference_mode():
        model._on_cpu = None
        (short,) = model._embed(inputs[:1])
        assert model._on_cpu is None  # two frames: torch, not the exported graph
        fast = [v.numpy() for v in model._embed(inputs)]
        plain = [model.campp(f[None]).numpy() for f in inputs]
    assert model._on_cpu is not None
    assert np.isfinite(short.numpy()).all()
    for a, b in zip(fast, plain, strict=True):
        assert np.isfinite(a).all() and np.abs(a - b).max() < 1e-4


@pytest.mark.models
def test_the_segmentation_model_gives_torchs_output_through_onnx_runtime(sample_result):
    import torch

    from polyphony.audio.diarize import load_pipeline

    model = load_pipeline()._segmentation.model
    samples = decode(EXAMPLE / "network-meeting.flac").samples
    windows = torch.from_numpy(np.stack([samples[:160_000], samples[160_000:320_000]]))[:, None]
    with torch.inference_mode():
        fast = model(windows).numpy()  # the replaced forward: ONNX Runtime
        plain = type(model).forward(model, windows).numpy()
        shorter = model(windows[:, :, :80_000]).numpy()  # not the window length: torch
    assert np.abs(fast - plain).max() < 1e-3
    assert (fast.argmax(-1) == plain.argmax(-1)).mean() > 0.999
    assert shorter.shape[1] < fast.shape[1]
