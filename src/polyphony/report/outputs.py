"""Write one analysis to `DIR/<stem>/`: conversation.json, diarization.rttm, transcript.vtt,
metrics.json and report.html, each atomically."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from polyphony.conversation import Conversation
from polyphony.errors import InputError
from polyphony.files import write_json, write_text
from polyphony.formats import conversation_json, rttm, vtt
from polyphony.report import html

OUTPUT_FILES = ("conversation.json", "diarization.rttm", "transcript.vtt", "metrics.json",
                "report.html")


def output_dir(out: str | Path, stem: str, force: bool) -> Path:
    """The folder for one recording; refuses to overwrite finished results unless forced."""
    folder = Path(out) / stem
    if not force and (folder / "metrics.json").exists():
        raise InputError(f"results already exist in {folder}", path=folder,
                         hint="pass --force to overwrite them, or choose another --out")
    return folder


def write_all(folder: Path, stem: str, conv: Conversation, diarization: Conversation,
              metrics: dict[str, Any], deidentify: bool = False) -> dict[str, Path]:
    """`diarization` is the raw overlap-aware diarization as a text-less Conversation."""
    folder.mkdir(parents=True, exist_ok=True)
    title = "Network meeting" if deidentify else f"Network meeting: {stem}"
    return {
        "conversation.json": conversation_json.write(conv, folder / "conversation.json"),
        "diarization.rttm": rttm.write(diarization, folder / "diarization.rttm", stem),
        "transcript.vtt": vtt.write(conv, folder / "transcript.vtt"),
        "metrics.json": write_json(folder / "metrics.json", metrics),
        "report.html": write_text(folder / "report.html",
                                  html.render(conv, metrics, title, deidentify)),
    }
