"""Device selection: the CUDA path cannot run on this CPU-only machine, so torch's answer
is substituted (monkeypatch) to test the choice itself."""

import pytest

from polyphony.audio.pipeline import resolve_device
from polyphony.audio.transcribe import compute_type
from polyphony.errors import UsageError


@pytest.mark.parametrize(("asked", "gpu", "chosen"), [
    ("auto", True, "cuda"), ("auto", False, "cpu"), ("cpu", True, "cpu"),
    ("cuda", True, "cuda")])
def test_device_choice(monkeypatch, asked, gpu, chosen):
    import torch

    monkeypatch.setattr(torch.cuda, "is_available", lambda: gpu)
    assert resolve_device(asked) == chosen


def test_cuda_without_a_gpu_is_a_clear_error(monkeypatch):
    import torch

    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    with pytest.raises(UsageError, match="torch sees no CUDA GPU"):
        resolve_device("cuda")
    with pytest.raises(UsageError, match="unknown device"):
        resolve_device("tpu")


def test_whisper_runs_float16_on_gpu_and_int8_on_cpu():
    assert compute_type("cuda") == "float16"
    assert compute_type("cpu") == "int8"
