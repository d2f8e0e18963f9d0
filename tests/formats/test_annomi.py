import pytest

from polyphony.errors import InputError
from polyphony.formats import annomi
from tests.conftest import DATA

HEADER = "transcript_id,utterance_id,interlocutor,timestamp,utterance_text\n"


def test_quirks_keep_every_utterance(tmp_path):
    path = tmp_path / "x.csv"
    path.write_text(HEADER +
                    "7,0,therapist,00:00:10,How are you today?\n"
                    "7,1,client,00:00:14,Not bad.\n"
                    "7,1,client,00:00:14,Not bad.\n"           # a second annotator's row
                    "7,2,client,00:00:16,I slept a bit better\n"  # same speaker again
                    "7,3,therapist,00:09:025,Good.\n"          # malformed timestamp
                    "7,4,client,00:00:12,Yes.\n")              # time goes backwards
    c = annomi.read(path)
    assert [u.text for u in c.utterances] == ["How are you today?", "Not bad.",
                                              "I slept a bit better", "Good.", "Yes."]
    starts = [u.start for u in c.utterances]
    assert starts[:3] == [10.0, 14.0, 16.0]
    # the malformed row starts where the previous one (5 words at 2.5 w/s) ended
    assert starts[3] == pytest.approx(16.0 + 5 / 2.5)
    assert c.utterances[0].end == 14.0
    assert c.provenance.settings["repaired_timestamps"] == 2


def test_several_transcripts_need_a_choice(tmp_path):
    path = tmp_path / "x.csv"
    path.write_text(HEADER + "1,0,client,00:00:01,Hi.\n2,0,client,00:00:01,Hello.\n")
    with pytest.raises(InputError, match="--recording"):
        annomi.read(path)
    assert annomi.read(path, transcript="2").utterances[0].text == "Hello."


def test_missing_column_is_named(tmp_path):
    path = tmp_path / "x.csv"
    path.write_text("who,when\nA,00:00:01\n")
    with pytest.raises(InputError, match="interlocutor or speaker"):
        annomi.read(path)


@pytest.mark.parametrize(("name", "counts"), [
    ("AnnoMI-simple-excerpt.csv", {"38": 95, "97": 108}),
    # the full flavour repeats an utterance once per annotator (transcript 130: 10 times)
    ("AnnoMI-full-excerpt.csv", {"38": 95, "130": 22}),
])
def test_real_annomi_transcripts_keep_every_utterance(name, counts):
    conversations = annomi.read_all(DATA / "annomi" / name)
    assert {k: len(c.utterances) for k, c in conversations.items()} == counts
    for c in conversations.values():
        assert set(c.speakers) == {"therapist", "client"}
        assert all(u.end > u.start for u in c.utterances)
    # transcript 38 holds AnnoMI's one malformed timestamp, `00:09:025`
    assert conversations["38"].provenance.settings["repaired_timestamps"] == 1
