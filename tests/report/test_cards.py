"""A card per unnamed voice: first speech, total time, three longest utterances."""

import pytest
from rich.console import Console

from polyphony.conversation import Participant
from polyphony.metrics import compute_metrics
from polyphony.report.cards import cards, unnamed
from polyphony.report.html import render
from polyphony.report.terminal import print_summary
from tests.helpers import conv

ROWS = [("S1", 0, 1, "one"), ("S2", 1.5, 6, "five"), ("S1", 6.5, 9, "two and a half"),
        ("S1", 9.5, 13, "three and a half"), ("S1", 14, 14.5, "half"), ("S1", 15, 19, "four")]
PEOPLE = [Participant("S1", "other", "Speaker 1"), Participant("S2", "other", "Speaker 2"),
          Participant("mira", "person", "Mira")]


def test_only_anonymous_voices_get_cards_with_their_longest_utterances_in_order():
    c = conv(ROWS, [*PEOPLE, Participant("S3", "family", "Speaker 3")])
    assert unnamed(c) == ["S1", "S2"]  # Mira is named; S3 has a role someone gave
    first = cards(c, {"S1": 11.0, "S2": 4.5})[0]
    assert (first.voice, first.name, first.first_speech, first.speaking_time) == (
        "S1", "Speaker 1", 0, 11.0)
    assert [u.text for u in first.longest] == ["two and a half", "three and a half", "four"]


def test_the_cards_are_in_the_page_and_the_terminal():
    c = conv([r[:3] for r in ROWS], PEOPLE, has_text=False)
    m = compute_metrics(c)
    page = render(c, m, "Network meeting")
    assert 'id="card-S1"' in page and 'id="card-S2"' in page and 'id="card-mira"' not in page
    console = Console(record=True, width=120)
    speaking = {pid: p["speaking_time"] for pid, p in m["participants"].items()}
    print_summary(m, "t", console, cards(c, speaking))
    out = console.export_text()
    assert "Speaker 1 (S1): first spoke at 0:00" in out and "0:15–0:19" in out


@pytest.mark.models
def test_the_shared_page_keeps_the_cards_but_not_the_names_in_them():
    rows = [*ROWS[:3], ("S1", 9.5, 13, "three and a half, Mira"), *ROWS[4:]]
    shared = render(conv(rows, PEOPLE), compute_metrics(conv(rows, PEOPLE)),
                    "Network meeting", deidentify=True)
    assert 'id="card-S1"' in shared and "three and a half, [name]" in shared
    assert "Mira" not in shared


def test_the_terminal_headline_says_three_things_in_plain_words():
    from polyphony.report.terminal import headline

    people = [Participant("mira", "person", "Mira"), Participant("lee", "clinician", "Dr Lee"),
              Participant("tom", "family", "Tom")]
    c = conv([("mira", 0, 6), ("lee", 6.5, 9), ("tom", 9.5, 10)], people, has_text=False)
    lines = headline(compute_metrics(c))
    assert lines[0].endswith("effective voices out of 3 present")
    assert lines[1] == "the person at the centre spoke for 67% of the time"
    assert lines[2] == "professionals spoke for 28% of the time"
    anonymous = conv([("S1", 0, 6), ("S2", 6.5, 9)], has_text=False)
    assert headline(compute_metrics(anonymous))[1] == "S1 spoke for 71% of the time, the most"
