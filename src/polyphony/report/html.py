"""One self-contained HTML page: no CDN, no script, no network, so it opens on an offline
clinic laptop and prints on paper. Plots are inline SVG drawn here.

`deidentify=True` gives the page an Action Learning Set can discuss: participants appear
by role ("Clinician 1"), and the transcript text is left out.
"""

from __future__ import annotations

from collections import Counter
from html import escape
from typing import Any

from jinja2 import Environment, PackageLoader, select_autoescape

from polyphony import consent
from polyphony.conversation import Conversation
from polyphony.models import public_name
from polyphony.report.cards import cards as voice_cards

PALETTE = ("#1b6ca8", "#d1495b", "#66a182", "#edae49", "#8e6c8a", "#2e4057", "#c17c74",
           "#00798c")
_LANE = 22


def aliases(conv: Conversation, deidentify: bool) -> dict[str, str]:
    """Display names: labels, or role-based aliases when de-identifying."""
    if not deidentify:
        return {p.id: p.display for p in conv.participants}
    totals = Counter(p.role for p in conv.participants)
    seen: Counter[str] = Counter()
    out = {}
    for p in conv.participants:
        seen[p.role] += 1
        role = p.role.replace("_", " ").capitalize()
        out[p.id] = role if totals[p.role] == 1 else f"{role} {seen[p.role]}"
    return out


def timeline_svg(conv: Conversation, names: dict[str, str], width: int = 900) -> str:
    """Who spoke when: one lane per participant, silent ones included."""
    t0, t1 = conv.region
    span = max(t1 - t0, 1e-9)
    label_w = 150
    scale = (width - label_w - 10) / span
    lanes = {pid: i for i, pid in enumerate(conv.speakers)}
    height = _LANE * len(lanes) + 24
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
             f'role="img" aria-label="timeline of who spoke when">']
    for pid, i in lanes.items():
        y = i * _LANE
        name = escape(names[pid], quote=False)
        parts.append(f'<text x="0" y="{y + 15}" font-size="12">{name}</text>')
        parts.append(f'<line x1="{label_w}" x2="{width - 10}" y1="{y + 11}" y2="{y + 11}" '
                     'stroke="#ddd"/>')
    for u in conv.utterances:
        x = label_w + (u.start - t0) * scale
        w = max((u.end - u.start) * scale, 0.5)
        colour = PALETTE[lanes[u.speaker] % len(PALETTE)]
        parts.append(f'<rect x="{x:.1f}" y="{lanes[u.speaker] * _LANE + 4}" width="{w:.1f}" '
                     f'height="14" fill="{colour}"><title>{u.start:.1f}–{u.end:.1f} s'
                     '</title></rect>')
    ticks = max(1, int(span // 8) or 1)
    y = _LANE * len(lanes) + 16
    for k in range(0, int(span) + 1, ticks):
        x = label_w + k * scale
        parts.append(f'<text x="{x:.1f}" y="{y}" font-size="10" fill="#666">{_clock(k)}'
                     '</text>')
    parts.append("</svg>")
    return "".join(parts)


def timecourse_svg(metrics: dict[str, Any], names: dict[str, str],
                   colours: dict[str, str], width: int = 900, height: int = 160) -> str:
    """Stacked shares per window; empty when there is only one window."""
    tc = metrics.get("timecourse")
    if not tc or len(tc["windows"]) < 2:
        return ""
    wins = tc["windows"]
    step = (width - 10) / len(wins)
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height + 20}" '
             'role="img" aria-label="voice share over time">']
    for k, w in enumerate(wins):
        y = 0.0
        for pid, share in w["share_time"].items():
            if not share:
                continue
            h = share * height
            parts.append(f'<rect x="{k * step:.1f}" y="{y:.1f}" width="{step:.1f}" '
                         f'height="{h:.1f}" fill="{colours[pid]}">'
                         f'<title>{escape(names[pid], quote=False)}'
                         f' {share:.0%}, {_clock(w["start"])}–{_clock(w["end"])}</title></rect>')
            y += h
        if k % max(1, len(wins) // 8) == 0:
            parts.append(f'<text x="{k * step:.1f}" y="{height + 14}" font-size="10" '
                         f'fill="#666">{_clock(w["start"])}</text>')
    parts.append("</svg>")
    return "".join(parts)


def _clock(seconds: float) -> str:
    m, s = divmod(int(seconds), 60)
    return f"{m}:{s:02d}"


def _pct(value: float | None) -> str:
    return "—" if value is None else f"{value:.0%}"


def paragraphs(conv: Conversation) -> list[tuple[str, float, str]]:
    """The transcript as (speaker, start, text), one paragraph per run of one speaker's
    utterances, so that a sentence split by a short pause reads as one."""
    out: list[tuple[str, float, str]] = []
    for u in conv.utterances:
        if not u.has_text:
            continue
        if out and out[-1][0] == u.speaker:
            speaker, start, text = out[-1]
            out[-1] = (speaker, start, f"{text} {u.text.strip()}")
        else:
            out.append((u.speaker, u.start, u.text.strip()))
    return out


def render(conv: Conversation, metrics: dict[str, Any], title: str,
           deidentify: bool = False) -> str:
    env = Environment(loader=PackageLoader("polyphony", "report/templates"),
                      autoescape=select_autoescape(["html", "j2"]))
    names = aliases(conv, deidentify)
    colours = {pid: PALETTE[i % len(PALETTE)] for i, pid in enumerate(conv.speakers)}
    return env.get_template("report.html.j2").render(
        title=title, metrics=metrics, names=names, colours=colours,
        timeline=timeline_svg(conv, names), deidentify=deidentify,
        timecourse=timecourse_svg(metrics, names, colours),
        paragraphs=[] if deidentify else paragraphs(conv),
        cards=voice_cards(conv, {pid: p["speaking_time"]
                                 for pid, p in metrics["participants"].items()}),
        consent_note=consent.describe(conv.provenance.consent, deidentify),
        models={stage: public_name(name) if deidentify else name
                for stage, name in conv.provenance.models.items()},
        consent_checked=conv.provenance.consent.get("checked", True),
        clock=_clock, pct=_pct)
