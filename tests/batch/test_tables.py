"""Tidy tables from results folders, without a model: the example's reference diarization
written as `polyphony analyze` writes it (text-less, so word counts are empty)."""

from __future__ import annotations

import pyarrow.parquet as pq
import pytest
from click.testing import CliRunner

from polyphony.batch import tables
from polyphony.batch.tables import TABLES
from polyphony.cli import main
from polyphony.errors import InputError
from tests.helpers import results_folder


@pytest.fixture
def analysed(tmp_path):
    out = tmp_path / "results"
    for stem in ("m2", "m1"):
        results_folder(out, stem, anonymous=True)
    return out


def test_a_folder_of_results_gives_one_row_per_meeting_and_participant(analysed):
    collected = tables.collect(analysed)
    assert collected.meetings == 2 and not collected.skipped
    meetings = [dict(zip(TABLES["meetings"], row, strict=True))
                for row in collected.rows["meetings"]]
    assert [m["meeting"] for m in meetings] == ["m1", "m2"]
    assert meetings[0]["words"] is None  # no text: no word count, not zero
    assert meetings[0]["participants"] == 4
    assert meetings[0]["consent_checked"] is False
    participants = collected.rows["participants"]
    assert len(participants) == 8
    shares = {}
    share = TABLES["participants"].index("share_time")
    for row in participants:
        shares[row[0]] = shares.get(row[0], 0) + row[share]
    assert shares == pytest.approx({"m1": 1.0, "m2": 1.0})
    assert all(row[-1] is None for row in collected.rows["utterances"])  # text-less


def test_csv_tables_go_beside_a_plain_folder_and_each_has_its_header(analysed):
    result = CliRunner().invoke(main, ["export", str(analysed), "--format", "csv"])
    assert result.exit_code == 0, result.output
    folder = analysed.parent / "results-tables"
    for name, columns in TABLES.items():
        lines = (folder / f"{name}.csv").read_text().splitlines()
        assert lines[0] == ",".join(columns)
    assert len((folder / "meetings.csv").read_text().splitlines()) == 3


def test_parquet_columns_keep_their_types_when_a_batch_leaves_them_empty(analysed, tmp_path):
    tables.write(tables.collect(analysed), tmp_path / "pq", "parquet")
    schema = pq.read_schema(tmp_path / "pq" / "meetings.parquet")
    assert str(schema.field("network_id").type) == "string"  # every value null here
    assert str(schema.field("words").type) == "int64"
    assert str(schema.field("speech_time").type) == "double"
    assert str(schema.field("consent_checked").type) == "bool"


def test_a_results_folder_that_cannot_be_read_is_left_out_and_named(analysed):
    (analysed / "m2" / "metrics.json").write_text("{not json")
    result = CliRunner().invoke(main, ["export", str(analysed), "--format", "csv"])
    assert result.exit_code == 1
    assert "left out" in result.output and "m2" in result.output
    assert "tables of 1 meeting to" in result.output


def test_a_folder_without_results_is_one_clear_error(tmp_path):
    with pytest.raises(InputError, match="holds no polyphony results"):
        tables.collect(tmp_path)
