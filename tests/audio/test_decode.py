import numpy as np
import pytest
import soundfile as sf

from polyphony.audio.decode import SAMPLE_RATE, decode, probe, stream
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


def test_stream_yields_the_whole_recording_in_blocks_cut_in_silence(tmp_path):
    # 50 s of tone with a 0.5 s silence at 11.0 s and at 31.0 s: near each nominal cut
    rate = SAMPLE_RATE
    t = np.arange(50 * rate) / rate
    audio = (0.3 * np.sin(2 * np.pi * 220 * t)).astype(np.float32)
    for gap in (11.0, 31.0):
        audio[int(gap * rate):int((gap + 0.5) * rate)] = 0.0
    path = tmp_path / "long.flac"
    sf.write(path, audio, rate)
    blocks = list(stream(path, block_seconds=10, margin_seconds=2))
    whole = decode(path)
    assert len(blocks) >= 3
    assert np.array_equal(np.concatenate([b.samples for b in blocks]), whole.samples)
    offsets = np.cumsum([0.0] + [b.duration for b in blocks[:-1]])
    assert [b.offset for b in blocks] == pytest.approx(list(offsets))
    cut = blocks[0].duration
    assert 11.0 <= cut <= 11.5  # inside the silence, not in the tone
    assert all(b.duration <= 10 + 2 * 2 + 1e-9 for b in blocks)
    assert list(stream(path, block_seconds=10, margin_seconds=2))[1].offset == blocks[1].offset


def test_a_recording_shorter_than_a_block_is_one_block(tmp_path):
    path = tmp_path / "short.flac"
    sf.write(path, np.full(SAMPLE_RATE, 0.1, np.float32), SAMPLE_RATE)
    (block,) = stream(path, block_seconds=600)
    assert block.offset == 0.0 and block.duration == pytest.approx(1.0)


def test_stream_reports_bad_input_like_decode(tmp_path):
    path = tmp_path / "empty.wav"
    path.write_bytes(b"")
    with pytest.raises(InputError, match="is empty"):
        list(stream(path, block_seconds=600))
    tiny = tmp_path / "tiny.flac"
    sf.write(tiny, np.zeros(100, np.float32), SAMPLE_RATE)
    with pytest.raises(InputError, match=r"shorter than 0\.1 s"):
        list(stream(tiny, block_seconds=600))


def test_probe_reads_the_header_before_resampling(tmp_path):
    path = tmp_path / "phone.wav"
    sf.write(path, np.zeros((8000 * 3, 2), np.float32), 8000)
    info = probe(path)
    assert (info.container, info.sample_rate, info.channels, info.video) == (
        "wav", 8000, 2, False)
    assert info.declared_duration == pytest.approx(3.0)


def test_a_wav_cut_short_still_declares_its_whole_length(tmp_path):
    """FFmpeg measures a WAV by its size; the RIFF header still says how long it was."""
    whole = tmp_path / "whole.wav"
    sf.write(whole, np.zeros(16000 * 10, np.float32), 16000, subtype="PCM_16")
    cut = tmp_path / "cut.wav"
    cut.write_bytes(whole.read_bytes()[:16000 * 2 * 4 + 44])
    assert probe(cut).declared_duration == pytest.approx(10.0)
    assert decode(cut).duration == pytest.approx(4.0, abs=0.01)


def test_the_audio_track_of_a_video_is_read(tmp_path):
    import av

    path = tmp_path / "meeting.mkv"
    with av.open(str(path), "w", format="matroska") as container:
        video = container.add_stream("mpeg4", rate=5)
        video.width, video.height, video.pix_fmt = 32, 32, "yuv420p"
        audio = container.add_stream("aac", rate=16000, layout="mono")
        tone = (0.3 * np.sin(2 * np.pi * 220 * np.arange(32000) / 16000)).astype(np.float32)
        for i in range(0, len(tone), 1024):
            frame = av.AudioFrame.from_ndarray(tone[None, i:i + 1024], format="fltp",
                                               layout="mono")
            frame.sample_rate = 16000
            for packet in audio.encode(frame):
                container.mux(packet)
        for _ in range(10):
            image = av.VideoFrame.from_ndarray(np.zeros((32, 32, 3), np.uint8), "rgb24")
            for packet in video.encode(image):
                container.mux(packet)
        for stream in (video, audio):
            for packet in stream.encode():
                container.mux(packet)
    info = probe(path)
    assert info.video and info.codec == "aac"
    w = decode(path)
    assert w.duration == pytest.approx(2.0, abs=0.1) and np.abs(w.samples).max() > 0.2


def test_a_header_with_a_long_junk_chunk_is_read_or_passed_over(tmp_path):
    """A `fmt ` chunk that starts near the end of the bytes probed is no crash."""
    import struct

    body = np.zeros(1600, "<i2").tobytes()
    fmt = b"fmt " + struct.pack("<IHHIIHH", 16, 1, 1, 16000, 32000, 2, 16)
    junk = b"JUNK" + struct.pack("<I", 4068) + b"\0" * 4068
    riff = b"WAVE" + junk + fmt + b"data" + struct.pack("<I", len(body)) + body
    path = tmp_path / "junk.wav"
    path.write_bytes(b"RIFF" + struct.pack("<I", len(riff)) + riff)
    info = probe(path)
    assert info.declared_duration == pytest.approx(0.1, abs=0.01)
