"""Clustering of window embeddings into speakers, in memory bounded by a constant.

pyannote's agglomerative clustering builds a linkage over every window embedding at once,
which needs memory quadratic in their number (pyannote.audio #962, #1819). At the default
step (2.5 s) a recording yields about 2,000 embeddings per hour, and linking 5,000
(`MAX_LINKAGE`) at once takes about 190 MB, so a recording up to about two and a half
hours, a long network meeting included, is clustered exactly as pyannote would.

A longer sequence is cut, in time order, into equal parts no larger than that; each part
is over-clustered into tight micro-clusters (complete linkage at `MICRO_FRACTION` of the
clustering threshold, so that two speakers are not mixed in one), and the micro-cluster
centroids are clustered in turn, with pyannote's own `cluster` and the speaker-count
constraints. The final linkage weighs every centroid alike, however many windows it
stands for, so small micro-clusters should keep it nearer the exact linkage; on two hours
of four voices forced through this path with limits of 500 to 3,000
(`benchmarks/bounded_clustering.py`), fraction 0.5 gave DER 12.5-28.3% before
re-segmentation and 0.2 gave 12.6-17.3%, against 16.5% exact (docs/diarization.md).

A micro-cluster of a few embeddings is kept as its own point, so a quiet voice is not
averaged away before the final clustering sees it.

`forced_apart` asks the same clustering, left to its threshold, which of the clusters
made to reach a speaker count it would have heard as one voice: the voices the report
flags as uncertain.
"""

from __future__ import annotations

import numpy as np
from scipy.cluster.hierarchy import fcluster, linkage

MAX_LINKAGE = 5000
MICRO_FRACTION = 0.2


def _unit(x: np.ndarray) -> np.ndarray:
    return x / (np.linalg.norm(x, axis=-1, keepdims=True) + 1e-12)


def _micro_clusters(part: np.ndarray, threshold: float) -> np.ndarray:
    """Tight clusters of one part: complete linkage, so every two members are closer than
    `threshold`; where that leaves fewer than half as many clusters as embeddings, the
    closest are grouped until it does, so that the recursion always ends."""
    if len(part) < 2:
        return np.zeros(len(part), dtype=int)
    tree = linkage(part, method="complete", metric="euclidean")
    labels = fcluster(tree, threshold, criterion="distance")
    if labels.max() > len(part) // 2:
        labels = fcluster(tree, max(1, len(part) // 2), criterion="maxclust")
    return labels - 1


def bounded_labels(clustering, embeddings: np.ndarray, min_clusters: int,
                   max_clusters: float, num_clusters: int | None,
                   limit: int | None = None) -> np.ndarray:
    """Cluster labels (0-based) for `embeddings`, in time order, with `clustering` (a
    pyannote `AgglomerativeClustering`), never linking more than `limit` (default
    `MAX_LINKAGE`) at once."""
    limit = limit or MAX_LINKAGE
    if len(embeddings) <= limit:
        return clustering.cluster(embeddings.copy(), min_clusters=min_clusters,
                                  max_clusters=max_clusters, num_clusters=num_clusters)
    x = _unit(embeddings)
    micro = np.empty(len(x), dtype=int)
    centroids: list[np.ndarray] = []
    parts = -(-len(x) // limit)  # equal parts: no tiny last part to be forced together
    for indices in np.array_split(np.arange(len(x)), parts):
        part = x[indices]
        local = _micro_clusters(part, MICRO_FRACTION * clustering.threshold)
        for k in np.unique(local):
            members = np.flatnonzero(local == k)
            micro[indices[members]] = len(centroids)
            centroids.append(_unit(part[members].mean(axis=0)))
    top = bounded_labels(clustering, np.stack(centroids), min_clusters, max_clusters,
                         num_clusters, limit)
    return np.asarray(top)[micro]


def cluster(clustering, embeddings: np.ndarray, segmentations, *,
            num_clusters: int | None = None, min_clusters: int | None = None,
            max_clusters: int | None = None, limit: int | None = None) -> np.ndarray:
    """Hard cluster of each (chunk, local speaker) embedding, as pyannote's
    `BaseClustering.__call__` gives it, with the linkage bounded for agglomerative
    clustering. Other clusterings (VBx in a user's pipeline) are called as they are."""
    from pyannote.audio.pipelines.clustering import AgglomerativeClustering

    kwargs = {"num_clusters": num_clusters, "min_clusters": min_clusters,
              "max_clusters": max_clusters}
    if not isinstance(clustering, AgglomerativeClustering):
        return clustering(embeddings=embeddings, segmentations=segmentations, **kwargs)[0]
    train, chunk_idx, speaker_idx = clustering.filter_embeddings(
        embeddings, segmentations=segmentations)
    num_chunks, local_speakers, _ = embeddings.shape
    if len(train) == 0:
        return np.zeros((num_chunks, local_speakers), dtype=int)
    num, low, high = clustering.set_num_clusters(len(train), **kwargs)
    if high < 2:
        return np.zeros((num_chunks, local_speakers), dtype=int)
    labels = bounded_labels(clustering, train, low, high, num, limit)
    hard, _, _ = clustering.assign_embeddings(embeddings, chunk_idx, speaker_idx, labels,
                                              constrained=clustering.constrained_assignment)
    return hard


def forced_apart(clustering, embeddings: np.ndarray, segmentations, hard: np.ndarray,
                 limit: int | None = None) -> list[tuple[int, int]]:
    """The clusters of `hard` (a clustering made to reach a speaker count) that the same
    clustering, left to its own threshold, hears as one voice: pairs (the larger, one split
    from it). A roster's count is kept, but these are the voices it may have made up, or
    the people whose speech may be mixed up between two voices. Only pyannote's
    agglomerative clustering can be asked; other clusterings give none."""
    from pyannote.audio.pipelines.clustering import AgglomerativeClustering

    if not isinstance(clustering, AgglomerativeClustering):
        return []
    train, chunk_idx, speaker_idx = clustering.filter_embeddings(
        embeddings, segmentations=segmentations)
    if len(train) < 2:
        return []
    num, low, high = clustering.set_num_clusters(len(train))
    free = np.asarray(bounded_labels(clustering, train, low, high, num, limit))
    return one_voice(hard[chunk_idx, speaker_idx], free)


def one_voice(forced: np.ndarray, free: np.ndarray) -> list[tuple[int, int]]:
    """Pairs of `forced` labels whose members fall mostly in the same `free` cluster: each
    forced cluster goes to the free cluster holding most of its members, and every forced
    cluster of a free one is paired with the largest of them."""
    groups: dict[int, list[tuple[int, int]]] = {}
    for label in np.unique(forced[forced >= 0]):
        members = free[forced == label]
        home = int(np.bincount(members).argmax())
        groups.setdefault(home, []).append((len(members), int(label)))
    pairs = []
    for group in groups.values():
        (_, largest), *others = sorted(group, key=lambda g: (-g[0], g[1]))
        pairs += [(largest, label) for _, label in others]
    return sorted(pairs)
