"""The all-MiniLM-L6-v2 forward pass as an ONNX graph, built from the installed weights.

No export from PyTorch: the graph is written node by node from `model.safetensors` (the same
tensors sentence-transformers loads), in memory, when an encoder starts (about half a second),
so nothing is downloaded or generated at install time and the graph always matches the
installed weights. It uses ONNX Runtime's fused CPU operators for BERT (`com.microsoft`:
EmbedLayerNormalization, Attention, SkipLayerNormalization, BiasGelu — exact erf GELU, as
the model was trained), which is what ONNX Runtime's own BERT optimiser would fuse the
plain-operator graph into. Inputs: `ids` and `mask` (int32, batch × tokens); output:
`pooled` (mean of the token vectors under the mask, not yet normalised).
"""

from __future__ import annotations

from typing import Any

import numpy as np

MS = "com.microsoft"
# onnxruntime 1.31 reads IR version 13 at most; onnx 1.23 writes 14 unless told otherwise
IR_VERSION = 9
OPSET = 17


class _Graph:
    """Collects initializers and nodes."""

    def __init__(self) -> None:
        import onnx.helper

        self.helper = onnx.helper
        self.inits: list[Any] = []
        self.nodes: list[Any] = []

    def const(self, name: str, array: np.ndarray) -> str:
        from onnx import numpy_helper

        self.inits.append(numpy_helper.from_array(np.ascontiguousarray(array), name))
        return name

    def node(self, op: str, inputs: list[str], output: str, domain: str | None = None,
             extra_outputs: tuple[str, ...] = (), **attrs: Any) -> str:
        self.nodes.append(self.helper.make_node(op, inputs, [output, *extra_outputs],
                                                domain=domain, **attrs))
        return output


def _layer(g: _Graph, w: dict[str, np.ndarray], i: int, x: str, heads: int, eps: float
           ) -> str:
    """One transformer block over `x`; returns the name of its output."""
    p = f"encoder.layer.{i}."
    att = p + "attention."
    qkv = [att + f"self.{n}." for n in ("query", "key", "value")]
    g.const(f"qkv_w{i}", np.concatenate([w[n + "weight"] for n in qkv]).T)
    g.const(f"qkv_b{i}", np.concatenate([w[n + "bias"] for n in qkv]))
    a = g.node("Attention", [x, f"qkv_w{i}", f"qkv_b{i}", "mask"], f"att{i}", MS,
               num_heads=heads)
    a = g.node("MatMul", [a, g.const(f"out_w{i}", w[att + "output.dense.weight"].T)],
               f"att_out{i}")
    x = g.node("SkipLayerNormalization",
               [a, x, g.const(f"ln1_g{i}", w[att + "output.LayerNorm.weight"]),
                g.const(f"ln1_b{i}", w[att + "output.LayerNorm.bias"]),
                g.const(f"out_b{i}", w[att + "output.dense.bias"])], f"mid{i}", MS,
               epsilon=eps)
    up = g.node("MatMul", [x, g.const(f"up_w{i}", w[p + "intermediate.dense.weight"].T)],
                f"up{i}")
    up = g.node("BiasGelu", [up, g.const(f"up_b{i}", w[p + "intermediate.dense.bias"])],
                f"gelu{i}", MS)
    down = g.node("MatMul", [up, g.const(f"down_w{i}", w[p + "output.dense.weight"].T)],
                  f"down{i}")
    return g.node("SkipLayerNormalization",
                  [down, x, g.const(f"ln2_g{i}", w[p + "output.LayerNorm.weight"]),
                   g.const(f"ln2_b{i}", w[p + "output.LayerNorm.bias"]),
                   g.const(f"down_b{i}", w[p + "output.dense.bias"])], f"out{i}", MS,
                  epsilon=eps)


def _mean_pool(g: _Graph, x: str) -> str:
    """Mean of the token vectors where the mask is 1, as sentence-transformers pools."""
    mask = g.node("Cast", ["mask"], "mask_f", to=1)  # 1: FLOAT
    mask = g.node("Unsqueeze", [mask, g.const("axis2", np.array([2], dtype=np.int64))],
                  "mask_3d")
    axis1 = g.const("axis1", np.array([1], dtype=np.int64))
    total = g.node("ReduceSum", [g.node("Mul", [x, mask], "masked"), axis1], "summed",
                   keepdims=0)
    count = g.node("ReduceSum", [mask, axis1], "count", keepdims=0)
    return g.node("Div", [total, count], "pooled")


def build(weights: dict[str, np.ndarray], config: dict[str, Any]) -> bytes:
    """The serialised ONNX model for a BERT sentence encoder with mean pooling.

    `weights` are the safetensors tensors by their Hugging Face names, `config` the model's
    config.json. Raises KeyError when a tensor or setting is missing.
    """
    g = _Graph()
    w = weights
    eps, heads = float(config["layer_norm_eps"]), int(config["num_attention_heads"])
    g.const("word", w["embeddings.word_embeddings.weight"])
    # every token has type 0: its embedding is folded into the position embeddings
    g.const("position", w["embeddings.position_embeddings.weight"]
            + w["embeddings.token_type_embeddings.weight"][0])
    x = g.node("EmbedLayerNormalization",
               ["ids", "", "word", "position", "",
                g.const("ln0_g", w["embeddings.LayerNorm.weight"]),
                g.const("ln0_b", w["embeddings.LayerNorm.bias"]), "mask"], "embedded", MS,
               extra_outputs=("mask_index",), epsilon=eps)  # ORT's kernel writes both
    for i in range(int(config["num_hidden_layers"])):
        x = _layer(g, w, i, x, heads, eps)
    pooled = _mean_pool(g, x)
    h = g.helper
    graph = h.make_graph(
        g.nodes, "all-MiniLM-L6-v2",
        [h.make_tensor_value_info(n, 6, ["batch", "tokens"]) for n in ("ids", "mask")],  # 6: INT32
        [h.make_tensor_value_info(pooled, 1, ["batch", int(config["hidden_size"])])],
        g.inits)
    model = h.make_model(graph, ir_version=IR_VERSION,
                         opset_imports=[h.make_opsetid("", OPSET), h.make_opsetid(MS, 1)])
    blob: bytes = model.SerializeToString()
    return blob
