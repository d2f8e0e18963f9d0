import re

import pytest

from polyphony.conversation import Participant
from polyphony.metrics import compute_metrics
from polyphony.report.html import aliases, paragraphs, render
from tests.helpers import conv


def meeting():
    return conv([("a", 0, 1, "Thank"), ("a", 1.2, 2, "you all."), ("b", 2.5, 4, "Hi <Ann>."),
                 ("c", 4.5, 5, "")],
                [Participant("a", "clinician", "Dr Lee"), Participant("b", "person", "Mira"),
                 Participant("c", "clinician", "Sam"), Participant("d", "family", "Tom")])


def test_transcript_paragraphs_join_one_speakers_run():
    assert [(p.speaker, p.start, p.text) for p in paragraphs(meeting())] == [
        ("a", 0, "Thank you all."), ("b", 2.5, "Hi <Ann>.")]


@pytest.mark.models
def test_deidentified_page_shows_roles_not_names_nor_words():
    c = meeting()
    assert aliases(c, True) == {"a": "Clinician 1", "b": "Person at the centre",
                                "c": "Clinician 2", "d": "Family member"}
    page = render(c, compute_metrics(c), "Network meeting", deidentify=True)
    for secret in ("Dr Lee", "Mira", "Sam", "Tom", "Ann"):
        assert secret not in page
    assert "Thank you all." in page  # the words stay; only names and the like go
    assert "Clinician 2" in page and "Family member" in page


@pytest.mark.models
def test_page_is_self_contained_and_escapes_text():
    c = meeting()
    page = render(c, compute_metrics(c), "Meeting")
    assert "Hi &lt;Ann&gt;." in page
    assert "<script" not in page and "<link" not in page
    outside = re.sub(r'xmlns(:\w+)?="[^"]*"', "", page)  # namespace names, never fetched
    assert "https://" not in outside and "http://" not in outside
    assert "Tom" in page  # the silent member is in every table


def test_the_shared_page_names_no_local_model_path():
    import dataclasses

    c = conv([("a", 0, 2), ("b", 2.5, 4)], [Participant("a", "clinician", "Dr Lee"),
                                            Participant("b", "person", "Mira")],
             has_text=False)
    c = dataclasses.replace(c, provenance=dataclasses.replace(
        c.provenance, source="automatic",
        models={"asr": "/home/jane.doe/whisper", "diarization": "/srv/st-marys/pipeline"},
        settings={"language": "en", "language_heard": ["de", 0.9]}))
    shared = render(c, compute_metrics(c), "Network meeting", deidentify=True)
    assert "jane.doe" not in shared and "st-marys" not in shared
    assert "a local model" in shared
    assert "/home/jane.doe/whisper" in render(c, compute_metrics(c), "Network meeting")


def test_names_that_look_like_markup_or_mathtext_are_drawn_as_written():
    c = conv([("a", 0, 2), ("b", 2.5, 5)],
             [Participant("a", "other", "Sam $$5 $x^2$"),
              Participant("b", "other", "<b>bold</b>")], has_text=False)
    page = render(c, compute_metrics(c), "Meeting")
    figure = page[page.index('<svg role="img" aria-label="voice share per participant"'):]
    figure = figure[:figure.index("</svg>")]
    assert "Sam $$5 $x^2$" in figure  # drawn as written, not as mathtext
    assert "&lt;b&gt;bold&lt;/b&gt;" in figure and "<b>bold</b>" not in page
