"""The frame each sentence is nearest to, by sentence embeddings against prototype sentences.

Prototypes (the story's `frame_prototypes.toml`, handed down as text by the configuration)
were written from the Policy Frames Codebook's definitions; nothing is trained. A sentence's
similarity to a frame is the mean cosine of its three nearest prototypes of that frame; the
sentence votes for the most similar frame (`tone.readings` reads each sentence's frame and
tone in one encoding).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from extractors.embeddings import MODEL_NAME, Encoder

NEAREST = 3          # prototypes averaged per frame (fixed before any evaluation)
CHUNK = 2048         # sentences encoded at a time: bounds memory on a large backlog
METHOD = f"{MODEL_NAME} prototypes v1"


@dataclass(frozen=True)
class Prototypes:
    frames: tuple[str, ...]
    vectors: np.ndarray          # (prototypes, dim), unit rows
    owner: np.ndarray            # frame index of each prototype


def encode_prototypes(encoder: Encoder, texts: Mapping[str, Sequence[str]]) -> Prototypes:
    """The prototypes (class → its definition and prototype sentences), encoded in one
    call; the classes keep the order of `texts`."""
    frames = tuple(texts)
    owner = np.array([i for i, f in enumerate(frames) for _ in texts[f]])
    vectors = encoder.encode([s for f in frames for s in texts[f]])
    return Prototypes(frames, vectors, owner)


def frame_similarity(p: Prototypes, vectors: np.ndarray) -> np.ndarray:
    """(sentences, frames): mean cosine of each sentence's nearest prototypes per frame."""
    sims = vectors @ p.vectors.T
    out = np.zeros((len(vectors), len(p.frames)), dtype=np.float32)
    for j in range(len(p.frames)):
        own = sims[:, p.owner == j]
        k = min(NEAREST, own.shape[1])
        out[:, j] = np.sort(own, axis=1)[:, -k:].mean(axis=1)
    return out
