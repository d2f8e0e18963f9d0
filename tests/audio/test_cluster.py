"""Bounded clustering: the same speakers as one big linkage, in a fraction of the memory,
and a voice with a handful of windows is not averaged away."""

from __future__ import annotations

import tracemalloc

import numpy as np
import pytest

from polyphony.audio.cluster import bounded_labels, cluster, forced_apart, one_voice


def agglomerative(threshold: float = 0.6):
    from pyannote.audio.pipelines.clustering import AgglomerativeClustering

    clustering = AgglomerativeClustering(metric="cosine")
    clustering.instantiate({"method": "centroid", "min_cluster_size": 1,
                            "threshold": threshold})
    return clustering


def voices(sizes: list[int], dim: int = 64, noise: float = 0.25, seed: int = 0):
    """Window embeddings of speakers taking turns: speaker k has sizes[k] windows, spread
    over the whole sequence. Returns embeddings and the true speaker of each."""
    rng = np.random.default_rng(seed)
    centres = np.linalg.qr(rng.normal(size=(dim, len(sizes))))[0].T  # orthonormal voices
    truth = np.concatenate([np.full(n, k) for k, n in enumerate(sizes)])
    rng.shuffle(truth)
    x = centres[truth] + noise * rng.normal(size=(len(truth), dim)) / np.sqrt(dim)
    return x.astype(np.float32), truth


def purity(labels: np.ndarray, truth: np.ndarray) -> bool:
    """Every found cluster holds one true speaker and every speaker one cluster."""
    pairs = set(zip(labels.tolist(), truth.tolist(), strict=True))
    return len(pairs) == len(set(labels.tolist())) == len(set(truth.tolist()))


def test_a_long_sequence_is_clustered_right_in_bounded_memory():
    x, truth = voices([1500, 1500, 1200, 1200, 600, 6])  # the last voice: 6 windows
    clustering = agglomerative()  # (imports pyannote outside the measurement)
    tracemalloc.start()
    labels = bounded_labels(clustering, x, 1, np.inf, None, limit=500)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert purity(np.asarray(labels), truth)
    # one linkage over all 6,006 would need the condensed distance matrix alone:
    full = len(x) * (len(x) - 1) // 2 * 8
    assert peak < full / 10, (peak, full)


def test_the_speaker_count_still_constrains_the_bounded_clustering():
    x, truth = voices([900, 900, 900], noise=0.25)
    for n in (2, 3, 4):
        labels = bounded_labels(agglomerative(), x, n, n, n, limit=400)
        assert len(set(np.asarray(labels).tolist())) == n
    labels = bounded_labels(agglomerative(), x, 3, 3, 3, limit=400)
    assert purity(np.asarray(labels), truth)


def test_a_short_sequence_is_clustered_exactly_as_pyannote_does():
    x, _ = voices([40, 30, 5], noise=0.6, seed=3)
    ours = bounded_labels(agglomerative(), x, 1, np.inf, None)
    theirs = agglomerative().cluster(x.copy(), min_clusters=1, max_clusters=np.inf)
    assert np.array_equal(ours, theirs)


@pytest.mark.parametrize("limit", [50, 10_000])
def test_cluster_maps_back_to_chunks_and_local_speakers(limit):
    from pyannote.core import SlidingWindow, SlidingWindowFeature

    x, truth = voices([120, 120], seed=1)
    chunks = len(x) // 2
    embeddings = x[:2 * chunks].reshape(chunks, 2, -1)
    segmentations = np.zeros((chunks, 100, 3), np.float32)
    segmentations[:, :50, 0] = 1  # local speaker 0 alone for half the chunk
    segmentations[:, 50:, 1] = 1  # then local speaker 1; local speaker 2 silent
    window = SlidingWindow(start=0.0, duration=10.0, step=1.0)
    embeddings = np.concatenate([embeddings, np.full((chunks, 1, x.shape[1]), np.nan)], 1)
    hard = cluster(agglomerative(), embeddings, SlidingWindowFeature(segmentations, window),
                   num_clusters=2, limit=limit)
    assert hard.shape == (chunks, 3)
    assert purity(hard[:, :2].reshape(-1), truth[:2 * chunks])


def test_forced_clusters_of_one_free_cluster_are_paired_with_its_largest():
    free = np.array([0, 0, 0, 0, 0, 1, 1, 1, 0])
    forced = np.array([0, 0, 0, 2, 2, 1, 1, 1, -2])  # -2: an inactive local speaker
    assert one_voice(forced, free) == [(0, 2)]
    assert one_voice(np.array([0, 0, 1, 1]), np.array([0, 0, 1, 1])) == []
    assert one_voice(np.array([0, 1, 2, 2]), np.array([0, 0, 0, 0])) == [(2, 0), (2, 1)]


def test_a_voice_made_up_to_reach_the_count_is_named():
    from pyannote.core import SlidingWindow, SlidingWindowFeature

    x, _ = voices([60, 60], noise=0.25)  # two voices, one local speaker per chunk
    embeddings = x[:, None, :]
    active = SlidingWindowFeature(np.ones((len(x), 100, 1)), SlidingWindow(10.0, 2.5))
    clustering = agglomerative()
    three = cluster(clustering, embeddings, active, num_clusters=3)
    assert len(np.unique(three)) == 3
    (pair,) = forced_apart(clustering, embeddings, active, three)
    assert set(pair) <= set(np.unique(three).tolist()) and pair[0] != pair[1]
    two = cluster(clustering, embeddings, active, num_clusters=2)
    assert forced_apart(clustering, embeddings, active, two) == []
