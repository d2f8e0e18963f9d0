import pytest

from polyphony.errors import InputError
from polyphony.formats import rttm
from tests.helpers import conv


def test_write_then_read_round_trips_timing(tmp_path):
    c = conv([("a", 0.5, 1.25), ("b", 1.0, 3.0)], has_text=False)
    path = rttm.write(c, tmp_path / "x.rttm", "my meeting")
    assert path.read_text().splitlines()[0] == (
        "SPEAKER my_meeting 1 0.500 0.750 <NA> <NA> a <NA> <NA>")
    back = rttm.read(path)
    assert [(u.speaker, u.start, u.end) for u in back.utterances] == [
        ("a", 0.5, 1.25), ("b", 1.0, 3.0)]
    assert back.provenance.has_text is False


def test_malformed_line_is_reported_with_its_number(tmp_path):
    path = tmp_path / "bad.rttm"
    path.write_text("SPEAKER x 1 0.0 1.0 <NA> <NA> a <NA> <NA>\nSPEAKER x 1 zero\n")
    with pytest.raises(InputError, match="line 2"):
        rttm.read(path)
