"""Shared fixtures. The real models are loaded once per session: every test that needs a
full run uses the session-scoped results below, and the first run happens inside a guard
that records any attempt to open a network connection.

A test that loads a model is marked `models`; `pytest -m "not models"` runs the rest in
seconds. The mark is enforced: an unmarked test that reaches a model loader fails, naming the
loader, so the fast subset stays fast."""

from __future__ import annotations

import shutil
import socket
from pathlib import Path

import pytest

import polyphony  # noqa: F401  (sets the offline environment before anything else)

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "examples" / "network-meeting"
DATA = ROOT / "tests" / "data"


MODEL_LOADERS = (
    ("polyphony.audio.diarize", "load_pipeline"),
    ("polyphony.audio.transcribe", "load_model"),
    ("polyphony.language", "_nlp"),
    ("polyphony.language", "_encoder"),
    ("polyphony.report.redact", "_ner"),
)


@pytest.fixture(autouse=True)
def _models_only_when_marked(request, monkeypatch):
    if request.node.get_closest_marker("models"):
        return
    import importlib

    for module_name, name in MODEL_LOADERS:
        module = importlib.import_module(module_name)

        def refuse(*args, _name=f"{module_name}.{name}", **kwargs):
            raise AssertionError(f"{_name} loads a model: mark this test @pytest.mark.models")

        monkeypatch.setattr(module, name, refuse)


def pyannote_sample_dir() -> Path:
    import importlib.util

    spec = importlib.util.find_spec("pyannote.audio")
    assert spec is not None and spec.origin is not None
    return Path(spec.origin).parent / "sample"


@pytest.fixture(scope="session")
def connection_attempts():
    """Every socket connect() made while the guarded runs execute."""
    attempts: list[object] = []
    real_connect, real_connect_ex = socket.socket.connect, socket.socket.connect_ex

    def refuse(self, address):
        if self.family in (socket.AF_INET, socket.AF_INET6):
            attempts.append(address)
            raise OSError(f"polyphony tests: network connection to {address} refused")
        return real_connect(self, address)

    def refuse_ex(self, address):
        if self.family in (socket.AF_INET, socket.AF_INET6):
            attempts.append(address)
            return 111
        return real_connect_ex(self, address)

    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(socket.socket, "connect", refuse)
        mp.setattr(socket.socket, "connect_ex", refuse_ex)
        yield attempts


@pytest.fixture(scope="session")
def sample_recording(tmp_path_factory) -> Path:
    """pyannote's sample, copied beside a consent manifest (it is a public recording)."""
    folder = tmp_path_factory.mktemp("sample")
    shutil.copy(pyannote_sample_dir() / "sample.wav", folder / "sample.wav")
    write_consent(folder, "sample.wav")
    return folder / "sample.wav"


def write_consent(folder: Path, *recordings: str, people=(("a", "other"), ("b", "other")),
                  purposes=("recording", "analysis", "sharing"), keep_days: int = 365) -> Path:
    """A schema-2 manifest in `folder` covering `recordings`, granted a year ago, kept for
    `keep_days` from today."""
    import datetime as dt

    from polyphony.consent import manifest_text

    today = dt.date.today()
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "consent.toml"
    path.write_text(manifest_text("test-meeting", dict.fromkeys(recordings), people,
                                  today - dt.timedelta(days=365),
                                  today + dt.timedelta(days=keep_days), purposes))
    return path


@pytest.fixture(scope="session")
def sample_result(sample_recording, tmp_path_factory, connection_attempts):
    from polyphony.analyze import analyze_recording

    return analyze_recording(sample_recording, tmp_path_factory.mktemp("out"))


@pytest.fixture(scope="session")
def example_result(tmp_path_factory, connection_attempts, sample_result):
    from polyphony.analyze import analyze_recording
    from polyphony.roster import load

    return analyze_recording(EXAMPLE / "network-meeting.flac", tmp_path_factory.mktemp("out"),
                             roster=load(EXAMPLE / "roster.toml"))
