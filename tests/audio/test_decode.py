import numpy as np
import pytest
import soundfile as sf

from polyphony.audio.decode import SAMPLE_RATE, decode
from polyphony.errors import InputError


def test_decodes_to_16k_mono_float32_from_any_rate_and_channels(tmp_path):
    t = np.arange(44_100) / 44_100
    stereo = np.stack([np.sin(2 * np.pi * 440 * t), np.zeros_like(t)], axis=1) * 0.5
    path = tmp_path / "tone.flac"
    sf.write(path, stereo, 44_100)
    w = decode(path)
    assert w.sample_rate == SAMPLE_RATE
    assert w.samples.dtype == np.float32 and w.samples.ndim == 1
    assert abs(w.duration - 1.0) < 0.01
    assert 0.2 < np.abs(w.samples).max() <= 0.5  # downmixed, not clipped


@pytest.mark.parametrize(("make", "message"), [
    (lambda p: None, "no such file"),
    (lambda p: p.write_bytes(b""), "is empty"),
    (lambda p: p.write_text("this is a text file, not audio\n" * 20), "not an audio"),
    (lambda p: p.mkdir(), "is a directory"),
])
def test_bad_input_names_the_file_and_the_problem(tmp_path, make, message):
    path = tmp_path / "meeting.wav"
    make(path)
    with pytest.raises(InputError, match=message) as info:
        decode(path)
    assert str(path) in str(info.value)
