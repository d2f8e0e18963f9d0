"""Every reader, fed arbitrary bytes or a real file mangled at random, either reads it or
refuses it with one clean error (an `InputError` or `UsageError` that names the file): never
another exception, never a hang (hypothesis's deadline)."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from polyphony.conversation import Conversation
from polyphony.errors import PolyphonyError
from polyphony.formats import read
from tests.conftest import DATA

SUFFIX = {"rttm": ".rttm", "stm": ".stm", "vtt": ".vtt", "srt": ".srt", "eaf": ".eaf",
          "textgrid": ".TextGrid", "chat": ".cha", "whisper": ".json", "csv": ".csv",
          "conversation": ".json"}
REAL = {
    "rttm": "rttm/pyannote__sample.rttm",
    "stm": "rttm/sctk__lvc_ref.stm",
    "vtt": "vtt/teams_genie_TEAMS-SurveyResponse-Genie.truncated.vtt",
    "srt": "vtt/whisper-ctranslate2_dosparlants.srt",
    "eaf": "eaf/speach__test.eaf",
    "textgrid": "textgrid/praatio__textgrid_to_merge_long.TextGrid",
    "chat": "chat/nzilbb-ag__griffin.cha",
    "whisper": "json/whisperx_diarize_french_call.json",
    "csv": "annomi/AnnoMI-simple-excerpt.csv",
}
# POLYPHONY_FUZZ_EXAMPLES=5000 for a long search; the default keeps `make test` quick.
FUZZ = settings(max_examples=int(os.environ.get("POLYPHONY_FUZZ_EXAMPLES", 150)),
                deadline=2000, derandomize=True, print_blob=False,
                suppress_health_check=[HealthCheck.too_slow])


def _read_cleanly(data: bytes, fmt: str) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / f"fuzzed{SUFFIX[fmt]}"
        path.write_bytes(data)
        try:
            conv = read(path, fmt)
        except PolyphonyError as error:
            message = str(error)
            assert str(path) in message and "\n" not in message.strip()
            assert "Traceback" not in message and "object is not" not in message
            return
        assert isinstance(conv, Conversation)


@pytest.mark.parametrize("fmt", sorted(SUFFIX))
@FUZZ
@given(data=st.binary(max_size=2048))
def test_arbitrary_bytes_are_read_or_refused_cleanly(fmt, data):
    _read_cleanly(data, fmt)


@st.composite
def _mutated(draw, original: bytes) -> bytes:
    """The real file with a few random edits: cut short, a span deleted, duplicated or
    overwritten with random bytes, or a byte flipped."""
    data = bytearray(original)
    for _ in range(draw(st.integers(1, 4))):
        if not data:
            break
        i = draw(st.integers(0, len(data) - 1))
        j = min(len(data), i + draw(st.integers(1, 64)))
        kind = draw(st.sampled_from(["cut", "delete", "duplicate", "overwrite", "flip"]))
        if kind == "cut":
            del data[i:]
        elif kind == "delete":
            del data[i:j]
        elif kind == "duplicate":
            data[i:i] = data[i:j]
        elif kind == "overwrite":
            data[i:j] = draw(st.binary(min_size=j - i, max_size=j - i))
        else:
            data[i] ^= 1 << draw(st.integers(0, 7))
    return bytes(data)


@pytest.mark.parametrize("fmt", sorted(REAL))
@FUZZ
@given(data=st.data())
def test_mutations_of_real_files_are_read_or_refused_cleanly(fmt, data):
    original = (DATA / REAL[fmt]).read_bytes()
    _read_cleanly(data.draw(_mutated(original)), fmt)
