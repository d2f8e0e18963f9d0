"""The numpy MiniLM against sentence-transformers itself, on the same bundled weights."""

import numpy as np
import pytest

from polyphony.minilm import DIMENSION, MiniLM
from polyphony.models import model_path

pytestmark = pytest.mark.models  # imports sentence-transformers (and torch) as the reference

TEXTS = ["Mm-hmm.", "yeah", "", "What do you mean by that, Tom?",
         "I think we should talk about what happened last week at the hospital, because I "
         "was really scared and nobody told me anything.",
         "Ich weiß nicht, was ich sagen soll.",  # beyond the vocabulary's English
         "So " * 400]  # past max_seq_length: truncated as sentence-transformers truncates


@pytest.fixture(scope="module")
def reference():
    from sentence_transformers import SentenceTransformer

    model = SentenceTransformer(str(model_path("all-minilm-l6-v2")), device="cpu",
                                local_files_only=True)
    return model.encode(TEXTS, normalize_embeddings=True, convert_to_numpy=True,
                        show_progress_bar=False)


def test_vectors_match_sentence_transformers(reference):
    mine = MiniLM(model_path("all-minilm-l6-v2")).encode(TEXTS, batch_size=3)
    assert mine.shape == (len(TEXTS), DIMENSION) and mine.dtype == np.float32
    assert np.abs(mine - reference).max() < 1e-5


def test_batching_and_order_do_not_change_a_vector(reference):
    model = MiniLM(model_path("all-minilm-l6-v2"))
    one_by_one = np.stack([model.encode([t])[0] for t in reversed(TEXTS)])[::-1]
    assert np.abs(one_by_one - reference).max() < 1e-5
    assert model.encode([]).shape == (0, DIMENSION)
