import pytest

from polyphony.errors import InputError
from polyphony.formats import conversation_json
from tests.helpers import conv


def test_round_trip_and_atomic_write_leaves_no_temporary_files(tmp_path):
    c = conv([("a", 0, 1, "hi"), ("b", 1, 2, "hello")])
    path = conversation_json.write(c, tmp_path / "out" / "conversation.json")
    assert conversation_json.read(path) == c
    assert [p.name for p in path.parent.iterdir()] == ["conversation.json"]


def test_unreadable_json_names_the_file(tmp_path):
    path = tmp_path / "conversation.json"
    path.write_text("{not json")
    with pytest.raises(InputError, match=r"not a readable conversation\.json") as info:
        conversation_json.read(path)
    assert str(path) in str(info.value)


def test_schema_1_is_still_read_and_2_carries_what_the_metrics_need(tmp_path):
    import json

    from polyphony.conversation import Conversation, Participant, Provenance, Utterance
    from polyphony.formats import conversation_json

    v1 = {"schema_version": 1, "region": [0, 4],
          "provenance": {"source": "automatic", "recording": "m.flac",
                         "recording_sha256": None, "models": {}, "settings": {},
                         "has_text": False, "speaker_labels": True, "unattributed": {},
                         "notes": []},
          "participants": [{"id": "S1", "role": "other", "label": "Speaker 1"}],
          "utterances": [{"speaker": "S1", "start": 0, "end": 2, "text": "", "words": []}]}
    (tmp_path / "v1.json").write_text(json.dumps(v1))
    old = conversation_json.read(tmp_path / "v1.json")
    assert old.provenance.expected_speakers is None and old.provenance.split_voices == ()

    conv = Conversation.build(
        [Utterance("S1", 0, 2), Utterance("S2", 2, 4)],
        [Participant("S1"), Participant("S2")], (0, 4),
        Provenance(source="automatic", has_text=False, expected_speakers=3,
                   split_voices=(("S1", "S2"),), corrections=("S3 → anna",)))
    back = conversation_json.read(conversation_json.write(conv, tmp_path / "v2.json"))
    assert json.loads((tmp_path / "v2.json").read_text())["schema_version"] == 2
    assert back.provenance == conv.provenance
    assert back.relabel({"S2": "tom"}).provenance.split_voices == (("S1", "tom"),)
    assert back.relabel({"S2": "S1"}).provenance.split_voices == ()  # merged: no split left
