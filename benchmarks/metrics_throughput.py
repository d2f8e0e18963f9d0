"""Metrics throughput on this machine, printed beside a peer run side by side.

    .venv/bin/python benchmarks/metrics_throughput.py

1. Timing metrics (METRICS.md §1, §2, §5, §6: every metric that needs no text) over every
   AMI train/dev RTTM (only_words flavour), against pyannote.core computing only speaking
   time per speaker and overlapped time on the same files (the peer).
2. Full metrics, responsiveness included, over all 133 AnnoMI transcripts: once cold (the
   language caches empty, models already loaded; `compute_many`, which sends every turn
   text through spaCy and the encoder in one batch) and once warm (every text cached).
Goals (issue 3): all of AMI's timing metrics in under 2 s; at least 500 utterances/s for
the full metrics.
"""

from __future__ import annotations

import time
from pathlib import Path

import polyphony  # noqa: F401  (offline environment first)
from polyphony import language
from polyphony.formats import annomi, read
from polyphony.metrics import compute_many, compute_metrics

DATA = Path(__file__).resolve().parents[2] / "shared" / "data"


def pyannote_peer(convs) -> None:
    for conv in convs:
        annotation = conv.to_annotation()
        for label in annotation.labels():
            annotation.label_duration(label)
        annotation.get_overlap().duration()


def rate(label: str, seconds: float, conversations: int, utterances: int) -> None:
    print(f"{label:46} {seconds:7.2f} s {conversations / seconds:9.1f} conv/s "
          f"{utterances / seconds:10.0f} utt/s")


def main() -> None:
    files = sorted((DATA / "ami" / "only_words" / "rttms").glob("*/*.rttm"))
    convs = [read(f) for f in files]
    n_utts = sum(len(c.utterances) for c in convs)
    print(f"AMI: {len(convs)} RTTMs, {n_utts} segments")
    t = time.perf_counter()
    for conv in convs:
        compute_metrics(conv)
    ours = time.perf_counter() - t
    t = time.perf_counter()
    pyannote_peer(convs)
    peer = time.perf_counter() - t
    rate("polyphony timing metrics (all of them)", ours, len(convs), n_utts)
    rate("pyannote.core: speaking time + overlap only", peer, len(convs), n_utts)
    print(f"{'ratio polyphony / pyannote.core time':46} {ours / peer:7.2f}")

    t = time.perf_counter()
    transcripts = list(annomi.read_all(DATA / "annomi" / "AnnoMI-simple.csv").values())
    parse = time.perf_counter() - t
    n_utts = sum(len(c.utterances) for c in transcripts)
    print(f"\nAnnoMI: {len(transcripts)} transcripts, {n_utts} utterances "
          f"(parsed in {parse:.2f} s)")
    t = time.perf_counter()
    language.analyse(["Is this loaded?"])
    language.embed(["Is this loaded?"])
    print(f"{'model loading (spaCy + MiniLM), once':46} {time.perf_counter() - t:7.2f} s")
    t = time.perf_counter()
    compute_many(transcripts)
    rate("full metrics, cold caches (compute_many)", time.perf_counter() - t,
         len(transcripts), n_utts)
    t = time.perf_counter()
    for conv in transcripts:
        compute_metrics(conv)
    rate("full metrics, warm caches", time.perf_counter() - t, len(transcripts), n_utts)


if __name__ == "__main__":
    main()
