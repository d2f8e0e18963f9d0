"""Batch throughput: `polyphony batch` with 1 and 2 workers beside one `polyphony analyze`
per file, side by side on the same recordings.

    .venv/bin/python benchmarks/batch_throughput.py [--recordings 8] [--seconds 15]

The recordings are cut from the example meeting and the development set (real speech of
4, 6, 3 and 2 voices) into clips of `--seconds`, each with a consent manifest. Each
configuration runs as its own process tree, in turn, into an empty output folder:

- "analyze per file": `polyphony analyze CLIP --out DIR` once per clip, as a shell loop
  would (the models load every time);
- "batch, 1 worker" and "batch, 2 workers": `polyphony batch FOLDER --out DIR`.

Reported: wall time, recordings per hour, audio hours per hour, CPU utilisation (the
process tree's user + system CPU time over wall time times the cores this process may use,
from `getrusage(RUSAGE_CHILDREN)`), and each one's time over batch with 1 worker. The
model-loading time saved is "analyze per file" minus "batch, 1 worker".
"""

from __future__ import annotations

import argparse
import datetime as dt
import platform
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import soundfile as sf

import polyphony  # noqa: F401  (offline environment first)
from polyphony import consent
from polyphony.audio.decode import decode
from polyphony.audio.engines import cores

ROOT = Path(__file__).resolve().parents[1]
SOURCES = [ROOT / "examples" / "network-meeting" / "network-meeting.flac",
           *sorted((ROOT / "examples" / "devset").glob("*/*.flac"))]
POLYPHONY = [sys.executable, "-m", "polyphony"]


def make_clips(folder: Path, count: int, seconds: float) -> list[Path]:
    """`count` clips of `seconds`, taken in turn from each source, start to end."""
    audio = [decode(s).samples for s in SOURCES]
    clips, offsets, n = [], [0] * len(audio), int(16000 * seconds)
    while len(clips) < count:
        progressed = False
        for i, samples in enumerate(audio):
            if len(clips) == count or offsets[i] + n > len(samples):
                continue
            path = folder / f"{SOURCES[i].stem}-{offsets[i] // 16000:03d}.flac"
            sf.write(path, samples[offsets[i]:offsets[i] + n], 16000)
            clips.append(path)
            offsets[i] += n
            progressed = True
        if not progressed:
            raise SystemExit(f"the sources hold fewer than {count} clips of {seconds} s")
    today = dt.date.today()
    (folder / "consent.toml").write_text(consent.manifest_text(
        "batch-benchmark", dict.fromkeys(c.name for c in clips), [("a", "other")],
        today, today + dt.timedelta(days=30), ("recording", "analysis")))
    return clips


def timed(commands: list[list[str]]) -> tuple[float, float]:
    """Wall seconds and CPU seconds (user + system) of running `commands` in turn."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    for command in commands:
        subprocess.run(command, check=False, stdout=subprocess.DEVNULL,
                       stderr=subprocess.DEVNULL)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--recordings", type=int, default=8)
    parser.add_argument("--seconds", type=float, default=15.0)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        clips_dir = work / "clips"
        clips_dir.mkdir()
        clips = make_clips(clips_dir, args.recordings, args.seconds)
        runs = {
            "analyze per file": [[*POLYPHONY, "analyze", str(c), "--out",
                                  str(work / "each"), "--quiet"] for c in clips],
            "batch, 1 worker": [[*POLYPHONY, "batch", str(clips_dir), "--out",
                                 str(work / "one"), "--quiet"]],
            "batch, 2 workers": [[*POLYPHONY, "batch", str(clips_dir), "--out",
                                  str(work / "two"), "--workers", "2", "--quiet"]],
        }
        results = {label: timed(commands) for label, commands in runs.items()}
        done = {label: len(list((work / folder).glob("*/conversation.json")))
                for label, folder in zip(runs, ("each", "one", "two"), strict=True)}
    audio_hours = args.recordings * args.seconds / 3600
    base = results["batch, 1 worker"][0]
    print(f"# Batch throughput, {dt.date.today()}, {platform.node()} ({cores()} cores), "
          f"{args.recordings} recordings of {args.seconds:g} s\n")
    print("| run | done | wall s | recordings/h | audio h/h | CPU use | time / batch 1 |")
    print("|---|---|---|---|---|---|---|")
    for label, (wall, cpu) in results.items():
        print(f"| {label} | {done[label]} | {wall:.1f} | {args.recordings / wall * 3600:.0f} "
              f"| {audio_hours / wall * 3600:.1f} | {cpu / (wall * cores()):.0%} "
              f"| {wall / base:.2f} |")
    saved = results["analyze per file"][0] - base
    print(f"\nmodel loading saved by one batch against one analyze per file: {saved:.1f} s "
          f"({saved / args.recordings:.1f} s per recording)")


if __name__ == "__main__":
    main()
