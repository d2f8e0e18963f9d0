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
