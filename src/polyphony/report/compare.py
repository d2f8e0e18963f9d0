"""`polyphony compare`: the same network across meetings, from their results folders.

People are matched by roster id, so a roster used again meeting after meeting lines them
up. A person who was not a participant in a meeting is absent there: a gap in the line and
"—" in the table, never a zero, which would say they were there and silent. Meetings keep
the order they are given in (a researcher knows their dates; file times do not).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from jinja2 import Environment, PackageLoader, select_autoescape

from polyphony.errors import InputError
from polyphony.files import read_json, write_text
from polyphony.report import plots, style
from polyphony.report.cards import ANONYMOUS_ID
from polyphony.report.outputs import results_file


@dataclass(frozen=True)
class Trends:
    meetings: list[str]
    people: dict[str, str]  # id -> display name, in order of first appearance
    share: dict[str, list[float | None]]
    responded: dict[str, list[float | None]]
    effective_voices: list[float | None]
    present: list[int]


def trends(folders: list[Path]) -> Trends:
    if len(folders) < 2:
        raise InputError("needs at least two results folders to compare",
                         hint="give the folders of the same network's meetings")
    runs = [_metrics(folder) for folder in folders]
    # An anonymous voice ("S1", no roster behind it) is a different person in each
    # meeting: it gets a line of its own, named by its meeting.
    keyed = [{(f"{folder.name}: {pid}" if ANONYMOUS_ID.match(pid) else pid): p
              for pid, p in m["participants"].items()} for folder, m in zip(folders, runs,
                                                                          strict=True)]
    people: dict[str, str] = {}
    for participants in keyed:
        for key, p in participants.items():
            people.setdefault(key, key if ": " in key else p.get("label") or key)

    def series(field: str) -> dict[str, list[float | None]]:
        return {key: [m[key][field] if key in m else None for m in keyed] for key in people}

    return Trends([folder.name for folder in folders], people, series("share_time"),
                  series("responded_to_rate"),
                  [m["balance"]["time"]["effective_voices"] for m in runs],
                  [len(m["participants"]) for m in runs])


def _metrics(folder: Path) -> dict[str, Any]:
    return read_json(results_file(folder, "metrics.json"))


def render(t: Trends) -> str:
    colours = style.colours(t.people)
    env = Environment(loader=PackageLoader("polyphony", "report/templates"),
                      autoescape=select_autoescape(["html", "j2"]))
    return env.get_template("compare.html.j2").render(
        t=t, colours=colours,
        share=plots.trend(t.share, t.meetings, t.people, colours, "voice share over meetings",
                          "share of speaking time", percent=True),
        responded=plots.trend(t.responded, t.meetings, t.people, colours,
                              "responded-to rate over meetings",
                              "share of turns responded to", percent=True),
        voices=plots.trend({"effective voices": t.effective_voices}, t.meetings,
                           {"effective voices": "effective voices"},
                           {"effective voices": "#2e4057"}, "effective voices over meetings",
                           "effective voices", percent=False),
        pct=lambda v: "—" if v is None else f"{v:.0%}")


def compare(folders: list[str | Path], output: str | Path) -> Path:
    return write_text(output, render(trends([Path(f) for f in folders])))
