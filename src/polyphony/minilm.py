"""all-MiniLM-L6-v2 sentence embeddings, computed in numpy from the bundled weights.

sentence-transformers computes exactly these vectors, but importing it (and so
transformers and torch) took 5 s here, against 0.1 s of arithmetic for a hundred
utterances; `polyphony metrics` on a transcript spent most of its time waiting for it.
The model is a 6-layer BERT (384 wide, 12 heads) read from its safetensors file,
tokenised by the Rust `tokenizers` library with the model's own tokenizer.json, mean-pooled
over real tokens and normalised, as its sentence-transformers configuration says
(`modules.json`, `1_Pooling`). `tests/test_minilm.py` checks the vectors against
sentence-transformers itself.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

DIMENSION = 384


@dataclass(frozen=True)
class _Config:
    layers: int
    heads: int
    eps: float
    max_tokens: int


class MiniLM:
    """A BERT sentence encoder over one model folder (a sentence-transformers layout)."""

    def __init__(self, folder: Path) -> None:
        from safetensors.numpy import load_file
        from tokenizers import Tokenizer

        bert = json.loads((folder / "config.json").read_text(encoding="utf-8"))
        if bert.get("hidden_act") != "gelu" or bert.get("model_type") != "bert":
            raise ValueError(f"{folder} is not a BERT model with GELU activations")
        pooling = json.loads((folder / "1_Pooling" / "config.json").read_text("utf-8"))
        if not pooling.get("pooling_mode_mean_tokens"):
            raise ValueError(f"{folder} does not mean-pool its tokens")
        limits = json.loads((folder / "sentence_bert_config.json").read_text("utf-8"))
        self._config = _Config(bert["num_hidden_layers"], bert["num_attention_heads"],
                               float(bert["layer_norm_eps"]), int(limits["max_seq_length"]))
        self._w = load_file(str(folder / "model.safetensors"))
        self._w.update({f"{k}.T": np.ascontiguousarray(v.T) for k, v in self._w.items()
                        if k.startswith("encoder.") and k.endswith(".weight") and v.ndim == 2})
        self._tokenizer = Tokenizer.from_file(str(folder / "tokenizer.json"))
        # sentence-transformers pads to the longest text of a batch and truncates at the
        # model's max_seq_length, overriding the fixed 128 of tokenizer.json
        self._tokenizer.enable_truncation(self._config.max_tokens)
        self._tokenizer.enable_padding(pad_id=bert.get("pad_token_id", 0))

    def encode(self, texts: Sequence[str], batch_size: int = 64) -> np.ndarray:
        """Unit-length embeddings, one float32 row per text. Texts are batched by length,
        as sentence-transformers does, so that a short text is not padded to a long one."""
        order = sorted(range(len(texts)), key=lambda i: len(texts[i]))
        out = np.zeros((len(texts), DIMENSION), np.float32)
        for at in range(0, len(order), batch_size):
            rows = order[at:at + batch_size]
            out[rows] = self._batch([texts[i] for i in rows])
        return out

    def _batch(self, texts: Sequence[str]) -> np.ndarray:
        encodings = self._tokenizer.encode_batch(list(texts))
        ids = np.array([e.ids for e in encodings], dtype=np.int64)
        mask = np.array([e.attention_mask for e in encodings], dtype=np.float32)
        hidden = self._embed(ids, np.array([e.type_ids for e in encodings], np.int64))
        for layer in range(self._config.layers):
            hidden = self._layer(hidden, mask, f"encoder.layer.{layer}.")
        pooled = (hidden * mask[..., None]).sum(axis=1) / np.maximum(
            mask.sum(axis=1, keepdims=True), 1e-9)
        return (pooled / np.maximum(np.linalg.norm(pooled, axis=1, keepdims=True),
                                    1e-12)).astype(np.float32)

    def _embed(self, ids: np.ndarray, types: np.ndarray) -> np.ndarray:
        w = self._w
        positions = np.arange(ids.shape[1])
        x = (w["embeddings.word_embeddings.weight"][ids]
             + w["embeddings.token_type_embeddings.weight"][types]
             + w["embeddings.position_embeddings.weight"][positions][None])
        return self._norm(x, "embeddings.LayerNorm")

    def _layer(self, x: np.ndarray, mask: np.ndarray, name: str) -> np.ndarray:
        batch, tokens, width = x.shape
        heads = self._config.heads

        def split(t: np.ndarray) -> np.ndarray:  # (batch, heads, tokens, width / heads)
            return t.reshape(batch, tokens, heads, width // heads).transpose(0, 2, 1, 3)

        q, k, v = (split(self._dense(x, f"{name}attention.self.{part}"))
                   for part in ("query", "key", "value"))
        scores = q @ k.transpose(0, 1, 3, 2) / np.float32(np.sqrt(width // heads))
        scores = scores + ((1.0 - mask) * np.finfo(np.float32).min)[:, None, None, :]
        scores = np.exp(scores - scores.max(axis=-1, keepdims=True))
        context = (scores / scores.sum(axis=-1, keepdims=True)) @ v
        context = context.transpose(0, 2, 1, 3).reshape(batch, tokens, width)
        x = self._norm(x + self._dense(context, f"{name}attention.output.dense"),
                       f"{name}attention.output.LayerNorm")
        inner = _gelu(self._dense(x, f"{name}intermediate.dense"))
        return self._norm(x + self._dense(inner, f"{name}output.dense"),
                          f"{name}output.LayerNorm")

    def _dense(self, x: np.ndarray, name: str) -> np.ndarray:
        # one 2-D product against the weight stored transposed: a 3-D `x @ W.T` took
        # numpy's slow path, 8x slower here
        flat = x.reshape(-1, x.shape[-1]) @ self._w[f"{name}.weight.T"]
        return flat.reshape(*x.shape[:-1], -1) + self._w[f"{name}.bias"]

    def _norm(self, x: np.ndarray, name: str) -> np.ndarray:
        mean = x.mean(axis=-1, keepdims=True)
        var = np.square(x - mean).mean(axis=-1, keepdims=True)
        return ((x - mean) / np.sqrt(var + self._config.eps) * self._w[f"{name}.weight"]
                + self._w[f"{name}.bias"])


def _gelu(x: np.ndarray) -> np.ndarray:
    """BERT's exact GELU, x·Φ(x)."""
    from scipy.special import erf

    return 0.5 * x * (1.0 + erf(x / np.float32(np.sqrt(2.0))))
