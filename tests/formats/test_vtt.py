from polyphony.conversation import Participant
from polyphony.formats import vtt
from tests.helpers import conv


def test_cues_carry_voice_tags_with_roster_labels_and_escape_text():
    c = conv([("a", 0.0, 1.5, "Hello <there> & you"), ("b", 61.25, 3725.5, "Hi."),
              ("b", 3726, 3727, "")], [Participant("a", "person", "Anna")])
    text = vtt.dumps(c)
    assert text.startswith("WEBVTT\n\n1\n00:00:00.000 --> 00:00:01.500\n")
    assert "<v Anna>Hello &lt;there&gt; &amp; you" in text
    assert "00:01:01.250 --> 01:02:05.500\n<v b>Hi." in text
    assert text.count("-->") == 2  # utterances without text get no cue


def test_names_with_markup_characters_read_back_as_written(tmp_path):
    c = conv([("a", 0.0, 1.0, "Hi."), ("b", 1.5, 2.5, "Hello.")],
             [Participant("a", "family", "Tom & <Jerry>"), Participant("b", "person", "[/]")])
    path = tmp_path / "x.vtt"
    path.write_text(vtt.dumps(c))
    assert "<v Tom &amp; &lt;Jerry&gt;>" in path.read_text()
    assert sorted(vtt.read(path).speakers) == ["Tom & <Jerry>", "[/]"]
