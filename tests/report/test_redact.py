"""De-identification: on the shared page no roster name, and no person or place spaCy
finds, survives; nor do planted nicknames, ages and phone numbers."""

from __future__ import annotations

import re

import pytest

from polyphony.conversation import Participant
from polyphony.formats import read
from polyphony.metrics import compute_metrics
from polyphony.report.html import render
from polyphony.report.redact import _ner, aliases, names_in, redact, roster_names
from polyphony.roster import apply, load
from tests.conftest import EXAMPLE
from tests.helpers import conv

PEOPLE = [Participant("mira", "person", "Mira Okafor"), Participant("tom", "family",
                                                                     "Thomas Okafor"),
          Participant("dr_lee", "clinician", "Dr Lee"), Participant("sam", "peer_practitioner",
                                                                    "Sam")]
PLANTED = [
    ("dr_lee", 0, 4, "Welcome, Mira. Tommy, thanks for driving down from Manchester."),
    ("tom", 4.5, 9, "No trouble. Mrs Okafor next door said Lee would call on 07700 900123."),
    ("mira", 9.5, 14, "I am 34 years old and Thom still treats me like a child, Dr Lee."),
    ("sam", 14.5, 19, "When I was in Leeds in March 2019, Sarah Jones helped me: sam@example.org."),
]


def visible_text(page: str) -> str:
    """The page's text, without its style sheet."""
    page = re.sub(r"<style>.*?</style>", " ", page, flags=re.S)
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", page))


def test_aliases_name_roles_not_people():
    assert aliases([*PEOPLE, Participant("ann", "family")]) == {
        "mira": "Person at the centre", "tom": "Family member 1", "dr_lee": "Clinician",
        "sam": "Peer practitioner", "ann": "Family member 2"}


def test_every_form_of_a_roster_name_is_known():
    names = roster_names(PEOPLE)
    assert {"Mira", "Okafor", "Thomas", "Tom", "Tommy", "Thom", "Lee", "Sam"} <= names
    assert "Dr" not in names
    odd = roster_names([Participant("ob", "family", "O'Brien, Siobhán"),
                        Participant("S3", "other", "Speaker 3")])
    assert {"O'Brien", "O\u2019Brien", "Siobhán", "Siobhan"} <= odd
    assert "Speaker" not in odd and "S3" not in odd  # diarization's labels name no one


@pytest.mark.models
def test_a_name_that_is_also_a_word_goes_only_when_it_is_a_name():
    names = roster_names([Participant("w", "clinician", "William Step"),
                          Participant("S2", "other", "Speaker 2")])
    [line] = redact(["I will step up, Will said, and the speaker nodded."], names)
    assert line == "I will step up, [name] said, and the speaker nodded."


@pytest.mark.models
def test_planted_names_nicknames_places_ages_and_numbers_are_replaced():
    lines = redact([t for *_, t in PLANTED], roster_names(PEOPLE))
    assert not names_in(lines, roster_names(PEOPLE) | {"Sarah", "Jones", "Manchester",
                                                       "Leeds", "2019"})
    joined = " ".join(lines)
    for gone in ("07700", "34 years", "sam@example.org"):
        assert gone not in joined
    assert "[name]" in joined and "[place]" in joined and "[number]" in joined
    assert "[age]" in joined and "[e-mail]" in joined
    found = [(e.text, e.label_) for line in lines for e in _ner()(line).ents
             if e.label_ in ("PERSON", "GPE", "LOC", "FAC")]
    assert found == []


@pytest.mark.models
@pytest.mark.parametrize("source", ["example", "planted"])
def test_the_shared_page_holds_no_name(source):
    if source == "example":
        c = apply(read(EXAMPLE / "reference.stm"), load(EXAMPLE / "roster.toml"))
        people = c.participants
    else:
        c = conv(PLANTED, PEOPLE)
        people = PEOPLE
    html = render(c, compute_metrics(c), "Network meeting", deidentify=True)
    page = visible_text(html)
    assert not names_in([page], roster_names(people))
    # What came from speech (the transcript's words, the cards' utterances): NER looks
    # there, not at the page's own labels ("Person at the centre").
    said = " ".join(re.findall(r'<span class="who"[^>]*>[^<]*</span>: (.*?)</p>', html, re.S)
                    + re.findall(r'<span class="muted">[\d:–]+</span> (.*?)</li>', html))
    entities = [(e.text, e.label_) for e in _ner()(said).ents
                if e.label_ in ("PERSON", "GPE", "LOC", "FAC")]
    assert entities == [], entities
    assert "Person at the centre" in page and "[name]" in said


@pytest.mark.models
def test_the_shared_markdown_holds_no_name(tmp_path):
    import dataclasses

    from polyphony.formats import conversation_json
    from polyphony.report.rebuild import report_results

    c = conv(PLANTED, PEOPLE)
    c = dataclasses.replace(c, provenance=dataclasses.replace(c.provenance,
                                                              recording="m.flac"))
    folder = tmp_path / "m"
    folder.mkdir()
    conversation_json.write(c, folder / "conversation.json")
    md = report_results(folder, redact=True, check_consent=False, fmt="md").read_text()
    assert "## Transcript" in md and "[name]" in md
    assert not names_in([md], roster_names(PEOPLE) | {"Sarah", "Manchester", "Leeds"})
    assert "07700" not in md and "Consent was NOT checked" in md
