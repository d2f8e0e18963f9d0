"""How far the bounded clustering strays from the exact one on a long recording: DER of
the clustering alone, for several linkage limits and micro-cluster fractions.

    .venv/bin/python benchmarks/bounded_clustering.py [--minutes 120] [--work DIR]
        [--limits 500 1000 1500 2000 3000] [--fractions 0.2 0.3 0.5]

The example meeting is repeated to `--minutes` (as in `long_recording.py`) and pass one
of the streamed pipeline (segmentation and window embeddings, in 10-minute blocks) runs
once; it is kept in `--work` (about 14 MB per hour), so that a second run skips it (about
20 minutes for two hours here). Then the window embeddings are clustered exactly (one
linkage over all of them) and with `cluster.bounded_labels` forced through its
micro-cluster path at each limit, with the speaker count given (4) and free, and each
result is rebuilt into turns and scored against the reference. Re-segmentation and pause
filling are left out: this isolates the clustering.
"""

from __future__ import annotations

import argparse
import pickle
import tempfile
import time
from pathlib import Path

from long_recording import make_long

import polyphony  # noqa: F401  (offline environment first)
from polyphony import evaluate
from polyphony.audio import cluster, decode, diarize
from polyphony.conversation import Conversation, Utterance
from polyphony.formats import rttm


def pass_one(path: Path, pipeline) -> list:
    """The blocks' segmentations and window embeddings, from the cache beside `path` or
    computed and cached."""
    cache = path.with_suffix(".blocks.pkl")
    if cache.exists():
        return pickle.loads(cache.read_bytes())
    t = time.perf_counter()
    blocks = [diarize._segment_block(pipeline, w) for w in decode.stream(path, 600)]
    print(f"pass one: {time.perf_counter() - t:.0f} s", flush=True)
    cache.write_bytes(pickle.dumps(blocks))
    return blocks


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--minutes", type=float, default=120)
    parser.add_argument("--work", type=Path)
    parser.add_argument("--limits", type=int, nargs="+", default=[500, 1000, 1500, 2000, 3000])
    parser.add_argument("--fractions", type=float, nargs="+", default=[0.2, 0.3, 0.5])
    args = parser.parse_args()
    work = args.work or Path(tempfile.mkdtemp())
    work.mkdir(parents=True, exist_ok=True)
    path = work / f"long-{args.minutes:g}min.flac"
    if not path.exists():
        make_long(work, args.minutes)
    pipeline = diarize.load_pipeline()
    kept = pass_one(path, pipeline)
    reference = rttm.read(path.with_suffix(".rttm"))
    embeddings, segmentations = diarize._stacked([b for b in kept if b.embeddings is not None])
    train = pipeline.clustering.filter_embeddings(embeddings, segmentations=segmentations)[0]
    print(f"{args.minutes:g} min: {len(train)} window embeddings clustered")

    def scored(limit: int, count: diarize.SpeakerCount) -> str:
        turns = diarize._cluster_blocks(pipeline, kept, count, limit).overlap_aware
        hyp = Conversation.build(Utterance(t.speaker, t.start, t.end) for t in turns)
        return f"{evaluate.der(reference, hyp):6.1%} {len(hyp.speakers):3d}"

    header = f"{'linked at once':>14} {'fraction':>8} {'DER (4 given)':>13} {'free count':>13}"
    print(header)
    print("-" * len(header))
    given, free = diarize.SpeakerCount(num=4), diarize.SpeakerCount()
    exact = len(train) + 1
    print(f"{'all (exact)':>14} {'-':>8} {scored(exact, given):>13} "
          f"{scored(exact, free):>13}", flush=True)
    for fraction in args.fractions:
        cluster.MICRO_FRACTION = fraction
        for limit in args.limits:
            print(f"{limit:14d} {fraction:8.1f} {scored(limit, given):>13} "
                  f"{scored(limit, free):>13}", flush=True)


if __name__ == "__main__":
    main()
