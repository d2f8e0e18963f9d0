"""`polyphony compare` over three meetings of one network: trends, and a person absent
from one meeting shown absent, not silent."""

from __future__ import annotations

import re

import pytest
from click.testing import CliRunner

from polyphony.cli import main
from polyphony.errors import InputError
from polyphony.relabel import relabel_results
from polyphony.report.compare import trends
from polyphony.roster import load
from tests.helpers import EXAMPLE_ORDER, results_folder

ROLES = {"dr_lee": "clinician", "tom": "family", "mira": "person", "sam": "peer_practitioner"}


def meeting(tmp_path, name: str, roster: str):
    """The example's reference, as an automatic run, named by an edited roster."""
    folder = results_folder(tmp_path / "runs", name, anonymous=True)
    path = tmp_path / f"{name}.toml"
    path.write_text(roster)
    relabel_results(folder, load(path))
    return folder


def roster(mapping: dict[str, str], extra: str = "") -> str:
    return "".join(f'[[participant]]\nid = "{pid}"\nrole = "{ROLES[pid]}"\n'
                   f'speaker = "{sid}"\n\n' for pid, sid in mapping.items()) + extra


@pytest.fixture
def three(tmp_path):
    names = {pid: f"S{i}" for i, pid in enumerate(EXAMPLE_ORDER, 1)}
    first = meeting(tmp_path, "2026-10-01", roster(names))
    # Sam was not at the second meeting: the voice that was Sam's is a television there.
    without_sam = {k: v for k, v in names.items() if k != "sam"}
    second = meeting(tmp_path, "2026-10-15", roster(
        without_sam, '[[not_participant]]\nspeaker = "S4"\nreason = "television"\n'))
    # At the third, Tom's voice and Mira's were both Tom (the roster merged them).
    merged = {**names, "tom": ["S2", "S3"]}
    del merged["mira"]
    third = meeting(tmp_path, "2026-11-01", roster(
        {k: v for k, v in merged.items() if isinstance(v, str)})
        + '[[participant]]\nid = "tom"\nrole = "family"\nspeaker = ["S2", "S3"]\n')
    return [first, second, third]


def test_trends_line_people_up_and_keep_absence_apart_from_silence(three):
    t = trends(three)
    assert t.meetings == ["2026-10-01", "2026-10-15", "2026-11-01"]
    assert t.share["sam"][1] is None and t.share["sam"][0] > 0
    assert t.share["mira"][2] is None  # not a participant of the third meeting
    assert t.share["tom"][2] > t.share["tom"][0]  # the trend: Tom's share rose
    assert t.present == [4, 3, 3]


def test_the_page_shows_the_trend(three, tmp_path):
    out = tmp_path / "compare.html"
    result = CliRunner().invoke(main, ["compare", *map(str, three), "-o", str(out)])
    assert result.exit_code == 0, result.output
    page = out.read_text()
    assert page.count("<svg") == 3
    for section in ("share", "responded", "voices"):
        assert f'<section id="{section}">' in page
    sam = re.search(r"<tr><td>sam</td>(.*?)</tr>", page)[1]
    assert re.findall(r"<td>(.*?)</td>", sam)[1] == "—"


def test_one_folder_is_not_a_comparison(three):
    with pytest.raises(InputError, match="at least two"):
        trends(three[:1])


@pytest.mark.models
def test_three_analyses_of_the_example_with_edited_rosters(example_result, tmp_path):
    """The real analysis, named three ways, as a network's three meetings might be."""
    import shutil

    from polyphony.roster import load as load_roster
    from tests.test_names import who_is_who

    truth = who_is_who(example_result.analysis.conversation)  # S1 -> dr_lee, ...
    people = {pid: sid for sid, pid in truth.items()}
    edits = [roster(people),
             roster({k: v for k, v in people.items() if k != "sam"},
                    f'[[not_participant]]\nspeaker = "{people["sam"]}"\n'),
             roster(people)]
    folders = []
    for i, text in enumerate(edits):
        folder = tmp_path / f"meeting-{i + 1}"
        shutil.copytree(example_result.folder, folder)
        (tmp_path / f"r{i}.toml").write_text(text)
        relabel_results(folder, load_roster(tmp_path / f"r{i}.toml"))
        folders.append(folder)
    t = trends(folders)
    assert t.share["sam"][1] is None and t.share["sam"][0] == t.share["sam"][2] > 0
    assert t.share["tom"][1] > t.share["tom"][0]  # without Sam, the others' shares rise
    assert t.effective_voices[1] < t.effective_voices[0]


def test_anonymous_voices_of_different_meetings_are_different_people(tmp_path):
    folders = [results_folder(tmp_path / "runs", name, anonymous=True)
               for name in ("m$1$", "m2")]
    t = trends(folders)
    assert "S1" not in t.people and "m$1$: S1" in t.people and "m2: S1" in t.people
    assert t.share["m$1$: S1"][1] is None and t.share["m2: S1"][0] is None
    from polyphony.report.compare import render

    assert "<svg" in render(t)  # a `$` in a meeting's name is drawn, not parsed
