"""Peak memory and accuracy on long recordings: streamed in blocks beside whole-file
processing, side by side.

    .venv/bin/python benchmarks/long_recording.py [--minutes 3 12] [--block 60] [--streamed-only]

A long meeting is made by repeating the example meeting (82 s, 4 voices) end to end, with
its reference shifted to match, so the same four voices speak throughout. Each
configuration runs `polyphony.audio.pipeline.analyze` (the full pipeline: diarization,
re-segmentation, transcription, attribution) in a fresh process, which reports its own
peak resident memory (ru_maxrss), so runs do not share caches or heap. "whole" processes
the recording as one block (what polyphony did before streaming, and what pyannote's
`apply` does); "blocks" streams it in blocks of about `--block` seconds. `--streamed-only`
skips "whole", to follow the streamed peak to lengths where whole-file processing would
take too long here.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import soundfile as sf

import polyphony  # noqa: F401  (offline environment first)
from polyphony import consent, evaluate
from polyphony.conversation import Conversation, Utterance
from polyphony.formats import rttm, stm
from polyphony.roster import load as load_roster

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "examples" / "network-meeting"


def make_long(folder: Path, minutes: float) -> Path:
    """The example repeated to at least `minutes`, with consent and both references."""
    from polyphony.audio.decode import decode

    one = decode(EXAMPLE / "network-meeting.flac")
    repeats = int(np.ceil(minutes * 60 / one.duration))
    name = f"long-{minutes:g}min"
    path = folder / f"{name}.flac"
    sf.write(path, np.tile(one.samples, repeats), one.sample_rate)
    for kind, module in (("rttm", rttm), ("stm", stm)):
        ref = module.read(EXAMPLE / f"reference.{kind}")
        shifted = [Utterance(u.speaker, u.start + k * one.duration, u.end + k * one.duration,
                             u.text) for k in range(repeats) for u in ref.utterances]
        module.write(Conversation.build(shifted, ref.participants,
                                        provenance=ref.provenance), folder / f"{name}.{kind}")
    people = [(p.id, p.role) for p in load_roster(EXAMPLE / "roster.toml").participants]
    (folder / f"{name}.consent.toml").write_text(consent.manifest_text(
        name, {path.name: None}, people, dt.date.today(),
        dt.date.today() + dt.timedelta(days=1)), encoding="utf-8")
    return path


def one_run(path: Path, block: float) -> None:
    """Child process: analyse, score, and print one JSON line."""
    from polyphony.audio.diarize import SpeakerCount
    from polyphony.audio.pipeline import Settings, analyze

    t = time.perf_counter()
    analysis = analyze(path, settings=Settings(count=SpeakerCount(num=4), device="cpu",
                                               block_seconds=block))
    seconds = time.perf_counter() - t
    conv = analysis.conversation
    hyp = Conversation.build(Utterance(d.speaker, d.start, d.end)
                             for d in analysis.diarization.overlap_aware)
    ref = rttm.read(path.with_suffix(".rttm"))
    ref_text = stm.read(path.with_suffix(".stm"))
    print(json.dumps({
        "seconds": seconds, "audio": conv.duration,
        "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        "der": evaluate.der(ref, hyp), "jer": evaluate.jer(ref, hyp),
        "cpwer": evaluate.cpwer(ref_text, conv),
        "speakers": len(hyp.speakers)}))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--minutes", type=float, nargs="+", default=[3, 12])
    parser.add_argument("--block", type=float, default=60.0)
    parser.add_argument("--streamed-only", action="store_true")
    parser.add_argument("--one", nargs=2, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one:
        one_run(Path(args.one[0]), float(args.one[1]))
        return
    header = (f"{'audio min':>9} {'mode':16} {'peak MB':>8} {'time s':>7} {'RTF':>5} "
              f"{'DER':>6} {'JER':>6} {'cpWER':>6} {'spk':>3}")
    print(header)
    print("-" * len(header))
    with tempfile.TemporaryDirectory() as tmp:
        for minutes in args.minutes:
            path = make_long(Path(tmp), minutes)
            modes = {"whole": 1e9, f"blocks of {args.block:g} s": args.block}
            if args.streamed_only:
                del modes["whole"]
            peaks = {}
            for mode, block in modes.items():
                out = subprocess.run([sys.executable, __file__, "--one", str(path), str(block)],
                                     capture_output=True, text=True, check=True)
                r = json.loads(out.stdout.strip().splitlines()[-1])
                peaks[mode] = r["peak_mb"]
                print(f"{r['audio'] / 60:9.1f} {mode:16} {r['peak_mb']:8.0f} "
                      f"{r['seconds']:7.0f} {r['seconds'] / r['audio']:5.2f} {r['der']:6.1%} "
                      f"{r['jer']:6.1%} {r['cpwer']:6.1%} {r['speakers']:3d}", flush=True)
            if len(peaks) == 2:
                whole, streamed = peaks.values()
                print(f"{'':9} {'blocks / whole':16} {streamed / whole:8.2f}")


if __name__ == "__main__":
    main()
