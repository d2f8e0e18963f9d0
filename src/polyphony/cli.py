"""The `polyphony` command: parse arguments, call the library, print. No logic of its own.

Exit codes: 0 all inputs done, 1 some input failed (the others still ran), 2 usage error.
A user's mistake prints one line naming the file, the problem and what to do, with no
traceback.
"""

from __future__ import annotations

import sys
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click
from rich.console import Console
from rich.markup import escape

from polyphony.batch import EXECUTORS
from polyphony.errors import PolyphonyError, UsageError
from polyphony.formats import ALIASES
from polyphony.formats import READERS as FORMATS

if TYPE_CHECKING:  # imported where used: `polyphony --help` loads no model library
    from polyphony.audio.pipeline import Settings
    from polyphony.batch.run import Batch

_err = Console(stderr=True, highlight=False)


def _fail(error: PolyphonyError) -> None:
    _err.print(f"[red]error[/red]: {escape(str(error))}", markup=True, soft_wrap=True)


def _failed(error: PolyphonyError, trace: str | None) -> None:
    """One input's failure; a bug's traceback too, since it is ours to fix."""
    if trace:
        _err.print(trace, markup=False, highlight=False, soft_wrap=True)
    _fail(error)


def _write_json_output(output: str | None, data: object) -> None:
    """`-o/--output`: `data` as JSON to that file (atomically), to stdout for '-', or
    nowhere when not given."""
    from polyphony.files import json_text, write_json

    if output == "-":
        click.echo(json_text(data), nl=False)
    elif output:
        write_json(output, data)


def _wrote(write: Callable[[], Path]) -> None:
    """Run a command that writes one file: say where, or fail with one line, exit 1."""
    try:
        path = write()
    except PolyphonyError as error:
        _fail(error)
        sys.exit(1)
    click.echo(f"wrote {path}")


def _notes(path: Path, notes: tuple[str, ...]) -> None:
    """How a file was read (tiers, channels, tracks), on stderr."""
    for note in notes:
        _err.print(f"{path.name}: {note}", markup=False, highlight=False, soft_wrap=True)


def _warn_unchecked(skipped: bool) -> None:
    """`--no-consent-check` is never quiet, not even with --quiet."""
    if skipped:
        from polyphony.consent import NO_CHECK_WARNING

        _err.print(f"[bold red]WARNING[/bold red]: {NO_CHECK_WARNING}", soft_wrap=True)


def _quiet_libraries() -> None:
    """pyannote warns that torchcodec is missing on every import; polyphony never uses it
    (audio is decoded with PyAV and handed over in memory)."""
    warnings.filterwarnings("ignore", message=r".*torchcodec.*")
    warnings.filterwarnings("ignore", category=UserWarning, module=r"pyannote\..*")
    warnings.filterwarnings("ignore", category=UserWarning, module=r"torchaudio\..*")


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="polyphony")
def main() -> None:
    """Conversation analysis for recorded network meetings: every voice, heard."""
    _quiet_libraries()


_ANALYSIS_OPTIONS = (
    click.option("--num-speakers", type=int, help="Exact number of speakers."),
    click.option("--min-speakers", type=int, help="At least this many speakers."),
    click.option("--max-speakers", type=int, help="At most this many speakers."),
    click.option("--device", type=click.Choice(["auto", "cpu", "cuda"]), default="auto",
                 show_default=True),
    click.option("--asr-model", default="whisper-tiny-en", show_default=True,
                 help="Bundled model name or a local CTranslate2 Whisper directory; with "
                      "--asr-engine openai-whisper, a .pt checkpoint file."),
    click.option("--asr-engine", type=click.Choice(["faster-whisper", "openai-whisper"]),
                 default="faster-whisper", show_default=True,
                 help="Transcription engine; openai-whisper needs its extra "
                      "(docs/transcription.md)."),
    click.option("--language", help="Spoken language (default: detected, or English for "
                                    ".en models)."),
    click.option("--diarization-pipeline", type=click.Path(path_type=Path),
                 help="A local pyannote pipeline directory to use instead of the bundled "
                      "one."),
    click.option("--resegment/--no-resegment", default=True, show_default=True,
                 help="Re-embed each diarized segment whole and move it to the nearest "
                      "speaker (see docs/diarization.md)."),
    click.option("--min-pause", type=click.FloatRange(0.0, 2.0), default=0.3,
                 show_default=True, help="A speaker's silences shorter than this, with "
                                         "nobody else speaking, count as their speech (0 "
                                         "keeps all)."),
    click.option("--segmentation-step", type=click.FloatRange(0.05, 1.0), default=0.25,
                 show_default=True, help="Hop between 10 s segmentation windows, as a "
                                         "fraction of the window: 0.5 is about 1.6x faster, "
                                         "less exact."),
    click.option("--block-minutes", type=click.FloatRange(min=1.0), default=10.0,
                 show_default=True, help="Long recordings are processed in blocks of about "
                                         "this length; memory grows with it, not the "
                                         "recording."),
    click.option("--split-channels", is_flag=True,
                 help="Each channel holds one speaker (a headset each, a two-channel call): "
                      "diarize by channel, as speakers C1, C2, ..."),
    click.option("--deidentify", "--redact", "deidentify", is_flag=True,
                 help="HTML report names roles, not people, with names, places, dates, ages "
                      "and numbers replaced in the transcript (best effort: check it before "
                      "sharing), to be shared; needs everyone's sharing consent."),
    click.option("--no-consent-check", is_flag=True,
                 help="Skip the consent check, for public corpora only. Said loudly, and "
                      "recorded in the results and every report."),
)


def _analysis_options(command: Callable[..., None]) -> Callable[..., None]:
    """The options `analyze` and `batch` share: how each recording is analysed."""
    for option in reversed(_ANALYSIS_OPTIONS):
        command = option(command)
    return command


def _settings(options: dict[str, Any]) -> Settings:
    """The `Settings` the shared options give (`_analysis_options`); exits 2 on a usage
    error."""
    from polyphony.audio.diarize import SpeakerCount
    from polyphony.audio.pipeline import Settings, resolve_device

    counts = (options["num_speakers"], options["min_speakers"], options["max_speakers"])
    pipeline = options["diarization_pipeline"]
    try:
        if options["split_channels"] and any(counts):
            raise UsageError("--split-channels takes one speaker per channel; "
                             "--num-speakers, --min-speakers and --max-speakers do not apply")
        return Settings(
            count=SpeakerCount(*counts), device=resolve_device(options["device"]),
            asr_model=options["asr_model"], asr_engine=options["asr_engine"],
            language=options["language"],
            diarization_pipeline=str(pipeline) if pipeline else None,
            resegment=options["resegment"], min_pause=options["min_pause"],
            segmentation_step=options["segmentation_step"],
            block_seconds=60.0 * options["block_minutes"],
            split_channels=options["split_channels"])
    except PolyphonyError as error:
        _fail(error)
        sys.exit(2)


@main.command()
@click.argument("audio", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--out", "out", required=True, type=click.Path(path_type=Path),
              help="Folder for results; each recording gets OUT/<stem>/.")
@click.option("--roster", type=click.Path(path_type=Path),
              help="roster.toml: who was present, their roles (and voices, once mapped).")
@click.option("--consent", type=click.Path(path_type=Path),
              help="Consent record covering the recordings (default: <stem>.consent.toml "
                   "or consent.toml beside each recording).")
@_analysis_options
@click.option("--force", is_flag=True, help="Overwrite existing results.")
@click.option("--quiet", is_flag=True, help="Print errors only.")
def analyze(audio: tuple[Path, ...], out: Path, roster: Path | None, consent: Path | None,
            force: bool, quiet: bool, **options: Any) -> None:
    """Transcribe, diarize and measure each AUDIO recording.

    Writes conversation.json, diarization.rttm, transcript.vtt, metrics.json and
    report.html for each recording. One bad recording never stops the others. Each
    recording needs a consent manifest granting analysis from everyone it lists
    (docs/privacy.md).
    """
    from polyphony import roster as roster_mod
    from polyphony.analyze import analyze_all
    from polyphony.report.cards import cards as voice_cards
    from polyphony.report.terminal import print_summary

    settings = _settings(options)
    deidentify, no_consent_check = options["deidentify"], options["no_consent_check"]
    try:
        loaded = roster_mod.load(roster) if roster else None
    except PolyphonyError as error:
        _fail(error)
        sys.exit(2)

    _warn_unchecked(no_consent_check)
    console = Console(quiet=quiet)
    failed = 0
    with console.status("", spinner="dots") as status:
        for outcome in analyze_all(
                audio, out, roster=loaded, settings=settings, consent_file=consent,
                force=force, deidentify=deidentify, check_consent=not no_consent_check,
                starting=lambda p: status.update(f"analysing {escape(str(p))}")):
            if outcome.result is None:
                _failed(outcome.error, outcome.trace)
                failed += 1
                continue
            result, path = outcome.result, outcome.recording
            analysis = result.analysis
            if not quiet:
                _notes(path, analysis.conversation.provenance.notes)
            print_summary(result.metrics,
                          f"{path.name} ({analysis.conversation.duration:.0f} s, "
                          f"real-time factor {analysis.real_time_factor:.2f})", console,
                          voice_cards(analysis.conversation, {
                              pid: p["speaking_time"]
                              for pid, p in result.metrics["participants"].items()}))
            console.print(f"results in {result.folder}/ (open {result.files['report.html']})",
                          markup=False)
    sys.exit(1 if failed else 0)


@main.command()
@click.argument("source", type=click.Path(path_type=Path))
@click.option("--out", "out", required=True, type=click.Path(path_type=Path),
              help="The batch folder: its catalogue.sqlite, and OUT/<name>/ per recording.")
@click.option("--workers", type=click.IntRange(min=1), default=1, show_default=True,
              help="Recordings analysed at once; the cores are shared out between them.")
@click.option("--executor", type=click.Choice(EXECUTORS), default="local",
              show_default=True, help="Worker processes here, or Ray actors.")
@click.option("--ray-address", help="A Ray cluster to run on (default: a local Ray, "
                                    "started and stopped by the batch).")
@click.option("--retry-failed", is_flag=True, help="Run again what failed before.")
@_analysis_options
@click.option("--quiet", is_flag=True, help="Print errors and the summary only.")
def batch(source: Path, out: Path, workers: int, executor: str, ray_address: str | None,
          retry_failed: bool, quiet: bool, **options: Any) -> None:
    """Analyse every recording of SOURCE (a folder, or a manifest CSV with columns path,
    meeting_id, network_id, date, roster, consent) into OUT, resumably.

    What is done and unchanged is skipped; a killed run resumes where it stopped; one bad
    recording never stops the others. Each recording's roster is the manifest's, or
    <stem>.roster.toml or roster.toml beside it (docs/batch.md).
    """
    from polyphony.batch.run import Batch

    settings = _settings(options)
    _warn_unchecked(options["no_consent_check"])
    console = Console(stderr=True, quiet=quiet)
    try:
        with Batch(source, out, settings=settings, retry_failed=retry_failed,
                   deidentify=options["deidentify"],
                   check_consent=not options["no_consent_check"]) as planned:
            counts, reasons = _run_batch(planned, console, workers, executor, ray_address)
    except PolyphonyError as error:
        _fail(error)
        sys.exit(2)
    except KeyboardInterrupt:
        _err.print("interrupted: what was done is kept; the same command resumes the batch",
                   markup=False, soft_wrap=True)
        sys.exit(130)
    _batch_summary(counts, reasons, out)
    sys.exit(1 if counts["failed"] or counts["not retried"] else 0)


def _run_batch(planned: Batch, console: Console, workers: int, executor: str,
               ray_address: str | None) -> tuple[dict[str, int], dict[str, list[str]]]:
    """Each outcome as it comes, under a progress bar with an ETA over the recordings to
    analyse (none off a terminal or with --quiet); the counts, and the failures (new or
    not retried) by problem."""
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TimeElapsedColumn,
        TimeRemainingColumn,
    )

    counts = dict.fromkeys(("done", "failed", "skipped", "not retried"), 0)
    reasons: dict[str, list[str]] = {}
    progress = Progress("analysing", BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                        "ETA", TimeRemainingColumn(), console=console,
                        disable=console.quiet or not console.is_terminal)
    errors = _err if console.quiet else progress.console  # errors even with --quiet
    with progress:
        task = progress.add_task("recordings", total=len(planned.todo))
        for outcome in planned.run(workers, executor, ray_address):
            counts[outcome.status] += 1
            if outcome.status in ("failed", "not retried"):
                reasons.setdefault(outcome.problem or "failed", []).append(outcome.name)
            if outcome.status == "failed":
                errors.print(f"[red]failed[/red]: {escape(outcome.reason or '')}",
                             soft_wrap=True)
            if outcome.seconds is not None:
                progress.advance(task)
    return counts, reasons


def _batch_summary(counts: dict[str, int], reasons: dict[str, list[str]], out: Path) -> None:
    """Done, failed, skipped and not retried, with the failures grouped by what went
    wrong."""
    from polyphony.batch.catalogue import NAME

    parts = [f"{counts['done']} done", f"{counts['failed']} failed",
             f"{counts['skipped']} skipped"]
    if counts["not retried"]:
        parts.append(f"{counts['not retried']} failed before and not retried "
                     "(--retry-failed runs them again)")
    if not counts["done"] and not counts["failed"]:
        parts.append("nothing to do: nothing changed since the last run")
    click.echo(f"{', '.join(parts)} (catalogue: {out / NAME})")
    for problem, names in sorted(reasons.items(), key=lambda kv: -len(kv[1])):
        shown = ", ".join(names[:5]) + (f" and {len(names) - 5} more" if len(names) > 5 else "")
        click.echo(f"  {len(names)} x {problem}: {shown}")


@main.command()
@click.argument("input", type=click.Path(path_type=Path))
@click.option("--roster", type=click.Path(path_type=Path),
              help="roster.toml mapping speaker labels to participants and roles.")
@click.option("--format", "format_", type=click.Choice(sorted([*FORMATS, *ALIASES])),
              help="Input format (default: detected from the file).")
@click.option("--tiers", help="ELAN or TextGrid tiers to read, as names or glob patterns "
                              "separated by commas (default: the tiers that look like "
                              "speech).")
@click.option("--recording", help="Which recording of a file that holds several (the file "
                                  "id of an RTTM, STM or UEM; the transcript id of an AnnoMI "
                                  "CSV).")
@click.option("--transcript", hidden=True, help="Old name of --recording for AnnoMI CSVs.")
@click.option("--uem", type=click.Path(path_type=Path), help="UEM file giving the region of "
              "an RTTM.")
@click.option("-o", "--output", help="Write metrics.json here; '-' writes it to stdout "
              "(and the summary to stderr).")
@click.option("--quiet", is_flag=True, help="No summary, and no notes on how the file was "
                                            "read.")
def metrics(input: Path, roster: Path | None, format_: str | None, tiers: str | None,
            recording: str | None, transcript: str | None, uem: Path | None,
            output: str | None, quiet: bool) -> None:
    """Compute the polyphony metrics of a transcript or diarization file.

    Reads RTTM, STM, WebVTT, SubRip, ELAN, TextGrid, CHAT, Whisper-family JSON (WhisperX,
    whisper-ctranslate2, openai-whisper, insanely-fast-whisper), AnnoMI-style CSV or
    conversation.json. Without a roster the participants are the speakers found, with role
    `other`. How the file was read (which tiers as whom, what was left out) is printed on
    stderr.
    """
    from polyphony import roster as roster_mod
    from polyphony.formats import canonical, detect, read, select
    from polyphony.metrics import compute_metrics
    from polyphony.report.terminal import print_summary

    try:
        fmt = canonical(format_) if format_ else detect(input)
        chosen = recording or transcript
        options = {"tiers": select.patterns(tiers), "uem": uem,
                   "transcript" if fmt == "csv" else "recording": chosen}
        loaded = roster_mod.load(roster) if roster else None
        conv = roster_mod.apply(read(input, fmt, **options), loaded)
        result = compute_metrics(conv, expected_speakers=len(loaded) if loaded else None)
        _write_json_output(output, result)
    except PolyphonyError as error:
        _fail(error)
        sys.exit(2 if isinstance(error, UsageError) else 1)
    if not quiet:
        _notes(input, conv.provenance.notes)
        print_summary(result, input.name, Console(stderr=output == "-"))


@main.command()
@click.argument("hypothesis", type=click.Path(path_type=Path))
@click.argument("reference", type=click.Path(path_type=Path))
@click.option("--reference-text", type=click.Path(path_type=Path),
              help="A separate reference transcript (STM, ...) for WER when REFERENCE is an "
                   "RTTM.")
@click.option("--collar", type=float, default=0.25, show_default=True,
              help="Forgiveness collar in seconds around reference boundaries.")
@click.option("--skip-overlap", is_flag=True, help="Do not score overlapped speech (DER).")
@click.option("--recording", help="Which recording to score, in files that hold several "
                                  "(RTTM, STM).")
@click.option("-o", "--output", help="Also write the scores as JSON here ('-': stdout).")
def evaluate(hypothesis: Path, reference: Path, reference_text: Path | None, collar: float,
             skip_overlap: bool, recording: str | None, output: str | None) -> None:
    """Score HYPOTHESIS against REFERENCE: DER (missed, false alarm, confusion), JER, WER,
    cpWER, speaker-count error and speakers found.

    Both may be any format `polyphony metrics` reads (a results folder's conversation.json
    or diarization.rttm, an RTTM, STM, ...).
    """
    from dataclasses import asdict

    from polyphony import evaluate as ev
    from polyphony.formats import accepts, detect, read

    try:
        def load(path: Path):
            fmt = detect(path)
            return read(path, fmt, recording=recording if accepts(fmt, "recording") else None)

        hyp, ref = load(hypothesis), load(reference)
        text = load(reference_text) if reference_text else None
        scores = ev.score(ref, hyp, collar, text, skip_overlap)
        _write_json_output(output, asdict(scores))
    except PolyphonyError as error:
        _fail(error)
        sys.exit(1)
    if output == "-":
        return

    def pct(value: float | None) -> str:
        return "—" if value is None else f"{value:.1%}"

    overlap = "not scored" if skip_overlap else "scored"
    Console().print(
        f"DER {pct(scores.der)} (collar {collar} s, overlap {overlap}: missed "
        f"{pct(scores.parts.missed)}, false alarm {pct(scores.parts.false_alarm)}, confusion "
        f"{pct(scores.parts.confusion)})  JER {pct(scores.jer)}"
        f"  WER {pct(scores.wer)}  cpWER {pct(scores.cpwer)}  speaker count error "
        f"{scores.speaker_count_error:+d}  speakers found {scores.speakers_found}/"
        f"{scores.reference_speakers}", highlight=False)


@main.command()
@click.argument("results", type=click.Path(path_type=Path))
@click.option("--format", "format_", type=click.Choice(["html", "md", "pdf"]), default="html",
              show_default=True, help="pdf is printed by headless Chromium.")
@click.option("--redact", is_flag=True,
              help="The page for an Action Learning Set: roles, not names; the transcript "
                   "with names, places, dates, ages and numbers replaced (best effort: "
                   "check it before sharing). "
                   "Needs everyone's sharing consent; written to report-deidentified.html.")
@click.option("--consent", type=click.Path(path_type=Path),
              help="The meeting's consent manifest (default: the one that allowed the "
                   "analysis, read again).")
@click.option("--no-consent-check", is_flag=True,
              help="Skip the sharing check, for public corpora only; the page says so.")
@click.option("--roster", type=click.Path(path_type=Path),
              help="roster.toml whose names --redact also replaces (the consent manifest's "
                   "and the conversation's people always are).")
@click.option("-o", "--output", type=click.Path(path_type=Path),
              help="Write the page here instead.")
def report(results: Path, format_: str, redact: bool, consent: Path | None,
           no_consent_check: bool, roster: Path | None, output: Path | None) -> None:
    """Write the report of a RESULTS folder (or of its conversation.json) again: HTML,
    Markdown or PDF; de-identified for sharing with --redact."""
    from polyphony import roster as roster_mod
    from polyphony.report.rebuild import report_results

    if redact:
        _warn_unchecked(no_consent_check)
    _wrote(lambda: report_results(results, redact=redact, consent_file=consent,
                                  check_consent=not no_consent_check, output=output,
                                  fmt=format_,
                                  roster=roster_mod.load(roster) if roster else None))


@main.command()
@click.argument("results", type=click.Path(path_type=Path))
@click.option("--roster", required=True, type=click.Path(path_type=Path),
              help="roster.toml naming the voices (speaker = \"S2\" or a list, to merge) "
                   "and [[not_participant]] voices to leave out.")
@click.option("--quiet", is_flag=True, help="Print errors only.")
def relabel(results: Path, roster: Path, quiet: bool) -> None:
    """Name, merge or leave out the voices of a RESULTS folder, and write every output
    again: from conversation.json alone, no audio and no audio model."""
    from polyphony import roster as roster_mod
    from polyphony.relabel import relabel_results
    from polyphony.report.cards import cards as voice_cards
    from polyphony.report.terminal import print_summary

    try:
        done = relabel_results(results, roster_mod.load(roster))
    except PolyphonyError as error:
        _fail(error)
        sys.exit(1)
    console = Console(quiet=quiet)
    for change in done.conversation.provenance.corrections:
        console.print(f"corrected: {change}", markup=False, highlight=False)
    print_summary(done.metrics, f"{results.name} (corrected)", console, voice_cards(
        done.conversation, {pid: p["speaking_time"]
                            for pid, p in done.metrics["participants"].items()}))


@main.command()
@click.argument("results", type=click.Path(path_type=Path))
@click.option("--format", "format_", type=click.Choice(["eaf", "textgrid", "csv", "parquet"]),
              default="eaf", show_default=True,
              help="ELAN or Praat, for one RESULTS folder; csv or parquet: tidy tables of "
                   "every meeting in a batch folder (or a folder of results).")
@click.option("-o", "--output", type=click.Path(path_type=Path),
              help="Where to write it (default: <name>.eaf or .TextGrid beside RESULTS, "
                   "outside it: the results folder is replaced whole by relabel and "
                   "analyze --force; tables go to DIR/tables/ in a batch folder, else "
                   "beside it as <DIR>-tables/).")
def export(results: Path, format_: str, output: Path | None) -> None:
    """Write a RESULTS folder's conversation for correction by hand in ELAN or Praat: one
    tier per participant, with the link to the recording kept, so that `polyphony metrics
    EDITED` gives the corrected numbers for the same recording. With csv or parquet, write
    the meetings, participants, turns, utterances and flags tables of a batch
    (docs/tables.md)."""
    if format_ in ("csv", "parquet"):
        _export_tables(results, format_, output)
        return
    from polyphony.formats import conversation_json, write

    suffix = ".eaf" if format_ == "eaf" else ".TextGrid"
    _wrote(lambda: write(conversation_json.read(results / "conversation.json"),
                         output or results.parent / f"{results.name}{suffix}", format_))


def _export_tables(root: Path, fmt: str, output: Path | None) -> None:
    from polyphony.batch import tables

    try:
        collected = tables.collect(root)
        written = tables.write(collected, output or tables.default_folder(root), fmt)
    except PolyphonyError as error:
        _fail(error)
        sys.exit(1)
    for skipped in collected.skipped:
        _err.print(f"left out {skipped}", markup=False, highlight=False, soft_wrap=True)
    n = collected.meetings
    click.echo(f"wrote {len(written)} tables of {n} meeting{'s' * (n != 1)} to "
               f"{written[0].parent}/")
    sys.exit(1 if collected.skipped else 0)


@main.command()
@click.argument("results", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--network", help="Compare this network's meetings, by date, from the batch "
                                "folder given as RESULTS (its manifest's network_id).")
@click.option("-o", "--output", type=click.Path(path_type=Path), default="compare.html",
              show_default=True, help="Where to write the page.")
def compare(results: tuple[Path, ...], network: str | None, output: Path) -> None:
    """The same network across meetings: each person's voice share and responded-to rate,
    and the effective voices, from two or more RESULTS folders, in the order given, or
    from one batch folder's meetings of a --network."""
    from polyphony.batch import catalogue
    from polyphony.report.compare import compare as write_compare

    def folders() -> list[Path]:
        if network is None:
            return list(results)
        if len(results) != 1:
            raise UsageError("--network takes one batch folder as RESULTS")
        return catalogue.network(results[0], network)

    _wrote(lambda: write_compare(folders(), output))


@main.command()
@click.argument("root", type=click.Path(path_type=Path))
@click.option("--dry-run", is_flag=True, help="List what would be deleted; delete nothing.")
def purge(root: Path, dry_run: bool) -> None:
    """Delete the results under ROOT whose retention date has passed or whose consent was
    withdrawn. Only polyphony's own files are deleted."""
    from polyphony import purge as purging

    try:
        due, kept = purging.survey(root)
        if not dry_run:
            purging.purge(root, due)
    except PolyphonyError as error:
        _fail(error)
        sys.exit(1)
    verb = "would delete" if dry_run else "deleted"
    for item in due:
        click.echo(f"{verb} {item.folder} ({item.reason})")
    for item in kept:
        _err.print(f"kept {item.folder}: {item.why}", markup=False, highlight=False,
                   soft_wrap=True)
    click.echo(f"{len(due)} results folder{'s' * (len(due) != 1)} {verb}")


@main.command()
@click.option("--verify/--no-verify", default=True, show_default=True,
              help="Check each model's weights against its registered sha256.")
def models(verify: bool) -> None:
    """List the bundled models, where they come from, and whether they are intact."""
    from rich.table import Table

    from polyphony.models import model_path, registry
    from polyphony.models import verify as verify_model

    table = Table(title="bundled models (never downloaded)", title_justify="left")
    for column in ("name", "stage", "package", "licence", "status", "path"):
        table.add_column(column)
    bad = 0
    for name, entry in registry().items():
        try:
            path = verify_model(name) if verify else model_path(name)
            status = "[green]ok[/green]" if verify else "found"
        except PolyphonyError as error:
            path, status, bad = error.path or "", f"[red]{error.problem}[/red]", bad + 1
        table.add_row(name, entry.stage, entry.package, entry.licence, status, str(path))
    Console().print(table)
    sys.exit(1 if bad else 0)
