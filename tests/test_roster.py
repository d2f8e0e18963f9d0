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
    ('[[participant]]\nid = "a"\nrole = "boss"\n', "unknown role"),
    ('[[participant]]\nid = "a"\n[[participant]]\nid = "a"\n', "twice"),
    ("[[participant\n", "not a valid TOML"),
])
def test_bad_rosters_name_the_file(tmp_path, text, message):
    path = tmp_path / "roster.toml"
    path.write_text(text)
    with pytest.raises(InputError, match=message) as info:
        load(path)
    assert str(path) in str(info.value)
