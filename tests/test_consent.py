import pytest

from polyphony.consent import check
from polyphony.errors import ConsentError


@pytest.fixture
def recording(tmp_path):
    path = tmp_path / "meeting.flac"
    path.write_bytes(b"audio")
    return path


def test_missing_consent_record_is_refused(recording):
    with pytest.raises(ConsentError, match="has no consent record"):
        check(recording)


def test_folder_record_must_name_the_recording_and_grant_analysis(recording):
    record = recording.parent / "consent.toml"
    record.write_text('recordings = ["other.flac"]\nanalysis = true\n')
    with pytest.raises(ConsentError, match="is not listed"):
        check(recording)
    record.write_text('recordings = ["meeting.flac"]\nanalysis = false\n')
    with pytest.raises(ConsentError, match="does not grant analysis"):
        check(recording)
    record.write_text('recordings = ["meeting.flac"]\nanalysis = true\nparticipants = ["a"]\n')
    assert check(recording).participants == ("a",)


def test_every_roster_member_must_have_consented(recording):
    (recording.parent / "meeting.consent.toml").write_text(
        'recordings = ["meeting.flac"]\nanalysis = true\nparticipants = ["a"]\n')
    with pytest.raises(ConsentError, match=r"\['b'\] have not consented"):
        check(recording, roster_ids=("a", "b"))


def test_a_pinned_checksum_must_match(recording, tmp_path):
    record = tmp_path / "elsewhere.toml"
    record.write_text('recordings = ["meeting.flac"]\nanalysis = true\nsha256 = "00"\n')
    with pytest.raises(ConsentError, match="checksum"):
        check(recording, record)
