"""The command line: one-line errors without tracebacks, and one bad file never stops a
batch."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
from click.testing import CliRunner

from polyphony.cli import main
from tests.conftest import DATA, write_consent


def run(*args: str):
    return CliRunner().invoke(main, list(args))


@pytest.mark.models
def test_bad_inputs_give_one_line_each_and_exit_1(tmp_path):
    empty = tmp_path / "empty.wav"
    empty.write_bytes(b"")
    text = tmp_path / "notes.mp3"
    text.write_text("not audio at all\n" * 50)
    write_consent(tmp_path, "notes.mp3")
    result = run("analyze", str(tmp_path / "missing.wav"), str(empty), str(text),
                 "--out", str(tmp_path / "out"))
    assert result.exit_code == 1
    lines = result.output.strip().splitlines()
    assert len(lines) == 3, result.output
    assert "missing.wav: no such file" in lines[0]
    assert "empty.wav: is empty (0 bytes)" in lines[1]
    assert "notes.mp3: is not an audio or video file" in lines[2]
    assert "Traceback" not in result.output


def test_no_consent_no_processing(tmp_path, sample_recording):
    lonely = tmp_path / "sample.wav"
    lonely.write_bytes(sample_recording.read_bytes())
    result = run("analyze", str(lonely), "--out", str(tmp_path / "out"))
    assert result.exit_code == 1
    assert "has no consent manifest" in result.output
    assert not (tmp_path / "out").exists()


def test_usage_errors_exit_2(tmp_path):
    result = run("analyze", "x.wav", "--out", str(tmp_path), "--num-speakers", "2",
                 "--max-speakers", "3")
    assert result.exit_code == 2
    assert "either an exact speaker count or min/max bounds" in result.output
    for option, value in (("--block-minutes", "0.5"), ("--segmentation-step", "2"),
                          ("--min-pause", "-0.1")):
        result = run("analyze", "x.wav", "--out", str(tmp_path), option, value)
        assert result.exit_code == 2 and option in result.output


@pytest.mark.models
def test_one_bad_file_does_not_stop_the_batch(tmp_path, sample_recording, sample_result):
    result = run("analyze", str(tmp_path / "missing.wav"), str(sample_recording),
                 "--out", str(tmp_path / "out"), "--quiet")
    assert result.exit_code == 1
    metrics = json.loads((tmp_path / "out" / "sample" / "metrics.json").read_text())
    assert len(metrics["participants"]) == 2


@pytest.mark.models
def test_existing_results_are_not_overwritten_without_force(tmp_path, sample_result):
    result = run("analyze", str(sample_result.recording), "--out",
                 str(sample_result.folder.parent))
    assert result.exit_code == 1
    assert "results already exist" in result.output and "--force" in result.output


def test_models_lists_and_verifies_every_bundled_model():
    result = run("models")
    assert result.exit_code == 0
    for name in ("whisper-tiny-en", "pyannote-segmentation-3.0", "campplus-sv-zh-en",
                 "spacy-en-core-web-sm", "all-minilm-l6-v2"):
        assert name[:10] in result.output


def test_metrics_from_an_rttm_writes_json_with_nulls_for_text(tmp_path):
    out = tmp_path / "m.json"
    result = run("metrics", str(DATA / "rttm" / "ami-ES2011a.rttm"),
                 "-o", str(out))
    assert result.exit_code == 0, result.output
    m = json.loads(out.read_text())
    assert len(m["participants"]) == 4
    assert all(p["role"] == "other" and p["words"] is None for p in m["participants"].values())
    assert "effective voices" in result.output


def test_help_and_an_rttms_metrics_import_no_model_library():
    # start-up: torch, spaCy, Whisper and pyannote each take a second or more to import;
    # one process runs both commands, checking after each
    rttm = str(DATA / "rttm" / "ami-ES2011a.rttm")
    code = ("import sys\nfrom polyphony.cli import main\n"
            f"for args in (['--help'], ['metrics', {rttm!r}]):\n"
            "    try:\n        main(args)\n    except SystemExit:\n        pass\n"
            "    print(sorted(m for m in ('torch', 'spacy', 'faster_whisper', 'ctranslate2', "
            "'pyannote.audio', 'whisper', 'onnxruntime') if m in sys.modules), "
            "file=sys.stderr)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True)
    assert [line for line in out.stderr.splitlines() if line.startswith("[")] == ["[]"] * 2


@pytest.mark.models
def test_metrics_with_a_roster_and_json_on_stdout(tmp_path):
    vtt = tmp_path / "meeting.vtt"
    vtt.write_text("WEBVTT\n\n00:00:00.000 --> 00:00:02.000\n<v A>How are you?\n\n"
                   "00:00:02.500 --> 00:00:04.000\n<v B>I am fine, thanks.\n")
    roster = tmp_path / "roster.toml"
    roster.write_text('[[participant]]\nid = "anna"\nrole = "clinician"\nspeaker = "A"\n'
                      '[[participant]]\nid = "ben"\nrole = "person"\nspeaker = "B"\n'
                      '[[participant]]\nid = "cleo"\nrole = "family"\n')
    result = run("metrics", str(vtt), "--roster", str(roster), "-o", "-", "--quiet")
    assert result.exit_code == 0, result.output
    m = json.loads(result.output)
    assert list(m["participants"]) == ["anna", "ben", "cleo"]
    assert m["participants"]["cleo"]["speaking_time"] == 0
    assert m["participants"]["anna"]["questions_asked"] == 1
    assert m["roles"]["professional_share"] > 0


def test_metrics_errors(tmp_path):
    result = run("metrics", str(tmp_path / "none.rttm"))
    assert result.exit_code == 1 and "none.rttm: no such file" in result.output
    bad = tmp_path / "bad.csv"
    bad.write_text("speaker,timestamp,text\nA,00:00:01,hi\n")
    result = run("metrics", str(bad), "--uem", str(bad))
    assert result.exit_code == 2 and "--uem does not apply to csv files" in result.output


def test_evaluate_command(tmp_path):
    ref = tmp_path / "ref.stm"
    ref.write_text("m 1 a 0.0 2.0 hello there\nm 1 b 2.0 4.0 good morning\n")
    hyp = tmp_path / "hyp.vtt"
    hyp.write_text("WEBVTT\n\n00:00:00.000 --> 00:00:02.000\n<v S1>hello there\n\n"
                   "00:00:02.000 --> 00:00:04.000\n<v S2>good evening\n")
    result = run("evaluate", str(hyp), str(ref), "-o", "-")
    assert result.exit_code == 0, result.output
    scores = json.loads(result.output)
    assert scores["der"] == 0.0 and scores["speaker_count_error"] == 0
    assert scores["wer"] == 0.25 and scores["cpwer"] == 0.25
    assert scores["parts"] == {"missed": 0.0, "false_alarm": 0.0, "confusion": 0.0}
    out = tmp_path / "scores" / "s.json"
    result = run("evaluate", str(hyp), str(ref), "-o", str(out))
    assert result.exit_code == 0 and "cpWER 25.0%" in result.output, result.output
    assert "missed 0.0%, false alarm 0.0%, confusion 0.0%" in " ".join(result.output.split())
    assert json.loads(out.read_text()) == scores  # the file holds what stdout printed


@pytest.mark.models
def test_a_bad_local_diarization_pipeline_is_named(tmp_path, sample_recording):
    empty = tmp_path / "pipeline"
    empty.mkdir()
    broken = tmp_path / "broken"
    broken.mkdir()
    (broken / "config.yaml").write_text(
        "pipeline:\n  name: pyannote.audio.pipelines.SpeakerDiarization\n  params:\n"
        "    segmentation: /nowhere/pytorch_model.bin\n")
    for folder, message in ((empty, "is not a pyannote pipeline directory (no config.yaml)"),
                            (broken, "could not be loaded as a pyannote pipeline"),
                            (tmp_path / "missing", "no such pyannote pipeline directory")):
        result = run("analyze", str(sample_recording), "--out", str(tmp_path / "out"),
                     "--diarization-pipeline", str(folder))
        assert result.exit_code == 1, result.output
        assert f"{folder}: {message}" in result.output
        assert "Traceback" not in result.output


def test_analyze_defaults_are_the_library_defaults():
    # The CLI spells its defaults as literals (importing the pipeline would slow every
    # command's start); this keeps them equal to the constants they stand for.
    from polyphony.audio import diarize
    from polyphony.audio.pipeline import Settings

    defaults = {p.name: p.default for p in main.commands["analyze"].params}
    assert defaults["min_pause"] == diarize.MIN_PAUSE == Settings().min_pause
    assert defaults["segmentation_step"] == diarize.DEFAULT_STEP
    assert defaults["block_minutes"] * 60 == Settings().block_seconds
    assert defaults["resegment"] is Settings().resegment


def test_speaker_names_are_printed_as_data_not_markup(tmp_path):
    # dscore's real RTTM, its two speakers renamed to rich markup
    rttm = tmp_path / "names.rttm"
    rttm.write_text((DATA / "rttm/dscore__ref.rttm").read_text()
                    .replace("speaker1", "[bold]Sam").replace("speaker2", "[/]"))
    out = tmp_path / "m.json"
    result = run("metrics", str(rttm), "-o", str(out))
    assert result.exit_code == 0, result.output
    assert "[bold]Sam" in result.output and "[/]" in result.output
    assert set(json.loads(out.read_text())["participants"]) == {"[bold]Sam", "[/]"}


def test_how_a_file_was_read_is_said_on_stderr():
    result = CliRunner().invoke(main, ["metrics", str(DATA / "rttm/pyannote__debug.train.rttm"),
                                       "--recording", "trn02", "-o", "-"])
    assert result.exit_code == 0, result.output
    assert "recording 'trn02' of 10 in the file" in result.stderr
    assert json.loads(result.stdout)["participants"].keys() == {"FEO066"}


def test_choosing_part_of_a_file_is_checked(tmp_path):
    several = DATA / "rttm/pyannote__debug.train.rttm"
    result = run("metrics", str(several))
    assert result.exit_code == 1 and "holds 10 recordings: trn00, trn01" in result.output
    assert "--recording ID" in result.output
    result = run("metrics", str(several), "--tiers", "A,B")
    assert result.exit_code == 2 and "--tiers does not apply to rttm files" in result.output
    result = run("metrics", str(DATA / "eaf/speach__test.eaf"), "--tiers", "nobody")
    assert result.exit_code == 1 and "has no tier matching --tiers 'nobody'" in result.output
    assert "Traceback" not in result.output


def test_a_malformed_json_segment_is_named_by_key(tmp_path):
    # WhisperX's real output with the start of its second segment deleted
    data = json.loads((DATA / "json/whisperx_diarize_french_call.json").read_text())
    del data["segments"][1]["start"]
    bad = tmp_path / "whisperx.json"
    bad.write_text(json.dumps(data))
    result = run("metrics", str(bad))
    assert result.exit_code == 1
    assert "segments[1] has no 'start'" in result.output and "NoneType" not in result.output


def test_evaluate_one_recording_of_a_file_that_holds_several(tmp_path):
    hyp = tmp_path / "hyp.rttm"
    hyp.write_text("SPEAKER trn02 1 20.704 0.688 <NA> <NA> x <NA> <NA>\n")
    result = run("evaluate", str(hyp), str(DATA / "rttm/pyannote__debug.train.rttm"),
                 "--recording", "trn02", "--collar", "0", "-o", "-")
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)["der"] == 0.0
    result = run("evaluate", str(hyp), str(DATA / "rttm/pyannote__debug.train.rttm"))
    assert result.exit_code == 1 and "--recording ID" in result.output
