import datetime as dt

import pytest

from polyphony import consent
from polyphony.consent import check, describe, load
from polyphony.errors import ConsentError
from polyphony.files import sha256

DAY = dt.date(2026, 11, 3)
MANIFEST = """schema = 2
meeting = "m1"
retain_until = 2027-11-03

[[recording]]
file = "meeting.flac"

[[participant]]
id = "anna"
role = "person"
recording = 2026-11-03
analysis = 2026-11-03
sharing = 2026-11-03

[[participant]]
id = "ben"
role = "family"
recording = 2026-11-03
analysis = { given = 2026-11-03, withdrawn = 2026-11-20 }
sharing = false
"""


@pytest.fixture
def recording(tmp_path):
    path = tmp_path / "meeting.flac"
    path.write_bytes(b"audio")
    return path


def write(recording, text=MANIFEST, name="consent.toml"):
    path = recording.parent / name
    path.write_text(text)
    return path


def test_missing_manifest_is_refused(recording):
    with pytest.raises(ConsentError, match="has no consent manifest"):
        check(recording)


def test_a_manifest_grants_analysis_and_records_itself(recording):
    path = write(recording)
    manifest = check(recording, on=dt.date(2026, 11, 10))
    assert [p.id for p in manifest.people] == ["anna", "ben"]
    record = manifest.provenance(("analysis",), dt.date(2026, 11, 10))
    assert record["manifest"] == str(path.resolve())
    assert record["manifest_sha256"] == sha256(path)
    assert (record["meeting"], record["retain_until"]) == ("m1", "2027-11-03")
    assert record["checked"] is True


def test_a_withdrawal_holds_from_its_date_on(recording):
    write(recording)
    check(recording, on=dt.date(2026, 11, 19))
    with pytest.raises(ConsentError, match=r"analysis is not granted .* by: ben \(withdrawn "
                                           r"on 2026-11-20\)"):
        check(recording, on=dt.date(2026, 11, 20))


def test_consent_given_later_does_not_hold_yet(recording):
    write(recording)
    with pytest.raises(ConsentError, match=r"anna \(not given until 2026-11-03\)"):
        check(recording, on=dt.date(2026, 11, 2))


def test_sharing_names_everyone_who_has_not_granted_it(recording):
    write(recording)
    with pytest.raises(ConsentError, match=r"sharing is not granted .* by: ben \(refused\)"):
        check(recording, purposes=("analysis", "sharing"), on=dt.date(2026, 11, 10))


def test_a_person_without_an_analysis_entry_is_named(recording):
    write(recording, MANIFEST.replace("analysis = 2026-11-03\n", "", 1))
    with pytest.raises(ConsentError, match=r"by: anna \(not recorded\)"):
        check(recording, on=DAY)


def test_a_refused_recording_consent_blocks_analysis(recording):
    write(recording, MANIFEST.replace("recording = 2026-11-03\n", "recording = false\n", 1))
    with pytest.raises(ConsentError,
                       match=r"analysis is not granted .* anna \(recording consent refused\)"):
        check(recording, on=DAY)


def test_a_missing_recording_consent_is_refused_in_schema_2(recording):
    write(recording, MANIFEST.replace("recording = 2026-11-03\n", "", 1))
    with pytest.raises(ConsentError, match=r"anna \(recording consent not recorded\)"):
        check(recording, on=DAY)


def test_past_retention_is_refused(recording):
    write(recording, MANIFEST.replace(", withdrawn = 2026-11-20", ""))
    with pytest.raises(ConsentError, match="past its retention date"):
        check(recording, on=dt.date(2027, 11, 4))
    check(recording, on=dt.date(2027, 11, 3))


def test_the_manifest_must_list_the_recording_and_match_its_pin(recording, tmp_path):
    write(recording, MANIFEST.replace("meeting.flac", "other.flac"))
    with pytest.raises(ConsentError, match=r"is not listed .* \(it covers: other.flac\)"):
        check(recording, on=DAY)
    elsewhere = tmp_path / "elsewhere.toml"
    elsewhere.write_text(MANIFEST.replace('file = "meeting.flac"',
                                          'file = "meeting.flac"\nsha256 = "00"'))
    with pytest.raises(ConsentError, match="checksum"):
        check(recording, elsewhere, on=DAY)
    elsewhere.write_text(MANIFEST.replace('file = "meeting.flac"',
                                          f'file = "meeting.flac"\nsha256 = "{sha256(recording)}"'))
    check(recording, elsewhere, on=DAY)


def test_every_roster_member_must_be_listed_with_the_same_role(recording):
    write(recording)
    with pytest.raises(ConsentError, match="roster members cara are not in the consent"):
        check(recording, roster=[("anna", "person"), ("cara", "clinician")], on=DAY)
    with pytest.raises(ConsentError, match="anna is a clinician in the roster but a person"):
        check(recording, roster=[("anna", "clinician")], on=DAY)


@pytest.mark.parametrize(("change", "message"), [
    (("meeting = \"m1\"", "meeting = \"m1\"\nsharing = true"),
     "sharing is not a consent manifest key"),
    (('role = "person"', 'role = "person"\nname = "Anna"'),
     r"participant\[0\].name is not a consent manifest key"),
    (("withdrawn = 2026-11-20", "withdrawn = 2026-11-20, until = 2027-01-01"),
     r"participant\[1\].analysis.until is not"),
    (('id = "ben"', 'id = "anna"'), "lists the participant id 'anna' twice"),
    (('role = "family"', 'role = "friend"'), r"participant\[1\] \(ben\) has role 'friend'"),
    (("sharing = 2026-11-03", "sharing = true"), r"participant\[0\].sharing is True, not a "
                                                 "date"),
    (("sharing = 2026-11-03", 'sharing = "3 Nov"'), r"sharing is '3 Nov', not a date"),
    (("retain_until = 2027-11-03\n", ""), "has no `retain_until` date"),
    (("schema = 2", "schema = 3"), "schema is 3, not 2"),
    (("withdrawn = 2026-11-20", "withdrawn = 2026-10-01"), "withdrawn .* before it was given"),
    (('[[recording]]\nfile = "meeting.flac"\n', ""), r"has no \[\[recording\]\] entries"),
    (("analysis = 2026-11-03", "analysis = 2026-11-03\nanalysis = 2026-11-04"),
     "is not a valid TOML consent manifest"),
    (('[[recording]]\nfile = "meeting.flac"\n', 'recording = ["meeting.flac"]\n'),
     r"recording\[0\] is 'meeting.flac', not a table"),
])
def test_a_malformed_manifest_names_the_key(recording, change, message):
    path = write(recording, MANIFEST.replace(*change, 1))
    with pytest.raises(ConsentError, match=message) as caught:
        load(path)
    assert str(path) in str(caught.value)


def test_the_schema_1_record_still_grants_analysis_but_never_sharing(recording):
    path = write(recording, 'recordings = ["meeting.flac"]\nanalysis = true\n'
                            'participants = ["a"]\n')
    manifest = check(recording, on=DAY)
    assert (manifest.schema, [p.id for p in manifest.people]) == (1, ["a"])
    with pytest.raises(ConsentError, match=r"schema-1 consent record .* cannot grant sharing"):
        check(recording, purposes=("analysis", "sharing"), on=DAY)
    with pytest.raises(ConsentError, match=r"roster members b are not"):
        check(recording, roster=[("a", "other"), ("b", "other")], on=DAY)
    path.write_text('recordings = ["meeting.flac"]\nanalysis = false\n')
    with pytest.raises(ConsentError, match="analysis is not granted"):
        check(recording, on=DAY)
    path.write_text('recordings = ["meeting.flac"]\nanalysis = true\nsha256 = 123\n')
    with pytest.raises(ConsentError, match="`sha256` is not a string"):
        check(recording, on=DAY)


def test_manifest_text_writes_a_manifest_that_loads(recording):
    text = consent.manifest_text('a "quoted" meeting', {"meeting.flac": None},
                                 [("anna", "person")], DAY, dt.date(2027, 1, 1))
    path = write(recording, text)
    manifest = load(path)
    assert manifest.meeting == 'a "quoted" meeting'
    assert manifest.people[0].grants["sharing"] == consent.Grant(True, DAY)


def test_every_report_footer_line_says_how_consent_was_handled(recording):
    write(recording)
    record = check(recording, on=DAY).provenance(("analysis",), DAY)
    line = describe(record)
    assert "m1" in line and "2027-11-03" in line and record["manifest_sha256"][:12] in line
    private = describe(record, deidentify=True)
    assert "m1" not in private and str(recording.parent) not in private
    assert "NOT checked" in describe(consent.not_checked(DAY))
    assert describe({}) is None
