"""Near-duplicate articles (wire copy re-published, one page under two URLs, light edits):
MinHash signatures of word 5-shingles, banded for candidate lookup."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np

PERMUTATIONS = 64
BANDS = 16                  # 16 bands of 4 rows: pairs above ~0.6 Jaccard nearly always meet
SHINGLE = 5
_PRIME = (1 << 61) - 1
_rng = np.random.default_rng(20240619)
_A = _rng.integers(1, _PRIME, PERMUTATIONS, dtype=np.uint64)
_B = _rng.integers(0, _PRIME, PERMUTATIONS, dtype=np.uint64)
METHOD = f"pactwatch.neardup.v1 (minhash {PERMUTATIONS}x{SHINGLE}-word shingles)"


def shingles(text: str) -> set[int]:
    """64-bit hashes of the text's overlapping 5-word windows (case and punctuation folded)."""
    words = re.findall(r"\w+", text.lower())
    if len(words) < SHINGLE:
        words = words + [""] * (SHINGLE - len(words))
    grams = (" ".join(words[i:i + SHINGLE]) for i in range(len(words) - SHINGLE + 1))
    return {int.from_bytes(hashlib.blake2b(g.encode(), digest_size=8).digest(), "big")
            for g in grams}


def signature(text: str) -> list[int]:
    """The MinHash signature of `text`: PERMUTATIONS minima of universal hashes."""
    values = np.fromiter(shingles(text), dtype=np.uint64) % np.uint64(_PRIME)
    with np.errstate(over="ignore"):
        hashed = (values[:, None] * _A[None, :] + _B[None, :]) % np.uint64(_PRIME)
    return [int(x) for x in hashed.min(axis=0)]


def similarity(a: list[int], b: list[int]) -> float:
    """Estimated Jaccard similarity of the two texts' shingle sets."""
    return float(np.mean(np.array(a, dtype=np.uint64) == np.array(b, dtype=np.uint64)))


def bands(sig: list[int]) -> list[tuple[int, tuple[int, ...]]]:
    rows = PERMUTATIONS // BANDS
    return [(i, tuple(sig[i * rows:(i + 1) * rows])) for i in range(BANDS)]


@dataclass(frozen=True)
class Signed:
    article_id: str
    order: tuple[object, ...]
    signature: list[int]


def find_duplicates(known: Iterable[Signed], new: Iterable[Signed],
                    threshold: float) -> list[tuple[str, str, float]]:
    """(copy, original, similarity) for each new article whose text nearly equals an
    earlier article's (by `order`); the original is the earliest such article."""
    index: dict[tuple[int, tuple[int, ...]], list[Signed]] = {}
    everything = sorted([*known, *new], key=lambda s: s.order)
    new_ids = {s.article_id for s in new}
    out = []
    for s in everything:
        candidates = {c.article_id: c for b in bands(s.signature) for c in index.get(b, ())}
        if s.article_id in new_ids:
            close = [(c.order, c.article_id, similarity(s.signature, c.signature))
                     for c in candidates.values() if c.article_id != s.article_id]
            close = [c for c in close if c[2] >= threshold]
            if close:
                _order, original, sim = min(close)
                out.append((s.article_id, original, round(sim, 3)))
        for b in bands(s.signature):
            index.setdefault(b, []).append(s)
    return out
