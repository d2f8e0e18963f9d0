import pytest

from polyphony.conversation import Conversation, Participant, Provenance, Utterance, Word
from polyphony.errors import InputError
from tests.helpers import conv


def test_utterance_with_end_not_after_start_is_rejected_with_a_clear_error():
    with pytest.raises(InputError, match=r"ends at 1\.000 s, not after its start at 2\.000 s"):
        Utterance("a", 2.0, 1.0)
    with pytest.raises(InputError):
        Utterance("a", 1.0, 1.0)


def test_build_sorts_by_start_end_speaker_and_adds_unknown_speakers_as_other():
    c = conv([("b", 2, 3), ("a", 0, 1), ("c", 0, 1)], roster=[Participant("z", "person")])
    assert [(u.speaker, u.start) for u in c.utterances] == [("a", 0), ("c", 0), ("b", 2)]
    assert c.speakers == ["z", "a", "b", "c"]
    assert c.participants[1] == Participant("a", "other")
    assert c.region == (0.0, 3.0)


def test_unknown_role_and_duplicate_ids_are_rejected():
    with pytest.raises(InputError, match="unknown role"):
        Participant("a", "doctor")
    with pytest.raises(InputError, match="twice"):
        Conversation((Participant("a"), Participant("a")), (), (0.0, 1.0))


def test_relabel_moves_utterances_words_and_participants():
    u = Utterance("S1", 0, 1, "hi", (Word(0, 1, "hi", "S1"),))
    c = Conversation.build([u]).relabel({"S1": "anna"})
    assert c.speakers == ["anna"]
    assert c.utterances[0].speaker == "anna"
    assert c.utterances[0].words[0].speaker == "anna"


def test_dict_round_trip_keeps_everything():
    u = Utterance("a", 0.5, 1.25, "hello there",
                  (Word(0.5, 0.8, "hello", "a", 0.9), Word(0.9, 1.25, "there", "a", 0.8, True)))
    c = Conversation.build([u], [Participant("a", "person", "Anna"), Participant("b", "family")],
                           (0.0, 10.0), Provenance("automatic", "x.wav", models={"asr": "m"}))
    back = Conversation.from_dict(c.to_dict())
    assert back == c


def test_from_dict_rejects_other_schema_versions():
    with pytest.raises(InputError, match="schema version"):
        Conversation.from_dict({"schema_version": 99})


def test_to_annotation_has_one_track_per_utterance():
    c = conv([("a", 0, 1), ("a", 0.5, 2), ("b", 1, 3)])
    ann = c.to_annotation()
    assert len(list(ann.itertracks())) == 3
    assert ann.label_duration("a") == pytest.approx(2.0)  # union of [0,1] and [0.5,2]
