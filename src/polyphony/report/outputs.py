"""Write one analysis to `DIR/<stem>/`: conversation.json, diarization.rttm, transcript.vtt,
metrics.json, metrics.csv, turns.csv and report.html. The folder is written whole, then
put in place in one step: an interrupted run leaves the old results or the new ones, never
a mix."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Any

from polyphony.conversation import Conversation, Participant
from polyphony.errors import InputError
from polyphony.files import check_writable, replacing_folder, write_json, write_text
from polyphony.formats import conversation_json, rttm, vtt
from polyphony.report import html, tables

OUTPUT_FILES = ("conversation.json", "diarization.rttm", "transcript.vtt", "metrics.json",
                "metrics.csv", "turns.csv", "report.html")
REPORT_FORMATS = ("html", "md", "pdf")  # what `polyphony report --format` writes


def report_name(fmt: str = "html", redacted: bool = False) -> str:
    """`report.html`, `report-deidentified.pdf`, ...: a report's name in a results folder."""
    return f"report{'-deidentified' if redacted else ''}.{fmt}"


REDACTED_NAME = report_name(redacted=True)
REDACTED_FILES = tuple(report_name(f, redacted=True) for f in REPORT_FORMATS)
# Every file polyphony writes in a results folder.
OWN_FILES = (*OUTPUT_FILES, *(report_name(f) for f in REPORT_FORMATS[1:]), *REDACTED_FILES)


def results_file(folder: Path, name: str = "conversation.json") -> Path:
    """`folder/name`, or the one-line error for a folder `analyze` did not write."""
    path = folder / name
    if not path.is_file():
        raise InputError(f"is not a polyphony results folder (it has no {name})",
                         path=folder, hint="give a folder that `polyphony analyze` wrote")
    return path


def output_dir(out: str | Path, stem: str, force: bool) -> Path:
    """The folder for one recording. Refuses to overwrite finished results unless forced,
    and to replace a folder that holds anything polyphony did not write (the recording
    itself, its consent manifest), even when forced: the folder is replaced whole. Fails at
    once if `out` cannot be written, not after the models have run."""
    folder = Path(out) / stem
    if folder.exists():
        if not force:
            raise InputError(f"results already exist in {folder}", path=folder,
                             hint="pass --force to overwrite them, or choose another --out")
        foreign = sorted(p.name for p in folder.iterdir() if p.name not in OWN_FILES)
        if foreign or not folder.is_dir():
            raise InputError(f"would be replaced by the results, but holds files polyphony "
                             f"did not write ({', '.join(foreign[:3]) or 'it is a file'})",
                             path=folder, hint="choose an --out folder of its own")
    check_writable(out)
    return folder


def write_all(folder: Path, stem: str, conv: Conversation, diarization: Conversation,
              metrics: dict[str, Any], deidentify: bool = False,
              people: Iterable[Participant] = ()) -> dict[str, Path]:
    """`diarization` is the raw overlap-aware diarization as a text-less Conversation.
    Whatever `folder` held is replaced, all at once, when every file is written."""
    title = "Network meeting" if deidentify else f"Network meeting: {stem}"
    with replacing_folder(folder) as staging:
        conversation_json.write(conv, staging / "conversation.json")
        rttm.write(diarization, staging / "diarization.rttm", stem)
        vtt.write(conv, staging / "transcript.vtt")
        write_json(staging / "metrics.json", metrics)
        write_text(staging / "metrics.csv", tables.participants_csv(metrics, stem))
        write_text(staging / "turns.csv", tables.turns_csv(conv, metrics, stem))
        write_text(staging / "report.html",
                   html.render(conv, metrics, title, deidentify, people))
    return {name: folder / name for name in OUTPUT_FILES}
