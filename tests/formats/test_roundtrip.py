"""Every writer's output reads back to the same speakers, times and text."""

import pytest

from polyphony.conversation import Utterance, Word
from polyphony.formats import READERS, WRITERS, detect, read, write
from tests.helpers import conv

SUFFIX = {"rttm": ".rttm", "stm": ".stm", "vtt": ".vtt", "srt": ".srt", "eaf": ".eaf",
          "textgrid": ".TextGrid", "chat": ".cha", "whisper": ".json", "csv": ".csv",
          "conversation": ".json"}

@pytest.mark.parametrize("fmt", sorted(WRITERS))
def test_round_trip(tmp_path, fmt):
    original = conv([("anna", 0.5, 2.25, "Hello, how are you?"), ("ben", 2.0, 3.5, "Fine."),
                     ("anna", 4.0, 6.0, "Good & well.")], region=(0.0, 7.0))
    path = write(original, tmp_path / f"meeting{SUFFIX[fmt]}", fmt)
    assert detect(path) == fmt
    back = read(path)
    assert back.speakers == ["anna", "ben"]
    assert [(u.speaker, u.start) for u in back.utterances] == [
        (u.speaker, u.start) for u in original.utterances]
    assert [u.end for u in back.utterances] == pytest.approx(
        [u.end for u in original.utterances])
    if fmt == "rttm":
        assert not back.provenance.has_text
    else:
        expected = [u.text for u in original.utterances]
        if fmt == "chat":  # CHAT reads `&` as one of its codes: the writer spells it out
            expected = [text.replace("&", "and") for text in expected]
        assert [u.text for u in back.utterances] == expected


def test_whisperx_keeps_words_and_their_speakers(tmp_path):
    words = (Word(0.5, 0.9, "Hello", "anna", 0.9), Word(1.0, 1.4, "there", "anna", 0.8))
    c = conv([]).build([Utterance("anna", 0.5, 1.4, "Hello there", words)])
    back = read(write(c, tmp_path / "x.json", "whisper"))
    assert back.utterances[0].words == words


def test_whisper_json_without_any_speaker_is_flagged_not_silent(tmp_path):
    path = tmp_path / "wx.json"
    path.write_text('{"segments": [{"start": 0, "end": 1, "text": " hi", "words": '
                    '[{"word": " hi", "start": 0.1, "end": 0.5, "score": 0.9}]}]}')
    c = read(path)
    assert c.speakers == ["unknown"] and c.utterances[0].text == "hi"
    assert c.provenance.speaker_labels is False


def test_vtt_voice_tags_with_classes_and_a_cue_that_continues_a_turn(tmp_path):
    path = tmp_path / "x.vtt"
    path.write_text("WEBVTT\n\n00:00:01.000 --> 00:00:02.000\n<v.loud Dr Lee>Hi <b>all</b>\n\n"
                    "00:00:03.000 --> 00:00:04.000\nand welcome\n")
    c = read(path)
    assert [(u.speaker, u.text) for u in c.utterances] == [("Dr Lee", "Hi all"),
                                                          ("Dr Lee", "and welcome")]
    assert any("continuing the previous speaker" in note for note in c.provenance.notes)


def test_uem_sets_the_region(tmp_path):
    (tmp_path / "x.rttm").write_text("SPEAKER x 1 1.0 2.0 <NA> <NA> a <NA> <NA>\n")
    (tmp_path / "x.uem").write_text("x 1 0.000 10.000\n")
    assert read(tmp_path / "x.rttm", uem=tmp_path / "x.uem").region == (0.0, 10.0)


def test_unknown_file_type_names_the_formats(tmp_path):
    path = tmp_path / "notes.docx"
    path.write_text("x")
    with pytest.raises(Exception, match="--format") as info:
        read(path)
    assert str(path) in str(info.value)
    assert set(READERS) == set(WRITERS)


def test_awkward_names_and_texts_survive_every_writer(tmp_path):
    from polyphony.conversation import Participant

    roster = [Participant("a", "family", "Smith, J"), Participant("b", "person", "A|B <i>")]
    original = conv([("a", 0.5, 2.0, "Two + two: me@x.org [sic]"), ("b", 2.5, 3.0, "")],
                    roster, region=(0.0, 4.0))
    srt = read(write(original, tmp_path / "awkward.srt", "srt"))  # no cue without text
    assert srt.speakers == ["Smith, J"]
    assert srt.utterances[0].text == "Two + two: me@x.org [sic]"
    for fmt in ("stm", "eaf", "chat"):  # these keep speech without text
        back = read(write(original, tmp_path / f"awkward{SUFFIX[fmt]}", fmt))
        assert len(back.speakers) == len(back.utterances) == 2, fmt
    chat = read(tmp_path / "awkward.cha")
    assert [p.label for p in chat.participants] == ["Smith J", "A|B <i>"]
    assert chat.utterances[0].text == "Two plus two: me at x.org (sic)."
