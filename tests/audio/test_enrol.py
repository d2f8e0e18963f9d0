"""Enrolment without a model: samples are read and checked before any model runs, and
voices are paired with people one to one. The whole path, on real speech, is in
tests/test_analyze.py."""

from __future__ import annotations

import numpy as np
import pytest
import soundfile as sf

from polyphony.audio import enrol
from polyphony.audio.attribute import Turn
from polyphony.errors import InputError
from polyphony.roster import load

RATE = 16_000


@pytest.fixture
def recording(tmp_path):
    """10 s: a tone from 0 to 5 s, silence after."""
    t = np.arange(5 * RATE) / RATE
    sound = np.concatenate([0.3 * np.sin(2 * np.pi * 180 * t), np.zeros(5 * RATE)])
    path = tmp_path / "meeting.wav"
    sf.write(path, sound.astype(np.float32), RATE)
    return path


def roster(tmp_path, *voices: str):
    rows = "".join(f'[[participant]]\nid = "p{i}"\nvoice = "{v}"\n\n'
                   for i, v in enumerate(voices))
    (tmp_path / "roster.toml").write_text(rows)
    return load(tmp_path / "roster.toml")


def test_spans_and_clips_are_read(tmp_path, recording):
    sf.write(tmp_path / "clip.flac", np.full(3 * RATE, 0.2, np.float32), RATE)
    samples = enrol.load_samples(roster(tmp_path, "1.0-4.0", "clip.flac"), recording, 10.0)
    by = {s.participant: s for s in samples}
    assert by["p0"].waveform.duration == pytest.approx(3.0, abs=0.01)
    assert by["p0"].waveform.offset == pytest.approx(1.0)
    assert by["p1"].waveform.duration == pytest.approx(3.0, abs=0.01)
    assert enrol.clips(roster(tmp_path, "clip.flac", "2-4")) == [tmp_path / "clip.flac"]


@pytest.mark.parametrize(("voices", "message"), [
    (("1.0-2.5",), r"lasts 1.5 s, under the 2 s"),
    (("8.0-12.0",), r"ends after the recording \(10.0 s\)"),
    (("6.0-9.0",), r"is silent"),
    (("1.0-4.0", "1.0-4.0"), "overlaps 1-4, given to p0"),
    (("1.0-4.0", "3.5-6.0"), "overlaps 1-4, given to p0"),
    (("missing.flac",), r"the voice sample of p0, missing.flac, cannot be used: no such"),
])
def test_unusable_samples_are_named_before_any_model_runs(tmp_path, recording, voices,
                                                         message):
    with pytest.raises(InputError, match=message) as caught:
        enrol.load_samples(roster(tmp_path, *voices), recording, 10.0)
    assert "roster.toml" in str(caught.value)


def test_a_clip_that_is_not_audio_is_named(tmp_path, recording):
    (tmp_path / "notes.wav").write_text("not a recording\n" * 30)
    with pytest.raises(InputError, match=r"notes\.wav, cannot be used: is not an audio"):
        enrol.load_samples(roster(tmp_path, "notes.wav"), recording, 10.0)


def unit(*values: float) -> np.ndarray:
    v = np.array(values, float)
    return v / np.linalg.norm(v)


def test_voices_and_people_are_paired_one_to_one_above_the_threshold():
    people = {"anna": unit(1, 0.1, 0), "ben": unit(0.9, 0.2, 0.1), "cara": unit(0, 0, 1)}
    voices = {"S1": unit(1, 0, 0), "S2": unit(0, 1, 0.1), "S3": unit(0.1, 0, 1)}
    named, matches = enrol.assign(people, voices, threshold=0.5)
    # ben is nearer S1 than S2, but anna is nearer still: one to one, ben gets S2.
    assert named == {"S1": "anna", "S3": "cara"}
    ben = next(m for m in matches if m["participant"] == "ben")
    assert ben["voice"] == "S2" and not ben["named"] and ben["similarity"] < 0.5
    assert set(ben["similarities"]) == {"anna", "ben", "cara"}


def test_a_voice_is_the_duration_weighted_mean_of_its_segments():
    turns = [Turn(0, 1, "A"), Turn(1, 4, "A"), Turn(4, 5, "B")]
    vectors = {0: unit(1, 0), 1: unit(0, 1), 2: unit(1, 1)}
    voices = enrol.voices(turns, vectors)
    assert voices["A"] == pytest.approx(unit(1, 3))
    assert voices["B"] == pytest.approx(unit(1, 1))


def test_a_person_with_both_a_speaker_and_a_voice_is_refused(tmp_path):
    (tmp_path / "roster.toml").write_text('[[participant]]\nid = "a"\nspeaker = "S1"\n'
                                          'voice = "1-4"\n')
    with pytest.raises(InputError, match="gives both a speaker and a voice"):
        load(tmp_path / "roster.toml")
