"""Which recordings a batch finds, and the results folder names they get."""

from __future__ import annotations

import pytest

from polyphony.batch.inputs import discover
from polyphony.errors import InputError


def _touch(root, *names):
    for name in names:
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(b"x")


def test_a_folder_gives_its_recordings_in_path_order_with_names_that_cannot_collide(tmp_path):
    _touch(tmp_path, "a/meeting.flac", "b/meeting.m4a", "b/meeting.wav", "top.MP3",
           "a/roster.toml", "a/consent.toml", "notes.txt", ".hidden/x.wav", "a/.x.wav")
    items = discover(tmp_path)
    assert [i.name for i in items] == ["a__meeting.flac", "b__meeting.m4a", "b__meeting.wav",
                                       "top.MP3"]
    assert all(i.problem is None for i in items)
    assert items[0].roster == tmp_path / "a" / "roster.toml"  # beside it, as consent is
    assert items[1].roster is None


def test_a_roster_named_for_the_recording_wins_over_the_folder_s(tmp_path):
    _touch(tmp_path, "m.wav", "m.roster.toml", "roster.toml")
    assert discover(tmp_path)[0].roster == tmp_path / "m.roster.toml"


def test_the_batch_s_own_output_folder_inside_the_input_is_not_read(tmp_path):
    _touch(tmp_path, "m.wav", "results/m.wav/x.wav")
    assert [i.name for i in discover(tmp_path, tmp_path / "results")] == ["m.wav"]


def test_a_manifest_gives_ids_dates_and_files_relative_to_itself(tmp_path):
    _touch(tmp_path, "rec/one.wav", "rec/two.wav", "rosters/r.toml")
    manifest = tmp_path / "batch.csv"
    manifest.write_text("path,meeting_id,network_id,date,roster\n"
                        "rec/one.wav,m1,net-a,2026-01-05,rosters/r.toml\n"
                        "\n"
                        "rec/two.wav,,net-a,2026-02-05,\n", encoding="utf-8-sig")
    one, two = discover(manifest)
    assert (one.name, one.meeting_id, one.network_id, one.date) == ("m1", "m1", "net-a",
                                                                     "2026-01-05")
    assert one.roster == tmp_path / "rosters" / "r.toml"
    assert (two.name, two.meeting_id, two.roster) == ("rec__two.wav", None, None)
    (tmp_path / "rec" / "roster.toml").write_text("")
    assert discover(manifest)[1].roster == tmp_path / "rec" / "roster.toml"  # beside it
    assert one.problem is None and two.problem is None


def test_a_bad_manifest_row_is_a_problem_of_that_row_naming_its_line(tmp_path):
    _touch(tmp_path, "ok.wav", "dup.wav", "dup2.wav")
    manifest = tmp_path / "m.csv"
    manifest.write_text("path,meeting_id,date,consent\n"
                        "ok.wav,,,\n"
                        "missing.wav,,,\n"
                        "ok.wav,x,03/01/2026,\n"
                        "dup.wav,same,,\n"
                        "dup2.wav,same,,\n"
                        ",,,\n"
                        "ok.wav,y,,nope.toml\n"
                        "ok.wav,tables,,\n"
                        "ok.wav,z,,,extra\n")
    by_line = {i.where.rsplit(" ", 1)[-1]: i.problem for i in discover(manifest)}
    assert by_line["2"] is None
    assert "missing.wav, which does not exist" in by_line["3"]
    assert "not YYYY-MM-DD" in by_line["4"]
    assert "with " + str(manifest) + ", line 6" in by_line["5"]
    assert "line 5" in by_line["6"]
    assert "line 7" not in by_line  # an empty row is skipped
    assert "consent" in by_line["8"] and "nope.toml" in by_line["8"]
    assert "'tables'" in by_line["9"]
    assert "more cell" in by_line["10"]


@pytest.mark.parametrize(("header", "problem"), [
    ("file,meeting_id", "no `path` column"),
    ("path,meetingid", "unknown column 'meetingid'"),
    ("path,path", "column 'path' twice"),
])
def test_a_manifest_header_that_cannot_be_read_is_one_clear_error(tmp_path, header, problem):
    manifest = tmp_path / "m.csv"
    manifest.write_text(header + "\nx.wav,1\n")
    with pytest.raises(InputError, match=problem) as caught:
        discover(manifest)
    assert str(manifest) in str(caught.value)


def test_a_source_that_does_not_exist_is_an_error(tmp_path):
    with pytest.raises(InputError, match="no such folder or manifest"):
        discover(tmp_path / "nope")


def test_a_quoted_cell_over_two_lines_keeps_the_line_numbers_of_the_rows_after_it(tmp_path):
    _touch(tmp_path, "a.wav", "b.wav")
    manifest = tmp_path / "m.csv"
    manifest.write_text('path,meeting_id\na.wav,"two\nlines"\nmissing.wav,\nb.wav,b\n')
    items = discover(manifest)
    assert [i.where.rsplit(" ", 1)[-1] for i in items] == ["2", "4", "5"]
    assert "cannot use 'two\\nlines'" in items[0].problem  # no line break in a folder name
    assert "does not exist" in items[1].problem and items[2].problem is None


def test_an_unterminated_quote_is_one_clear_error_not_rows_run_together(tmp_path):
    manifest = tmp_path / "m.csv"
    manifest.write_text('path,meeting_id\n"a.wav,m1\nb.wav,m2\n')
    with pytest.raises(InputError, match="cannot be read as CSV from line 2") as caught:
        discover(manifest)
    assert "quotes" in str(caught.value)


def test_blank_lines_before_the_header_are_skipped(tmp_path):
    _touch(tmp_path, "a.wav")
    manifest = tmp_path / "m.csv"
    manifest.write_text("\n\npath\na.wav\n")
    [item] = discover(manifest)
    assert item.problem is None and item.where.endswith("line 4")
