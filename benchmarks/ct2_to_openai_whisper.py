"""Convert a CTranslate2 Whisper model (faster-whisper's format) to an openai-whisper
checkpoint, so that both engines run the same weights side by side.

    .venv/bin/python benchmarks/ct2_to_openai_whisper.py [MODEL_DIR] OUT.pt

MODEL_DIR defaults to the bundled tiny.en. CTranslate2's `model.bin` is a flat list of
named arrays (written by `ctranslate2.specs.model_spec.ModelSpec._serialize`): a version,
the spec's name and revision, then each variable's name, shape, type and bytes, then
aliases. Whisper's layers map one to one, except that CTranslate2 fuses the self-attention
query, key and value into one matrix and the cross-attention key and value into another;
they are split back, and the key's bias, which Whisper does not have (CTranslate2 stores
zeros), is dropped. The converted tiny.en gives the same words as the original but for a
few in overlapped speech, where int8 and float32 decide differently (4.1% word error rate
between the two on the pyannote sample at temperature 0, `tests/audio/test_transcribe.py`).
"""

from __future__ import annotations

import argparse
import re
import struct
from pathlib import Path
from typing import BinaryIO

import numpy as np

# CTranslate2's DataType enum (include/ctranslate2/types.h), in order
_TYPES = (np.float32, np.int8, np.int16, np.int32, np.float16, None)  # None: bfloat16


def read_ct2(path: Path) -> dict[str, np.ndarray]:
    """Every variable of a CTranslate2 `model.bin`, aliases resolved."""
    with path.open("rb") as f:
        version = _unpack(f, "I")
        if version < 5:
            raise ValueError(f"{path}: CTranslate2 model version {version} is too old")
        _string(f)  # the spec's name
        _unpack(f, "I")  # its revision
        variables = {}
        for _ in range(_unpack(f, "I")):
            name = _string(f)
            shape = [_unpack(f, "I") for _ in range(_unpack(f, "B"))]
            kind = _TYPES[_unpack(f, "B")]
            size = _unpack(f, "I")
            if kind is None:
                raise ValueError(f"{path}: {name} is bfloat16, which this converter "
                                 "does not read")
            variables[name] = np.frombuffer(f.read(size), dtype=kind).reshape(shape)
        for _ in range(_unpack(f, "I")):
            alias, target = _string(f), _string(f)
            variables[alias] = variables[target]
    return variables


def _unpack(f: BinaryIO, fmt: str) -> int:
    return struct.unpack(fmt, f.read(struct.calcsize(fmt)))[0]


def _string(f: BinaryIO) -> str:
    length = _unpack(f, "H")
    return f.read(length)[:-1].decode("utf-8")


def convert(model_dir: Path) -> dict:
    """An openai-whisper checkpoint ({"dims", "model_state_dict"}) from `model_dir`."""
    import torch

    ct2 = read_ct2(model_dir / "model.bin")
    if any(ct2[k].dtype == np.int8 for k in ct2 if k.endswith("/weight")):
        raise ValueError(f"{model_dir}: quantised to int8; convert a float16 or float32 "
                         "model")
    state: dict[str, np.ndarray] = {}

    def layer_count(side: str) -> int:
        return len({k.split("/")[1] for k in ct2
                    if re.fullmatch(r"layer_\d+", k.split("/")[1]) and k.startswith(side)})

    def copy(target: str, source: str) -> None:
        state[target] = ct2[source]

    def linear(target: str, source: str, bias: bool = True) -> None:
        copy(f"{target}.weight", f"{source}/weight")
        if bias:
            copy(f"{target}.bias", f"{source}/bias")

    def norm(target: str, source: str) -> None:
        copy(f"{target}.weight", f"{source}/gamma")
        copy(f"{target}.bias", f"{source}/beta")

    def split(target: str, source: str, names: tuple[str, ...]) -> None:
        weights = np.split(ct2[f"{source}/weight"], len(names))
        biases = np.split(ct2[f"{source}/bias"], len(names))
        for name, weight, bias in zip(names, weights, biases, strict=True):
            state[f"{target}.{name}.weight"] = weight
            if name != "key":  # Whisper's key projection has no bias
                state[f"{target}.{name}.bias"] = bias

    def block(target: str, source: str, cross: bool) -> None:
        split(f"{target}.attn", f"{source}/self_attention/linear_0", ("query", "key", "value"))
        linear(f"{target}.attn.out", f"{source}/self_attention/linear_1")
        norm(f"{target}.attn_ln", f"{source}/self_attention/layer_norm")
        if cross:
            linear(f"{target}.cross_attn.query", f"{source}/attention/linear_0")
            split(f"{target}.cross_attn", f"{source}/attention/linear_1", ("key", "value"))
            linear(f"{target}.cross_attn.out", f"{source}/attention/linear_2")
            norm(f"{target}.cross_attn_ln", f"{source}/attention/layer_norm")
        linear(f"{target}.mlp.0", f"{source}/ffn/linear_0")
        linear(f"{target}.mlp.2", f"{source}/ffn/linear_1")
        norm(f"{target}.mlp_ln", f"{source}/ffn/layer_norm")

    for conv in ("conv1", "conv2"):
        linear(f"encoder.{conv}", f"encoder/{conv}")
    copy("encoder.positional_embedding", "encoder/position_encodings/encodings")
    for i in range(layer_count("encoder")):
        block(f"encoder.blocks.{i}", f"encoder/layer_{i}", cross=False)
    norm("encoder.ln_post", "encoder/layer_norm")
    copy("decoder.token_embedding.weight", "decoder/embeddings/weight")
    copy("decoder.positional_embedding", "decoder/position_encodings/encodings")
    for i in range(layer_count("decoder")):
        block(f"decoder.blocks.{i}", f"decoder/layer_{i}", cross=True)
    norm("decoder.ln", "decoder/layer_norm")

    width = int(ct2["encoder/conv1/weight"].shape[0])
    dims = {"n_mels": int(ct2["encoder/conv1/weight"].shape[1]),
            "n_audio_ctx": int(ct2["encoder/position_encodings/encodings"].shape[0]),
            "n_audio_state": width, "n_audio_head": int(ct2["encoder/num_heads"]),
            "n_audio_layer": layer_count("encoder"),
            "n_vocab": int(ct2["decoder/embeddings/weight"].shape[0]),
            "n_text_ctx": int(ct2["decoder/position_encodings/encodings"].shape[0]),
            "n_text_state": width, "n_text_head": int(ct2["decoder/num_heads"]),
            "n_text_layer": layer_count("decoder")}
    return {"dims": dims,
            "model_state_dict": {k: torch.from_numpy(v.copy()) for k, v in state.items()}}


def main() -> None:
    import torch

    from polyphony.models import model_path

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("paths", nargs="+", type=Path, metavar="[MODEL_DIR] OUT.pt")
    args = parser.parse_args()
    *source, out = args.paths
    if len(source) > 1:
        parser.error("give at most one model directory and the output file")
    torch.save(convert(source[0] if source else model_path("whisper-tiny-en")), out)
    print(out)


if __name__ == "__main__":
    main()
