"""Language analysis for the responsiveness metrics: content lemmas and questions (spaCy's
bundled English model) and sentence embeddings (the bundled all-MiniLM-L6-v2, run in numpy
by `minilm.py`, so that no torch is imported for a transcript's metrics).

Both models load once, lazily, on first use. Each distinct text is analysed once per process
(the caches below), so a transcript that repeats "yeah" a hundred times pays for it once.
spaCy runs without NER, the one component these metrics do not need.
"""

from __future__ import annotations

import re
import sys
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache

import numpy as np

from polyphony.minilm import DIMENSION, MiniLM
from polyphony.models import model_path

CONTENT_POS = frozenset({"NOUN", "PROPN", "VERB", "ADJ", "ADV"})
WH_TAGS = frozenset({"WDT", "WP", "WP$", "WRB"})
# Discourse openers that may precede the auxiliary or wh-word of a question
# ("So do you think...", "And what happened?").
_OPENERS = frozenset({"so", "and", "but", "well", "okay", "ok", "now", "then", "or", "oh",
                      "um", "uh", "like"})
SPACY_MODEL = "spacy-en-core-web-sm"  # names in models/registry.toml
SENTENCE_MODEL = "all-minilm-l6-v2"
_EMBED_BATCH = 64


@dataclass(frozen=True)
class TextAnalysis:
    content: frozenset[str]
    is_question: bool


@cache
def _nlp():
    return _spacy().load(model_path(SPACY_MODEL), disable=["ner"])


def _spacy():
    """spaCy, imported without torch where torch is not loaded yet. spaCy's thinc imports
    torch whenever it is installed (0.9 s more for `polyphony metrics` on a 100-cue
    transcript, which takes 1.9 s without it), though the bundled model never runs it; an
    entry of None in sys.modules makes that import fail, which thinc takes as "no torch".
    A process that already imported torch (`analyze`) keeps it."""
    with _IMPORTING:  # one thread at a time, so none sees torch hidden by another
        if "torch" in sys.modules:
            import spacy

            return spacy
        sys.modules["torch"] = None  # type: ignore[assignment]
        try:
            import spacy
        finally:
            del sys.modules["torch"]
        return spacy


_IMPORTING = threading.Lock()


@cache
def _encoder() -> MiniLM:
    return MiniLM(model_path(SENTENCE_MODEL))


def _question(doc) -> bool:
    """A sentence led by a wh-word of its main clause ("What happened?", but not "When I
    was ill, ..." nor "What I mean is ..."), or an auxiliary before its subject ("Do you
    ...", "Could we ...")."""
    for sent in doc.sents:
        tokens = [t for t in sent if not t.is_punct and not t.is_space]
        while tokens and tokens[0].lower_ in _OPENERS and len(tokens) > 1:
            tokens = tokens[1:]
        if not tokens:
            continue
        first = tokens[0]
        if first.tag_ in WH_TAGS and (first.dep_ == "ROOT" or first.head.dep_ == "ROOT"):
            return True
        if first.pos_ == "AUX" and any(
                t.dep_ in ("nsubj", "nsubjpass", "expl") and t.i > first.i
                and t.head == first.head for t in sent):
            return True
    return False


def _analyse_doc(doc) -> TextAnalysis:
    content = frozenset(t.lemma_.lower() for t in doc
                        if t.pos_ in CONTENT_POS and not t.is_stop and t.lemma_.strip())
    return TextAnalysis(content, "?" in doc.text or _question(doc))


_analysis_cache: dict[str, TextAnalysis] = {}
_embedding_cache: dict[str, np.ndarray] = {}


def analyse(texts: Sequence[str]) -> list[TextAnalysis]:
    """Content lemmas and question status for each text (batched, cached)."""
    todo = list(dict.fromkeys(t for t in texts if t not in _analysis_cache))
    if todo:
        for text, doc in zip(todo, _nlp().pipe(todo, batch_size=256), strict=True):
            _analysis_cache[text] = _analyse_doc(doc)
    return [_analysis_cache[t] for t in texts]


def embed(texts: Sequence[str]) -> np.ndarray:
    """Unit-length sentence embeddings, one row per text (batched, cached)."""
    todo = list(dict.fromkeys(t for t in texts if t not in _embedding_cache))
    if todo:
        vectors = _encoder().encode(todo, batch_size=_EMBED_BATCH)
        _embedding_cache.update(zip(todo, vectors, strict=True))
    if not texts:
        return np.zeros((0, DIMENSION), np.float32)
    return np.stack([_embedding_cache[t] for t in texts])


def is_question(text: str) -> bool:
    return analyse([text])[0].is_question


_SPACES = re.compile(r"\s+")


def clean(text: str) -> str:
    """Collapse whitespace, so that equal texts share one cache entry."""
    return _SPACES.sub(" ", text).strip()
