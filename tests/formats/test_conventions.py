"""Speaker conventions on small constructed files, for the edges that no vendored real file
shows (each found in review): sound notes, URLs, level-named tiers, empty transcripts."""

from __future__ import annotations

import json

import pytest

from polyphony.errors import InputError
from polyphony.formats import read


def test_bracketed_sound_notes_are_not_speakers(tmp_path):
    path = tmp_path / "captions.srt"
    cues = ["[JOHN] Hi", "[laughs] okay", "[MARY] hey", "[MUSIC PLAYING]", "[JOHN] bye"]
    path.write_text("".join(f"{n}\n00:00:0{n},000 --> 00:00:0{n},900\n{text}\n\n"
                            for n, text in enumerate(cues, 1)))
    conv = read(path)
    assert sorted(conv.speakers) == ["JOHN", "MARY"]
    assert [u.text for u in conv.utterances] == ["Hi", "hey", "bye"]
    # in a [SPEAKER] file a cue without a label is nobody known, not the last speaker
    assert conv.provenance.unattributed["(none)"][0] == 2


def test_zoom_names_with_a_comma_are_taken_when_they_recur(tmp_path):
    path = tmp_path / "zoom.vtt"
    cues = ["Jane Doe: hello", "Smith, Bob: hi Jane, I disagree", "Jane Doe: why",
            "Smith, Bob: because", "Well, I think: no"]
    path.write_text("WEBVTT\n\n" + "".join(
        f"{n}\n00:00:0{n}.000 --> 00:00:0{n}.900\n{text}\n\n" for n, text in enumerate(cues, 1)))
    conv = read(path)
    assert sorted(conv.speakers) == ["Jane Doe", "Smith, Bob"]
    assert conv.utterances[-1].text == "Well, I think: no"  # said once: speech, not a name


def test_a_url_is_not_an_inline_overlap(tmp_path):
    path = tmp_path / "x.vtt"
    path.write_text("WEBVTT\n\n00:00:01.000 --> 00:00:03.000\n"
                    "<v Anna>open http://localhost:8080/app now\n")
    conv = read(path)
    assert conv.speakers == ["Anna"]
    assert conv.utterances[0].text == "open http://localhost:8080/app now"


def _grid(tiers: dict[str, list[tuple[float, float, str]]]) -> str:
    out = ['File type = "ooTextFile"', 'Object class = "TextGrid"', "", "0", "4", "<exists>",
           str(len(tiers))]
    for name, intervals in tiers.items():
        out += ['"IntervalTier"', f'"{name}"', "0", "4", str(len(intervals))]
        for start, end, text in intervals:
            out += [str(start), str(end), f'"{text}"']
    return "\n".join(out) + "\n"


@pytest.mark.parametrize("names", [("ORT-MAU", "KAN-MAU", "MAU"),
                                   ("Anna_words", "Anna_phones")])
def test_levels_of_one_talker_are_one_participant(tmp_path, names):
    path = tmp_path / "aligned.TextGrid"
    path.write_text(_grid({name: [(0, 1, "hello"), (1, 2, "world")] for name in names}))
    conv = read(path)
    assert len(conv.speakers) == 1 and len(conv.utterances) == 2


def test_a_level_named_tier_beside_named_speakers_is_read_not_set_aside(tmp_path):
    path = tmp_path / "mixed.TextGrid"
    path.write_text(_grid({"words": [(0, 1, "hello")], "Interviewer": [(2, 3, "yes")]}))
    conv = read(path)
    assert sorted(conv.speakers) == ["Interviewer", "unknown"]
    assert not conv.provenance.unattributed


def test_an_empty_whisper_transcript_is_refused_clearly(tmp_path):
    path = tmp_path / "silent.json"
    path.write_text(json.dumps({"text": "", "segments": [], "language": "en"}))
    with pytest.raises(InputError, match="holds no segments"):
        read(path)


def test_a_uem_without_the_chosen_recording_is_refused(tmp_path):
    (tmp_path / "x.rttm").write_text("SPEAKER rec1 1 1.0 2.0 <NA> <NA> a <NA> <NA>\n")
    (tmp_path / "x.uem").write_text("otherrec 1 0.000 100.000\n")
    with pytest.raises(InputError, match=r"no region for recording 'rec1'.*otherrec"):
        read(tmp_path / "x.rttm", uem=tmp_path / "x.uem", recording="rec1")


def test_a_whisperx_segment_without_a_speaker_takes_its_words_speaker(tmp_path):
    path = tmp_path / "wx.json"
    path.write_text(json.dumps({"segments": [
        {"start": 0, "end": 1, "text": "hi", "speaker": "SPEAKER_00"},
        {"start": 1, "end": 2, "text": "yes ok", "words": [
            {"word": "yes", "start": 1.0, "end": 1.4, "speaker": "SPEAKER_01"},
            {"word": "ok", "start": 1.5, "end": 1.9, "speaker": "SPEAKER_01"}]},
        {"start": 2, "end": 3, "text": "hm"}]}))
    conv = read(path)
    assert [u.speaker for u in conv.utterances] == ["SPEAKER_00", "SPEAKER_01"]
    assert conv.provenance.unattributed["(none)"][0] == 1
