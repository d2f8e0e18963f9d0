"""Audio as it comes from the wild, through the whole `polyphony analyze`: each input gets
one clear line and exit status 1, or is analysed with a flag that says what limits the
numbers. All are made from the pyannote sample (a real two-person call) or are real
recordings (FLEURS, tests/data/README.md); one batch holds the lot, as a user's would.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf
from click.testing import CliRunner

from polyphony import evaluate
from polyphony.audio.decode import decode
from polyphony.cli import main
from polyphony.formats import read
from tests.conftest import DATA, pyannote_sample_dir, write_consent

pytestmark = pytest.mark.models

ODD = 'Möte "quoted" it\'s — 1.wav'
FLEURS = DATA / "audio" / "fleurs-de-001.ogg"


def _encode(path: Path, samples: np.ndarray, codec: str, video: bool = False) -> None:
    """`samples` (16 kHz mono) in `path`'s container, with a blank video track if asked."""
    import av

    with av.open(str(path), "w") as container:
        if video:
            picture = container.add_stream("mpeg4", rate=5)
            picture.width, picture.height, picture.pix_fmt = 32, 32, "yuv420p"
        sound = container.add_stream(codec, rate=16000, layout="mono")
        for i in range(0, len(samples), 1152):
            frame = av.AudioFrame.from_ndarray(np.ascontiguousarray(samples[None, i:i + 1152]),
                                               format="fltp", layout="mono")
            frame.sample_rate = 16000
            for packet in sound.encode(frame):
                container.mux(packet)
        if video:
            for _ in range(int(len(samples) / 16000 * 5)):
                image = av.VideoFrame.from_ndarray(np.zeros((32, 32, 3), np.uint8), "rgb24")
                for packet in picture.encode(image):
                    container.mux(packet)
        for stream in container.streams:
            for packet in stream.encode():
                container.mux(packet)


@pytest.fixture(scope="module")
def wild(tmp_path_factory):
    """A folder of recordings gone wrong in every common way, with consent for all."""
    folder = tmp_path_factory.mktemp("wild")
    call = decode(pyannote_sample_dir() / "sample.wav").samples
    sf.write(folder / "whole.wav", call, 16000, subtype="PCM_16")
    data = (folder / "whole.wav").read_bytes()
    (folder / "cut.wav").write_bytes(data[:len(data) // 2])
    (folder / "whole.wav").unlink()
    _encode(folder / "whole.mp3", call, "mp3")
    data = (folder / "whole.mp3").read_bytes()
    (folder / "cut.mp3").write_bytes(data[:len(data) // 2])
    (folder / "whole.mp3").unlink()
    sf.write(folder / "silence.wav", np.zeros(16000 * 20, np.float32), 16000)
    sf.write(folder / "one-second.wav", call[16000 * 20:16000 * 21], 16000)
    sf.write(folder / "phone.wav", call[::2], 8000)  # the call as an 8 kHz line gives it
    _encode(folder / "video.mp4", call, "aac", video=True)
    _encode(folder / "video.mkv", call, "aac", video=True)
    sf.write(folder / ODD, call, 16000)
    (folder / "german.ogg").write_bytes(FLEURS.read_bytes())
    (folder / "empty.wav").write_bytes(b"")
    (folder / "notes.wav").write_text("minutes of the meeting, not a recording\n" * 40)
    (folder / "folder.wav").mkdir()
    names = [p.name for p in folder.iterdir()]
    write_consent(folder, *names)
    return folder


@pytest.fixture(scope="module")
def batch(wild, tmp_path_factory):
    out = tmp_path_factory.mktemp("out")
    inputs = ["missing.wav", "folder.wav", "empty.wav", "notes.wav", "cut.wav", "cut.mp3",
              "silence.wav", "one-second.wav", "phone.wav", "video.mp4", "video.mkv", ODD,
              "german.ogg"]
    result = CliRunner().invoke(main, ["analyze", *[str(wild / n) for n in inputs],
                                       "--out", str(out)])
    return result, out


def flags_of(folder: Path) -> set[str]:
    return {f["code"] for f in json.loads((folder / "metrics.json").read_text())["flags"]}


def test_bad_files_get_one_line_each_and_the_batch_goes_on(batch):
    result, out = batch
    assert result.exit_code == 1
    assert "Traceback" not in result.output
    errors = [line for line in result.stderr.splitlines() if line.startswith("error:")]
    assert [e.split(": ", 2)[2].split(" (")[0] for e in errors] == [
        "no such file", "is a directory, not a recording", "is empty", "is not an audio or "
        "video file that FFmpeg can read"]
    assert len(list(out.iterdir())) == 9


def test_a_truncated_wav_or_mp3_is_analysed_and_flagged(batch):
    _, out = batch
    for name in ("cut.wav", "cut.mp3"):  # one stem, two files: each its own folder
        assert "truncated_recording" in flags_of(out / name)
        audio = json.loads((out / name / "conversation.json").read_text())["provenance"]["audio"]
        assert audio["declared_duration"] == pytest.approx(30.0, abs=0.1)
        assert audio["decoded_duration"] == pytest.approx(15.0, abs=0.2)


def test_silence_and_a_one_second_clip_say_what_they_hold(batch):
    _, out = batch
    assert "no_speech" in flags_of(out / "silence")
    short = json.loads((out / "one-second" / "metrics.json").read_text())
    assert short["region"] == pytest.approx([0.0, 1.0], abs=0.01)


def test_telephone_audio_works_with_a_flag(batch):
    _, out = batch
    assert "narrowband_audio" in flags_of(out / "phone")
    reference = read(pyannote_sample_dir() / "sample.rttm")
    scores = evaluate.score(reference, read(out / "phone" / "conversation.json"))
    assert scores.der < 0.25 and scores.speaker_count_error == 0


def test_the_audio_track_of_a_video_is_analysed(batch):
    _, out = batch
    for name in ("video.mp4", "video.mkv"):
        conv = json.loads((out / name / "conversation.json").read_text())
        assert conv["provenance"]["audio"]["video"] is True
        assert sum(len(u["words"]) for u in conv["utterances"]) > 40


def test_an_odd_file_name_is_kept_and_never_breaks_a_format(batch):
    _, out = batch
    folder = out / Path(ODD).stem
    assert (folder / "report.html").is_file()
    fields = {line.split()[1] for line in (folder / "diarization.rttm").read_text().splitlines()}
    assert fields == {"_".join(Path(ODD).stem.split())}
    assert json.loads((folder / "conversation.json").read_text())["provenance"][
        "recording"] == ODD


def test_speech_that_is_not_english_is_flagged_naming_a_multilingual_model(batch):
    result, out = batch
    assert "language_mismatch" in flags_of(out / "german")
    assert "sounds like 'de'" in result.stderr and "--asr-model whisper-base" in result.stderr
    assert "language_mismatch" not in flags_of(out / "phone")


def test_the_multilingual_model_transcribes_it(wild, tmp_path):
    result = CliRunner().invoke(main, ["analyze", str(wild / "german.ogg"), "--out",
                                       str(tmp_path), "--asr-model", "whisper-base"])
    assert result.exit_code == 0, result.output
    conv = json.loads((tmp_path / "german" / "conversation.json").read_text())
    assert conv["provenance"]["settings"]["language"] == "de"
    text = " ".join(u["text"] for u in conv["utterances"]).lower()
    assert "dinosaurier" in text and "wasser" in text
    assert {"text_not_english"} <= flags_of(tmp_path / "german")
    assert "language_mismatch" not in flags_of(tmp_path / "german")


def test_an_english_only_model_refuses_another_language_before_any_work(wild, tmp_path):
    result = CliRunner().invoke(main, ["analyze", str(wild / "german.ogg"), "--out",
                                       str(tmp_path), "--language", "de"])
    assert result.exit_code == 1
    assert "understands English only, not 'de'" in result.stderr
    assert not (tmp_path / "german").exists()


def test_stereo_headsets_are_split_into_one_speaker_per_channel(tmp_path):
    """Two headsets: each channel holds one side of the call, and the other side 25 dB
    down, as a headset microphone hears the room."""
    call = decode(pyannote_sample_dir() / "sample.wav").samples
    reference = read(pyannote_sample_dir() / "sample.rttm")
    t = np.arange(len(call)) / 16000
    own = {}
    for u in reference.utterances:
        own.setdefault(u.speaker, np.zeros(len(call), bool))[(t >= u.start) & (t < u.end)] = 1
    first, second = sorted(own)
    bleed = 10 ** (-25 / 20)
    left = np.where(own[first], call, bleed * call)
    right = np.where(own[second], call, bleed * call)
    sf.write(tmp_path / "headsets.wav", np.stack([left, right], axis=1), 16000)
    (tmp_path / "roster.toml").write_text(
        '[[participant]]\nid = "diane"\nrole = "person"\nspeaker = "C1"\n\n'
        '[[participant]]\nid = "sheila"\nrole = "family"\nspeaker = "C2"\n')
    write_consent(tmp_path, "headsets.wav", people=(("diane", "person"),
                                                     ("sheila", "family")))
    result = CliRunner().invoke(main, [
        "analyze", str(tmp_path / "headsets.wav"), "--split-channels", "--roster",
        str(tmp_path / "roster.toml"), "--out", str(tmp_path / "out")])
    assert result.exit_code == 0, result.output
    conv = read(tmp_path / "out" / "headsets" / "conversation.json")
    assert [p.id for p in conv.participants] == ["diane", "sheila"]
    scores = evaluate.score(reference, conv)
    assert scores.der < 0.10, scores
    assert all(w.speaker == u.speaker for u in conv.utterances for w in u.words)
    mono = CliRunner().invoke(main, ["analyze", str(pyannote_sample_dir() / "sample.wav"),
                                     "--split-channels", "--no-consent-check", "--out",
                                     str(tmp_path / "mono")])
    assert mono.exit_code == 1 and "has a single channel" in mono.stderr
