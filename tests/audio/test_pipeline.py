"""The pipeline's plumbing. Device selection: the CUDA path cannot run on this CPU-only
machine, so torch's answer is substituted (monkeypatch) to test the choice itself. Then the
two passes over the blocks, memory handed back after each, and the stage clock."""

import numpy as np
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


def test_a_recording_of_one_block_is_decoded_once_and_a_longer_one_twice():
    from polyphony.audio.decode import Waveform
    from polyphony.audio.pipeline import _two_passes

    for count, decodes in ((1, 1), (3, 2)):
        calls = []

        def stream(count=count, calls=calls):
            calls.append(1)
            return (Waveform(np.zeros(10, np.float32), 10, offset=float(i))
                    for i in range(count))

        blocks = _two_passes(stream)
        first, second = list(blocks()), list(blocks())
        assert [b.offset for b in first] == [b.offset for b in second] == list(range(count))
        assert len(calls) == decodes


def test_nested_stages_are_timed_once_each():
    import time

    from polyphony.audio.pipeline import _Clock

    clock = _Clock()
    with clock.stage("diarize"):
        time.sleep(0.01)
        with clock.stage("decode"):
            time.sleep(0.2)
    assert clock.totals["decode"] >= 0.2
    assert 0.01 <= clock.totals["diarize"] < 0.15  # decoding is not counted again


def test_freed_memory_is_handed_back_after_every_block(monkeypatch):
    from contextlib import nullcontext

    from polyphony.audio import pipeline
    from polyphony.audio.decode import Waveform

    assert pipeline._malloc_trim() is not None  # glibc, as on every Linux this runs on
    trims = []
    monkeypatch.setattr(pipeline, "_malloc_trim", lambda: trims.append)
    blocks = (Waveform(np.zeros(10, np.float32), 10, offset=float(i)) for i in range(3))
    seen = [(block.offset, len(trims))  # no trim before a block is done with
            for block in pipeline._timed_blocks(blocks, lambda _: nullcontext())]
    assert seen == [(0, 0), (1, 1), (2, 2)] and trims == [0, 0, 0]
