"""Every figure of the report: pure functions from metrics (and, for the timeline and the
floor-transfer offsets, the conversation) to an inline SVG string, drawn with matplotlib.

Text stays text in the SVG (`svg.fonttype = none`), so a page is searchable, prints
sharply and stays small; element ids are salted per figure, so that several figures in one
page never share one. A figure with nothing to show is an empty string, and the page says
so in words instead.
"""

from __future__ import annotations

import io
import re
from collections.abc import Mapping
from typing import Any

import numpy as np

from polyphony.conversation import Conversation
from polyphony.report.style import clock

ROLE_NAMES = {"person": "Person at the centre", "family": "Family", "network": "Network",
              "clinician": "Clinicians", "peer_practitioner": "Peer practitioners",
              "other": "Others"}
_GREY = "#888888"
_WIDTH = 9.0  # inches, at 100 dpi: the page's 900 px column


def _text(text: str) -> str:
    """Text as matplotlib must be given it: a `$` would start mathtext, so that "Sam $$"
    could not be drawn at all."""
    return text.replace("$", r"\$")


def _label(names: Mapping[str, str], key: str) -> str:
    return _text(names.get(key, key))


def _minutes(ax: Any) -> None:
    """Time on the x axis as min:ss."""
    ax.xaxis.set_major_formatter(lambda x, _: clock(x))


def _figure(height: float):
    """A figure and its axes, made without pyplot: no GUI backend to choose, no global
    figure registry to close, and pyplot's import saved (a results folder was written in
    0.67 s instead of 0.74 s here)."""
    import matplotlib
    from matplotlib.figure import Figure

    matplotlib.rcParams.update({"svg.fonttype": "none", "font.size": 9,
                                "axes.spines.top": False, "axes.spines.right": False})
    fig = Figure(figsize=(_WIDTH, height), dpi=100)
    return fig, fig.subplots()


def _svg(fig: Any, name: str) -> str:
    import matplotlib

    buffer = io.StringIO()
    with matplotlib.rc_context({"svg.hashsalt": name}):
        fig.savefig(buffer, format="svg", bbox_inches="tight", metadata={"Date": None})
    # The XML declaration, the doctype and the creator's metadata go: the SVG is inline.
    text = buffer.getvalue()
    text = re.sub(r"\s*<metadata>.*?</metadata>", "", text[text.index("<svg"):], flags=re.S)
    return text.replace("<svg ", f'<svg role="img" aria-label="{name}" ', 1)


def _bars(values: Mapping[str, float | None], names: Mapping[str, str],
          colours: Mapping[str, str], name: str, label: str, percent: bool) -> str:
    """Horizontal bars, one per participant, in roster order; None drawn as absent."""
    ids = list(values)
    if not ids:
        return ""
    fig, ax = _figure(0.35 * len(ids) + 0.6)
    y = np.arange(len(ids))[::-1]
    shown = [values[i] or 0.0 for i in ids]
    ax.barh(y, shown, color=[colours.get(i, _GREY) for i in ids])
    ax.set_yticks(y, [_label(names, i) for i in ids])
    for yy, i, v in zip(y, ids, shown, strict=True):
        text = "—" if values[i] is None else (f"{v:.0%}" if percent else f"{v:g}")
        ax.text(v, yy, f" {text}", va="center")
    ax.set_xlabel(label)
    if percent:
        ax.set_xlim(0, max(1.0, max(shown) * 1.15))
        ax.xaxis.set_major_formatter(lambda x, _: f"{x:.0%}")
    return _svg(fig, name)


def voice_shares(metrics: Mapping[str, Any], names: Mapping[str, str],
                 colours: Mapping[str, str]) -> str:
    """Each participant's share of the speaking time, silent roster members at 0."""
    return _bars({pid: p["share_time"] or 0.0 for pid, p in metrics["participants"].items()},
                 names, colours, "voice share per participant", "share of speaking time",
                 percent=True)


def role_shares(metrics: Mapping[str, Any]) -> str:
    shares = metrics["roles"]["share_time"]
    if not shares:
        return ""
    return _bars(shares, ROLE_NAMES, {}, "voice share by role", "share of speaking time",
                 percent=True)


def timeline(conv: Conversation, metrics: Mapping[str, Any], names: Mapping[str, str],
             colours: Mapping[str, str], long_silence: float) -> str:
    """Who spoke when, one lane per participant: overlaps in red below the lanes, silences
    of `long_silence` s or more in grey, reflecting sequences as brackets above."""
    from polyphony.audio.attribute import Turn, overlapped_regions

    ids = conv.speakers
    if not ids:
        return ""
    fig, ax = _figure(0.32 * len(ids) + 1.1)
    lane = {pid: len(ids) - k for k, pid in enumerate(ids)}
    for u in conv.utterances:
        ax.broken_barh([(u.start, u.end - u.start)], (lane[u.speaker] - 0.35, 0.7),
                       color=colours.get(u.speaker, _GREY))
    turns = [Turn(u.start, u.end, u.speaker) for u in conv.utterances]
    for a, b in overlapped_regions(turns):
        ax.broken_barh([(a, b - a)], (0.2, 0.3), color="#d1495b")
    speech = sorted((u.start, u.end) for u in conv.utterances)
    reach = conv.region[0]
    for start, end in [*speech, (conv.region[1], conv.region[1])]:
        if start - reach >= long_silence:
            ax.axvspan(reach, start, color="#eeeeee", zorder=0)
        reach = max(reach, end)
    top = len(ids) + 0.6
    for r in metrics.get("reflecting_sequences") or ():
        ax.plot([r["start"], r["end"]], [top, top], color="#66a182", linewidth=3)
    ax.set_yticks([lane[p] for p in ids], [_label(names, p) for p in ids])
    ax.set_ylim(0, len(ids) + 1)
    ax.set_xlim(*conv.region)
    _minutes(ax)
    ax.set_xlabel("time (min:s); red: overlapped speech; grey: silences of "
                  f"{long_silence:g} s or more; green above: reflecting sequences")
    return _svg(fig, "timeline of who spoke when")


def transitions(metrics: Mapping[str, Any], names: Mapping[str, str]) -> str:
    """The transition matrix: how often the floor passed from the row's speaker to the
    column's."""
    table = metrics["turn_taking"]["transitions"]
    ids = list(metrics["participants"])
    if len(ids) < 2 or not any(sum(row.values()) for row in table.values()):
        return ""
    counts = np.array([[table.get(a, {}).get(b, 0) for b in ids] for a in ids])
    fig, ax = _figure(0.4 * len(ids) + 1.2)
    ax.imshow(counts, cmap="Blues")
    labels = [_label(names, i) for i in ids]
    ax.set_xticks(range(len(ids)), labels, rotation=30, ha="right")
    ax.set_yticks(range(len(ids)), labels)
    for (r, c), value in np.ndenumerate(counts):
        if r != c:
            ax.text(c, r, str(value), ha="center", va="center",
                    color="white" if value > counts.max() / 2 else "black")
    ax.set_xlabel("to")
    ax.set_ylabel("from")
    return _svg(fig, "turn transitions")


def floor_transfer_offsets(offsets: list[float]) -> str:
    """The gap (positive) or overlap (negative) at each change of speaker."""
    if not offsets:
        return ""
    fig, ax = _figure(1.8)
    ax.hist(offsets, bins=min(40, max(5, len(offsets) // 3)), color="#1b6ca8")
    ax.axvline(0, color=_GREY, linewidth=1)
    ax.set_xlabel("floor-transfer offset (s): below 0 the next speaker started in overlap, "
                  "above 0 after a gap")
    ax.set_ylabel("changes of speaker")
    return _svg(fig, "floor-transfer offsets")


def paired_bars(metrics: Mapping[str, Any], names: Mapping[str, str],
                fields: tuple[tuple[str, str], ...], name: str, label: str) -> str:
    """Two or more counts per participant side by side (interruptions made and suffered,
    questions asked and answered)."""
    ids = list(metrics["participants"])
    values = [[metrics["participants"][p][f] for p in ids] for f, _ in fields]
    if not ids or not any(v for row in values for v in row if v):
        return ""
    fig, ax = _figure(0.4 * len(ids) + 0.8)
    y = np.arange(len(ids))[::-1]
    height = 0.8 / len(fields)
    from matplotlib.ticker import MaxNLocator

    for k, ((_, title), row) in enumerate(zip(fields, values, strict=True)):
        at = y + (len(fields) - 1 - k) * height - 0.4 + height / 2
        ax.barh(at, [v or 0 for v in row], height, label=title)
        for yy, v in zip(at, row, strict=True):
            ax.text(v or 0, yy, f" {v or 0}", va="center", fontsize=8)
    ax.set_yticks(y, [_label(names, i) for i in ids])
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.set_xlabel(label)
    if len(fields) > 1:
        ax.legend(loc="upper left", bbox_to_anchor=(1.0, 1.0), frameon=False)
    return _svg(fig, name)


def rates(metrics: Mapping[str, Any], names: Mapping[str, str], colours: Mapping[str, str],
          field: str, name: str, label: str) -> str:
    values = {pid: p[field] for pid, p in metrics["participants"].items()}
    if all(v is None for v in values.values()):
        return ""
    return _bars(values, names, colours, name, label, percent=True)


def uptake_network(metrics: Mapping[str, Any], names: Mapping[str, str],
                   colours: Mapping[str, str]) -> str:
    """Who took up whose words, as a directed graph: an arrow from A to B, as wide as how
    often B responded to A."""
    network = metrics["responsiveness"]["uptake_network"]
    if not network or not any(sum(row.values()) for row in network.values()):
        return ""
    ids = list(metrics["participants"])
    angle = np.linspace(0, 2 * np.pi, len(ids), endpoint=False) + np.pi / 2
    where = {pid: (np.cos(a), np.sin(a)) for pid, a in zip(ids, angle, strict=True)}
    fig, ax = _figure(4.0)
    most = max(max(row.values(), default=0) for row in network.values()) or 1
    for a, row in network.items():
        for b, count in row.items():
            if count and a in where and b in where:
                ax.annotate("", xy=where[b], xytext=where[a],
                            arrowprops={"arrowstyle": "-|>", "color": colours.get(a, _GREY),
                                        "lw": 0.5 + 4 * count / most, "shrinkA": 18,
                                        "shrinkB": 18, "connectionstyle": "arc3,rad=0.15"})
    for pid, (x, y) in where.items():
        ax.scatter([x], [y], s=500, color=colours.get(pid, _GREY), zorder=3)
        ax.text(x, y - 0.22, _label(names, pid), ha="center", va="top")
    ax.set_xlim(-1.6, 1.6)
    ax.set_ylim(-1.5, 1.4)
    ax.set_aspect("equal")
    ax.axis("off")
    return _svg(fig, "uptake network")


def voice_share_over_time(metrics: Mapping[str, Any], names: Mapping[str, str],
                          colours: Mapping[str, str]) -> str:
    """Stacked shares per window of the time course; empty for a single window."""
    windows = (metrics.get("timecourse") or {}).get("windows") or []
    if len(windows) < 2:
        return ""
    ids = list(metrics["participants"])
    centres = [(w["start"] + w["end"]) / 2 for w in windows]
    stack = [[w["share_time"].get(pid) or 0.0 for w in windows] for pid in ids]
    fig, ax = _figure(2.2)
    ax.stackplot(centres, stack, colors=[colours.get(p, _GREY) for p in ids],
                 labels=[_label(names, p) for p in ids])
    ax.set_ylim(0, 1)
    ax.yaxis.set_major_formatter(lambda y, _: f"{y:.0%}")
    _minutes(ax)
    ax.legend(loc="upper left", bbox_to_anchor=(1.0, 1.0), frameon=False)
    ax.set_xlabel("window centre (min:s)")
    return _svg(fig, "voice share over time")


def trend(series: Mapping[str, list[float | None]], meetings: list[str],
          names: Mapping[str, str], colours: Mapping[str, str], name: str, label: str,
          percent: bool) -> str:
    """One line per person across meetings; a meeting where they were absent is a gap
    (None), never a zero."""
    if not series or not meetings:
        return ""
    fig, ax = _figure(2.6)
    x = np.arange(len(meetings))
    for key, values in series.items():
        y = np.array([np.nan if v is None else v for v in values], float)
        ax.plot(x, y, marker="o", color=colours.get(key, _GREY), label=_label(names, key))
    ax.set_xticks(x, [_text(m) for m in meetings], rotation=20, ha="right")
    ax.set_ylabel(label)
    if percent:
        ax.set_ylim(0, 1)
        ax.yaxis.set_major_formatter(lambda v, _: f"{v:.0%}")
    ax.legend(loc="upper left", bbox_to_anchor=(1.0, 1.0), frameon=False)
    return _svg(fig, name)
