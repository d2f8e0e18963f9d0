import os

import pytest

import polyphony  # noqa: F401  (importing it switches the hub clients off)
from polyphony.errors import ModelError
from polyphony.models import model_path, registry, verify


def test_importing_polyphony_forces_offline_mode_and_no_telemetry():
    assert os.environ["HF_HUB_OFFLINE"] == "1"
    assert os.environ["PYANNOTE_METRICS_ENABLED"] == "0"
    assert os.environ["ORT_DISABLE_TELEMETRY"] == "1"


def test_a_user_environment_cannot_turn_telemetry_back_on():
    import subprocess
    import sys

    env = {**os.environ, "PYANNOTE_METRICS_ENABLED": "1", "ORT_DISABLE_TELEMETRY": "0",
           "HF_HUB_OFFLINE": "0"}
    code = ("import os, polyphony; print(os.environ['PYANNOTE_METRICS_ENABLED'], "
            "os.environ['ORT_DISABLE_TELEMETRY'], os.environ['HF_HUB_OFFLINE'])")
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True,
                         text=True, check=True).stdout.split()
    assert out == ["0", "1", "1"]


@pytest.mark.parametrize("name", sorted(registry()))
def test_every_registered_model_is_installed_and_intact(name):
    path = verify(name)
    assert path.is_file() and path.stat().st_size > 1_000_000


def test_unknown_model_is_a_clear_error():
    with pytest.raises(ModelError, match="unknown model 'nope'"):
        model_path("nope")
