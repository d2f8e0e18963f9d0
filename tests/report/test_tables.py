"""metrics.csv and turns.csv: tidy tables that agree with metrics.json."""

import csv
import json

from tests.helpers import results_folder


def rows(path):
    with path.open(newline="") as fh:
        return list(csv.DictReader(fh))


def test_the_tables_agree_with_metrics_json(tmp_path):
    folder = results_folder(tmp_path, "meeting")
    metrics = json.loads((folder / "metrics.json").read_text())
    people = rows(folder / "metrics.csv")
    assert [r["participant"] for r in people] == list(metrics["participants"])
    for row in people:
        p = metrics["participants"][row["participant"]]
        assert float(row["speaking_time"]) == p["speaking_time"]
        assert row["words"] == ""  # an RTTM has no words: empty, not 0
        assert row["recording"] == "meeting"
    turns = rows(folder / "turns.csv")
    assert len(turns) == metrics["totals"]["turns"]
    assert turns[0]["offset_before"] == "" and turns[1]["offset_before"] != ""
    per_person = {pid: sum(1 for t in turns if t["participant"] == pid)
                  for pid in metrics["participants"]}
    assert per_person == {pid: p["turns"] for pid, p in metrics["participants"].items()}
