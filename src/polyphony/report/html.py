"""One self-contained HTML page: no CDN, no script, no network, so it opens on an offline
clinic laptop and prints on paper. Figures are inline SVG (`plots.py`).

`deidentify=True` gives the page an Action Learning Set can discuss: participants appear
by role ("Family member 1"), and the transcript keeps its words but not its names, places,
dates, ages or numbers (`redact.py`). The words describe what happened and grade nobody:
the numbers invite reflection, they are not scores of clinicians.
"""

from __future__ import annotations

import dataclasses
import itertools
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from jinja2 import Environment, PackageLoader

from polyphony import consent
from polyphony.conversation import Conversation, Participant
from polyphony.metrics.dialogical import REFLECTING_MIN_TURNS
from polyphony.metrics.flags import HIGH_OVERLAP, LITTLE_SPEECH
from polyphony.metrics.turns import LONG_SILENCE, Timing, build_turns
from polyphony.models import public_name
from polyphony.report import plots, redact, style
from polyphony.report.cards import Card
from polyphony.report.cards import cards as voice_cards

# In the <head> of every page made for sharing, so that a rewrite (`relabel`) keeps it so.
DEIDENTIFIED_MARK = '<meta name="polyphony-deidentified" content="true">'


def aliases(conv: Conversation, deidentify: bool) -> dict[str, str]:
    """Display names: labels, or neutral role labels when de-identifying."""
    if not deidentify:
        return {p.id: p.display for p in conv.participants}
    return redact.aliases(conv.participants)


def _pct(value: float | None) -> str:
    return "—" if value is None else f"{value:.0%}"


@dataclass(frozen=True)
class Paragraph:
    speaker: str
    start: float
    text: str
    overlapped: bool  # some of it was spoken over another voice
    backchannel: bool  # "mm", "yeah": a listener's signal, not a turn


def paragraphs(conv: Conversation, backchannels: Sequence[bool] | None = None
               ) -> list[Paragraph]:
    """The transcript, one paragraph per run of one speaker's utterances, so that a
    sentence split by a short pause reads as one; a backchannel stands alone."""
    flags = backchannels if backchannels is not None else [False] * len(conv.utterances)
    out: list[Paragraph] = []
    for u, is_backchannel in zip(conv.utterances, flags, strict=True):
        if not u.has_text:
            continue
        overlapped = any(w.overlap for w in u.words)
        last = out[-1] if out else None
        if last and last.speaker == u.speaker and not (is_backchannel or last.backchannel):
            out[-1] = Paragraph(u.speaker, last.start, f"{last.text} {u.text.strip()}",
                                last.overlapped or overlapped, False)
        else:
            out.append(Paragraph(u.speaker, u.start, u.text.strip(), overlapped,
                                 is_backchannel))
    return out


def floor_transfer_offsets(conv: Conversation, metrics: Mapping[str, Any]) -> list[float]:
    """The offset at each change of turn, as the turn-taking metrics count them."""
    turns = build_turns(conv, metrics["config"]["backchannels"])
    return [b.start - a.end for a, b in itertools.pairwise(turns)]


def render(conv: Conversation, metrics: dict[str, Any], title: str,
           deidentify: bool = False, people: Iterable[Participant] = ()) -> str:
    """The whole page. With `deidentify`, the page for an Action Learning Set: people by
    role, the transcript and the voice cards with names, places, dates, ages and numbers
    replaced (`redact.py`); `people` are more whose names to replace (the roster's, the
    consent manifest's), beyond the conversation's own participants."""
    context = _context(conv, metrics, title, deidentify, people)
    names, colours = context["names"], context["colours"]
    context["figures"] = {
        "voices": plots.voice_shares(metrics, names, colours),
        "roles": plots.role_shares(metrics),
        "timeline": plots.timeline(conv, metrics, names, colours, LONG_SILENCE),
        "transitions": plots.transitions(metrics, names),
        "fto": plots.floor_transfer_offsets(floor_transfer_offsets(conv, metrics)),
        "interruptions": plots.paired_bars(
            metrics, names, (("interruptions_made", "made"),
                             ("interruptions_suffered", "suffered")),
            "interruptions", "interruptions"),
        "backchannels": plots.paired_bars(metrics, names, (("backchannels", "given"),),
                                          "backchannels given", "backchannels"),
        "uptake": plots.uptake_network(metrics, names, colours),
        "responded": plots.rates(metrics, names, colours, "responded_to_rate",
                                 "responded-to rate", "share of turns the next speaker "
                                                      "responded to"),
        "questions": plots.paired_bars(metrics, names, (("questions_asked", "asked"),
                                                        ("questions_answered", "answered")),
                                       "questions", "questions"),
        "timecourse": plots.voice_share_over_time(metrics, names, colours),
    }
    return _environment(True).get_template("report.html.j2").render(**context)


def render_markdown(conv: Conversation, metrics: dict[str, Any], title: str,
                    deidentify: bool = False, people: Iterable[Participant] = ()) -> str:
    """The same report as Markdown, without figures: for notes, e-mail, version control."""
    return _environment(False).get_template("report.md.j2").render(
        **_context(conv, metrics, title, deidentify, people))


def _environment(html: bool) -> Environment:
    """HTML escapes every value (a name like `<b>` is text); Markdown is plain text."""
    return Environment(loader=PackageLoader("polyphony", "report/templates"),
                       autoescape=html, trim_blocks=not html, lstrip_blocks=not html)


def _context(conv: Conversation, metrics: dict[str, Any], title: str,
             deidentify: bool, people: Iterable[Participant] = ()) -> dict[str, Any]:
    """Everything a report says, in words and numbers, for either format."""
    names = aliases(conv, deidentify)
    colours = style.colours(conv.speakers)
    backchannels = (list(Timing(conv, metrics["config"]["language"]).backchannel)
                    if conv.provenance.has_text else None)
    text = paragraphs(conv, backchannels)
    cards = voice_cards(conv, {pid: p["speaking_time"]
                               for pid, p in metrics["participants"].items()})
    if deidentify:  # the manifest that allowed the run lists everyone present, by id
        listed = [Participant(pid) for pid in conv.provenance.consent.get("participants", [])]
        text, cards = _redacted([*conv.participants, *people, *listed], text, cards)
    constants = {"long_silence": LONG_SILENCE, "reflecting_min_turns": REFLECTING_MIN_TURNS,
                 "little_speech": LITTLE_SPEECH, "high_overlap": HIGH_OVERLAP}
    return dict(
        title=title, metrics=metrics, names=names, colours=colours,
        deidentify=deidentify, paragraphs=text, cards=cards, constants=constants,
        role_names=plots.ROLE_NAMES, version=_version(), deidentified_mark=DEIDENTIFIED_MARK,
        consent_note=consent.describe(conv.provenance.consent, deidentify),
        models={stage: public_name(name) if deidentify else name
                for stage, name in conv.provenance.models.items()},
        consent_checked=conv.provenance.consent.get("checked", True),
        clock=style.clock, pct=_pct)


def _redacted(people: list[Participant], text: list[Paragraph], cards: list[Card]
              ) -> tuple[list[Paragraph], list[Card]]:
    names = redact.roster_names(people)
    lines = redact.redact([p.text for p in text], names)
    text = [dataclasses.replace(p, text=t) for p, t in zip(text, lines, strict=True)]
    out = []
    for card in cards:
        said = redact.redact([u.text for u in card.longest], names)
        out.append(dataclasses.replace(card, longest=tuple(
            dataclasses.replace(u, text=t, words=()) for u, t in
            zip(card.longest, said, strict=True))))
    return text, out


def _version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("polyphony")
    except PackageNotFoundError:
        return "unknown"
