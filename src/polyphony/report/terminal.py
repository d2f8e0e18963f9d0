"""The summary a supervisor reads in the terminal."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from rich.console import Console
from rich.markup import escape
from rich.table import Table
from rich.text import Text

from polyphony import consent
from polyphony.report.cards import Card
from polyphony.report.style import clock


def _num(value: float | None, fmt: str = "{:.1f}") -> str:
    return "—" if value is None else fmt.format(value)


def summary_table(metrics: dict[str, Any], title: str) -> Table:
    """One row per participant (silent ones included), then the balance indices. Names and
    titles are data, never rich markup: a speaker called `[bold]Sam` or `[/]` prints as
    written."""
    table = Table(title=Text(title), title_justify="left")
    for column in ("participant", "role", "speech (s)", "share", "words", "turns",
                   "longest turn (s)"):
        table.add_column(column, justify="left" if column in ("participant", "role")
                         else "right")
    for pid, p in metrics["participants"].items():
        table.add_row(Text(p["label"] or pid), Text(p["role"]), _num(p["speaking_time"]),
                      _num(p["share_time"], "{:.0%}"), _num(p["words"], "{:d}"),
                      str(p["turns"]), _num(p["longest_turn"]))
    b = metrics["balance"]["time"]
    table.caption = (
        f"effective voices {_num(b['effective_voices'], '{:.2f}')} of "
        f"{len(metrics['participants'])} · evenness {_num(b['evenness'], '{:.2f}')} · "
        f"gini {_num(b['gini'], '{:.2f}')} · silence "
        f"{_num(metrics['totals']['silence_time'])} s · overlap "
        f"{_num(metrics['totals']['overlap_time'])} s")
    return table


def headline(metrics: dict[str, Any]) -> list[str]:
    """The three figures a supervisor reads first, in plain words that grade nobody: how
    many voices were heard, how much the person at the centre spoke (or who spoke most),
    and the professionals' share (or how much was overlapped)."""
    people = metrics["participants"]
    voices = metrics["balance"]["time"]["effective_voices"]
    out = [f"{_num(voices, '{:.1f}')} effective voices out of {len(people)} present"]
    centre = [p for p in people.values() if p["role"] == "person"]
    if centre and centre[0]["share_time"] is not None:
        out.append(f"the person at the centre spoke for {centre[0]['share_time']:.0%} of the "
                   "time")
    elif people and voices is not None:
        pid, most = max(people.items(), key=lambda kv: kv[1]["share_time"] or 0)
        out.append(f"{most['label'] or pid} spoke for {most['share_time']:.0%} of the time, "
                   "the most")
    professional = metrics["roles"]["professional_share"]
    if professional is not None and any(p["role"] in ("clinician", "peer_practitioner")
                                        for p in people.values()):
        out.append(f"professionals spoke for {professional:.0%} of the time")
    else:
        totals = metrics["totals"]
        share = totals["overlap_time"] / totals["speech_time"] if totals["speech_time"] else 0
        out.append(f"{share:.0%} of the speech overlapped")
    return out


def print_summary(metrics: dict[str, Any], title: str, console: Console | None = None,
                  cards: Sequence[Card] = ()) -> None:
    """The table, the flags, a card per unnamed voice (`report/cards.py`), and how consent
    was handled."""
    console = console or Console()
    console.print(summary_table(metrics, title))
    console.print(Text(" · ".join(headline(metrics)), style="bold"))
    for card in cards:
        first = "—" if card.first_speech is None else clock(card.first_speech)
        console.print(Text(f"{card.name} ({card.voice}): first spoke at {first}, "
                           f"{card.speaking_time:.1f} s in all", style="bold"))
        for u in card.longest:
            console.print(Text(f"  {clock(u.start)}–{clock(u.end)}  {u.text or '(no words)'}"))
    for flag in metrics["flags"]:
        who = flag["speaker"]
        if who is not None:
            who = metrics["participants"][who]["label"] or who
        text = f"{who} {flag['message']}" if who else flag["message"]
        console.print(f"[yellow]flag[/yellow] {flag['code']}: {escape(text)}", highlight=False)
    note = consent.describe(metrics.get("provenance", {}).get("consent", {}))
    if note:
        style = "dim" if metrics["provenance"]["consent"].get("checked") else "bold red"
        console.print(Text(note, style=style))
