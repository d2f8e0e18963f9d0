import pytest

from polyphony.errors import InputError
from polyphony.roster import load


def test_loads_participants_roles_and_voice_mapping(tmp_path):
    path = tmp_path / "roster.toml"
    path.write_text('[[participant]]\nid = "anna"\nrole = "person"\nlabel = "Anna"\n'
                    'speaker = "S2"\n\n[[participant]]\nid = "lee"\nrole = "clinician"\n')
    roster = load(path)
    assert [(p.id, p.role, p.label) for p in roster.participants] == [
        ("anna", "person", "Anna"), ("lee", "clinician", None)]
    assert roster.labels == {"S2": "anna"}
    assert len(roster) == 2


@pytest.mark.parametrize(("text", "message"), [
    ("", "no \\[\\[participant\\]\\]"),
    ('[[participant]]\nrole = "person"\n', "has no id"),
    ('[[participant]]\nid = "a"\nrole = "boss"\n', r"participant\[0\]: .*unknown role"),
    ('[[participant]]\nid = "a"\n[[participant]]\nid = "a"\n',
     r"participant\[1\] repeats the participant id 'a'"),
    ('[[participant]]\nid = "a"\nspeaker = "S1"\n[[participant]]\nid = "b"\nspeaker = "S1"\n',
     r"participant\[1\] maps speaker 'S1', already mapped to 'a'"),
    ('[[participant]]\nid = "a"\nspeaker = "S1"\ndiarized = "S2"\n', "both speaker and"),
    ('[[participant]]\nid = "a"\nrol = "person"\n', r"participant\[0\].rol is not a"),
    ('title = "x"\n[[participant]]\nid = "a"\n', "title is not a roster key"),
    ("[[participant\n", "not a valid TOML"),
])
def test_bad_rosters_name_the_file(tmp_path, text, message):
    path = tmp_path / "roster.toml"
    path.write_text(text)
    with pytest.raises(InputError, match=message) as info:
        load(path)
    assert str(path) in str(info.value)
