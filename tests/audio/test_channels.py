"""--split-channels without a model: bleed removal, the exclusive view, and which words a
channel keeps. The whole path on real speech is in tests/audio/test_bad_audio.py."""

import numpy as np
import pytest
import soundfile as sf

from polyphony.audio import channels
from polyphony.audio.attribute import Turn
from polyphony.audio.decode import Waveform
from polyphony.conversation import Word
from polyphony.errors import InputError

RATE = 16_000


def tone(seconds: float, level: float) -> np.ndarray:
    t = np.arange(int(seconds * RATE)) / RATE
    return (level * np.sin(2 * np.pi * 200 * t)).astype(np.float32)


def test_the_quieter_copy_of_another_voice_is_bleed():
    loud, quiet = tone(2, 0.5), tone(2, 0.5 * 10 ** (-25 / 20))
    left = Waveform(np.concatenate([loud, np.zeros(2 * RATE, np.float32)]), RATE)
    right = Waveform(np.concatenate([quiet, tone(2, 0.4)]), RATE)
    # Both channels' VAD heard the first two seconds; only the left one spoke them.
    turns = channels.without_bleed([[(0.0, 2.0)], [(0.0, 4.0)]], [left, right])
    assert [(t.start, t.end, t.speaker) for t in turns[0]] == [(0.0, 2.0, "C1")]
    assert [(round(t.start, 2), t.end, t.speaker) for t in turns[1]] == [(2.0, 4.0, "C2")]


def test_two_voices_at_once_are_both_kept():
    a, b = Waveform(tone(2, 0.5), RATE), Waveform(tone(2, 0.3), RATE)
    turns = channels.without_bleed([[(0.0, 2.0)], [(0.5, 1.5)]], [a, b])
    assert [(t.start, t.end) for t in turns[0]] == [(0.0, 2.0)]
    assert [(t.start, t.end) for t in turns[1]] == [(0.5, 1.5)]
    d = channels.diarization(turns)
    assert [(t.start, t.end, t.speaker) for t in d.exclusive] == [(0.0, 2.0, "C1")]


def test_a_channel_keeps_only_the_words_inside_its_speech():
    turns = [Turn(0.0, 2.0, "C1")]
    words = [Word(0.5, 0.9, "mine"), Word(1.8, 2.6, "half"), Word(3.0, 3.4, "bleed")]
    kept = channels.own_words(words, turns, "C1")
    assert [(w.text, w.speaker) for w in kept] == [("mine", "C1")]


def test_channels_are_decoded_apart_and_mono_is_refused(tmp_path):
    stereo = tmp_path / "call.wav"
    sf.write(stereo, np.stack([tone(1, 0.5), np.zeros(RATE, np.float32)], axis=1), 8000)
    left, right = channels.decode_channels(stereo)
    assert left.sample_rate == RATE and left.duration == pytest.approx(2.0, abs=0.01)
    assert np.abs(left.samples).max() > 0.3 and np.abs(right.samples).max() < 1e-3
    mono = tmp_path / "mono.wav"
    sf.write(mono, tone(1, 0.5), RATE)
    with pytest.raises(InputError, match="has a single channel"):
        channels.decode_channels(mono)


def test_an_empty_stereo_file_is_a_clear_error(tmp_path):
    path = tmp_path / "empty.wav"
    sf.write(path, np.zeros((0, 2), np.float32), RATE)
    with pytest.raises(InputError, match="holds no audio"):
        channels.decode_channels(path)
