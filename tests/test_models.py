import os

import pytest

import polyphony  # noqa: F401  (importing it switches the hub clients off)
from polyphony.errors import ModelError
from polyphony.models import model_path, registry, verify


def test_importing_polyphony_forces_offline_mode_and_no_telemetry():
    assert os.environ["HF_HUB_OFFLINE"] == "1"
    assert os.environ["PYANNOTE_METRICS_ENABLED"] == "0"


@pytest.mark.parametrize("name", sorted(registry()))
def test_every_registered_model_is_installed_and_intact(name):
    path = verify(name)
    assert path.is_file() and path.stat().st_size > 1_000_000


def test_unknown_model_is_a_clear_error():
    with pytest.raises(ModelError, match="unknown model 'nope'"):
        model_path("nope")
