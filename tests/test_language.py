"""The real spaCy model and sentence encoder, loaded once for the session."""

import subprocess
import sys
from pathlib import Path

import pytest

from polyphony import language

pytestmark = pytest.mark.models  # every test here runs the real models


@pytest.mark.parametrize("text", [
    "How are you feeling today", "What happened after that?", "Do you want to talk about it",
    "So could you say more about that", "And is that something you would like",
    "Why", "Would it help if we met on Friday"])
def test_questions(text):
    assert language.is_question(text)


@pytest.mark.parametrize("text", [
    "I went to the shop.", "What I mean is that it was hard.", "She is tired.",
    "When I was unwell, quiet was what I needed.", "Thank you all for coming today."])
def test_not_questions(text):
    assert not language.is_question(text)


def test_content_lemmas_skip_stop_words_and_function_words():
    (a,) = language.analyse(["The nights were really hard and she was not sleeping"])
    assert {"night", "hard", "sleep"} <= a.content
    assert not a.content & {"the", "and", "was", "she", "be"}


def test_embeddings_are_unit_length_and_paraphrases_are_closer():
    v = language.embed(["I could not sleep at all last night.",
                        "Last night I was awake the whole time.",
                        "The train to Helsinki leaves at noon."])
    assert v.shape == (3, 384)
    assert (abs((v ** 2).sum(axis=1) - 1) < 1e-4).all()
    assert v[0] @ v[1] > 0.5 > v[0] @ v[2]


def test_a_transcripts_metrics_import_no_torch():
    # spaCy's thinc would import torch (a second of start-up) though no model here runs
    # it; the sentence encoder is numpy (minilm.py)
    vtt = Path(__file__).parent / "data" / "vtt" / "noscribe_interview.vtt"
    code = ("import sys\nfrom polyphony.cli import main\ntry:\n"
            f"    main(['metrics', {str(vtt)!r}])\n"
            "except SystemExit:\n    pass\n"
            "print(sorted(m for m in ('torch', 'faster_whisper', 'pyannote', "
            "'transformers', 'spacy') if m in sys.modules), file=sys.stderr)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True)
    assert out.stderr.strip().splitlines()[-1] == "['spacy']"
