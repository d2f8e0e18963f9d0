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

import click
from rich.console import Console
from rich.markup import escape

from polyphony.errors import PolyphonyError, UsageError
from polyphony.formats import ALIASES
from polyphony.formats import READERS as FORMATS

_err = Console(stderr=True, highlight=False)


def _fail(error: PolyphonyError) -> None:
    _err.print(f"[red]error[/red]: {escape(str(error))}", markup=True, soft_wrap=True)


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


@main.command()
@click.argument("audio", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--out", "out", required=True, type=click.Path(path_type=Path),
              help="Folder for results; each recording gets OUT/<stem>/.")
@click.option("--roster", type=click.Path(path_type=Path),
              help="roster.toml: who was present, their roles (and voices, once mapped).")
@click.option("--consent", type=click.Path(path_type=Path),
              help="Consent record covering the recordings (default: <stem>.consent.toml "
                   "or consent.toml beside each recording).")
@click.option("--num-speakers", type=int, help="Exact number of speakers.")
@click.option("--min-speakers", type=int, help="At least this many speakers.")
@click.option("--max-speakers", type=int, help="At most this many speakers.")
@click.option("--device", type=click.Choice(["auto", "cpu", "cuda"]), default="auto",
              show_default=True)
@click.option("--asr-model", default="whisper-tiny-en", show_default=True,
              help="Bundled model name or a local CTranslate2 Whisper directory.")
@click.option("--language", help="Spoken language (default: detected, or English for .en "
                                 "models).")
@click.option("--diarization-pipeline", type=click.Path(path_type=Path),
              help="A local pyannote pipeline directory to use instead of the bundled one.")
@click.option("--resegment/--no-resegment", default=True, show_default=True,
              help="Re-embed each diarized segment whole and move it to the nearest "
                   "speaker (see docs/diarization.md).")
@click.option("--min-pause", type=click.FloatRange(0.0, 2.0), default=0.3,
              show_default=True, help="A speaker's silences shorter than this, with nobody "
                                      "else speaking, count as their speech (0 keeps all).")
@click.option("--segmentation-step", type=click.FloatRange(0.05, 1.0), default=0.25,
              show_default=True, help="Hop between 10 s segmentation windows, as a fraction "
                                      "of the window: 0.5 is about 1.6x faster, less exact.")
@click.option("--block-minutes", type=click.FloatRange(min=1.0), default=10.0,
              show_default=True, help="Long recordings are processed in blocks of about "
                                      "this length; memory grows with it, not the recording.")
@click.option("--split-channels", is_flag=True,
              help="Each channel holds one speaker (a headset each, a two-channel call): "
                   "diarize by channel, as speakers C1, C2, ...")
@click.option("--deidentify", "--redact", "deidentify", is_flag=True,
              help="HTML report names roles, not people, with names, places, dates, ages and "
                   "numbers replaced in the transcript (best effort: check it before "
                   "sharing), to "
                   "be shared; needs everyone's sharing consent.")
@click.option("--no-consent-check", is_flag=True,
              help="Skip the consent check, for public corpora only. Said loudly, and "
                   "recorded in the results and every report.")
@click.option("--force", is_flag=True, help="Overwrite existing results.")
@click.option("--quiet", is_flag=True, help="Print errors only.")
def analyze(audio: tuple[Path, ...], out: Path, roster: Path | None, consent: Path | None,
            num_speakers: int | None, min_speakers: int | None, max_speakers: int | None,
            device: str, asr_model: str, language: str | None,
            diarization_pipeline: Path | None, resegment: bool, min_pause: float,
            segmentation_step: float,
            block_minutes: float, split_channels: bool, deidentify: bool,
            no_consent_check: bool, force: bool, quiet: bool) -> None:
    """Transcribe, diarize and measure each AUDIO recording.

    Writes conversation.json, diarization.rttm, transcript.vtt, metrics.json and
    report.html for each recording. One bad recording never stops the others. Each
    recording needs a consent manifest granting analysis from everyone it lists
    (docs/privacy.md).
    """
    from polyphony import roster as roster_mod
    from polyphony.analyze import analyze_recording, results_names
    from polyphony.audio.diarize import SpeakerCount
    from polyphony.audio.pipeline import Settings, resolve_device
    from polyphony.report.cards import cards as voice_cards
    from polyphony.report.terminal import print_summary

    try:
        loaded = roster_mod.load(roster) if roster else None
        settings = Settings(
            count=SpeakerCount(num_speakers, min_speakers, max_speakers),
            device=resolve_device(device),
            asr_model=asr_model, language=language,
            diarization_pipeline=str(diarization_pipeline) if diarization_pipeline else None,
            resegment=resegment, min_pause=min_pause, segmentation_step=segmentation_step,
            block_seconds=60.0 * block_minutes, split_channels=split_channels)
        if split_channels and (num_speakers or min_speakers or max_speakers):
            raise UsageError("--split-channels takes one speaker per channel; "
                             "--num-speakers, --min-speakers and --max-speakers do not apply")
    except PolyphonyError as error:
        _fail(error)
        sys.exit(2)

    _warn_unchecked(no_consent_check)
    console = Console(quiet=quiet)
    failed = 0
    for path, name in zip(audio, results_names(audio), strict=True):
        try:
            if name is None:
                raise UsageError("another recording of this run has the same file name, "
                                 "and would write the same results folder",
                                 hint="analyse it with an --out of its own")
            with console.status(f"analysing {escape(str(path))}", spinner="dots"):
                result = analyze_recording(path, out, roster=loaded, settings=settings,
                                           consent_file=consent, force=force,
                                           deidentify=deidentify,
                                           check_consent=not no_consent_check, name=name)
        except PolyphonyError as error:
            error.located(path)
            _fail(error)
            failed += 1
            continue
        analysis = result.analysis
        if not quiet:
            _notes(path, analysis.conversation.provenance.notes)
        print_summary(result.metrics, f"{path.name} ({analysis.conversation.duration:.0f} s, "
                      f"real-time factor {analysis.real_time_factor:.2f})", console,
                      voice_cards(analysis.conversation, {
                          pid: p["speaking_time"]
                          for pid, p in result.metrics["participants"].items()}))
        console.print(f"results in {result.folder}/ (open {result.files['report.html']})",
                      markup=False)
    sys.exit(1 if failed else 0)


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
    """Score HYPOTHESIS against REFERENCE: DER, JER, WER, cpWER and speaker-count error.

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
        f"DER {pct(scores.der)} (collar {collar} s, overlap {overlap})  JER {pct(scores.jer)}"
        f"  WER {pct(scores.wer)}  cpWER {pct(scores.cpwer)}  speaker count error "
        f"{scores.speaker_count_error:+d}", highlight=False)


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
@click.option("--format", "format_", type=click.Choice(["eaf", "textgrid"]), default="eaf",
              show_default=True, help="ELAN or Praat.")
@click.option("-o", "--output", type=click.Path(path_type=Path),
              help="Where to write it (default: <name>.eaf or .TextGrid beside RESULTS, "
                   "outside it: the results folder is replaced whole by relabel and "
                   "analyze --force).")
def export(results: Path, format_: str, output: Path | None) -> None:
    """Write a RESULTS folder's conversation for correction by hand in ELAN or Praat: one
    tier per participant, with the link to the recording kept, so that `polyphony metrics
    EDITED` gives the corrected numbers for the same recording."""
    from polyphony.formats import conversation_json, write

    suffix = ".eaf" if format_ == "eaf" else ".TextGrid"
    _wrote(lambda: write(conversation_json.read(results / "conversation.json"),
                         output or results.parent / f"{results.name}{suffix}", format_))


@main.command()
@click.argument("results", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("-o", "--output", type=click.Path(path_type=Path), default="compare.html",
              show_default=True, help="Where to write the page.")
def compare(results: tuple[Path, ...], output: Path) -> None:
    """The same network across meetings: each person's voice share and responded-to rate,
    and the effective voices, from two or more RESULTS folders, in the order given."""
    from polyphony.report.compare import compare as write_compare

    _wrote(lambda: write_compare(list(results), output))


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
