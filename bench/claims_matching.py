"""Benchmark: judge 1,000 new claims against 10,000 and 100,000 known ones.

Synthetic claims with news-like statistics: content lemmas drawn from a Zipf distribution
over a 20,000-word vocabulary (8–16 per claim), 1–4 actors from a Zipf-distributed pool of
500 entities, a quantity on a third of them; one in ten repeats an earlier claim with two
lemmas swapped (and its number doubled, half the time). Vectors: random unit vectors; a
repeat's vector is its original's with noise (cosine about 0.9).
Run: `.venv/bin/python bench/claims_matching.py`.
"""

from __future__ import annotations

import random
import sys
import time
from datetime import datetime, timedelta

import numpy as np

from extractors.matching import ClaimRecord, judge
from extractors.quantities import Quantity
from flows.config import builtin_story

VOCAB = [f"w{i}" for i in range(20_000)]
ACTORS = [f"Actor {i}" for i in range(500)]
UNITS = ["troop", "container", "shell", "missile", "casualty"]


CUM: dict[int, list[float]] = {}


def zipf_pick(rng: random.Random, items: list[str], k: int) -> list[str]:
    if len(items) not in CUM:
        total, cum = 0.0, []
        for i in range(len(items)):
            total += 1 / (i + 1)
            cum.append(total)
        CUM[len(items)] = cum
    return rng.choices(items, cum_weights=CUM[len(items)], k=k)


def paraphrase(rng: random.Random, c: ClaimRecord, i: int, when: datetime) -> ClaimRecord:
    """A later claim repeating `c` with two lemmas swapped (and its number changed, half
    the time)."""
    lemmas = list(c.lemmas)
    for _ in range(2):
        lemmas[rng.randrange(len(lemmas))] = rng.choice(VOCAB)
    qty = tuple(Quantity(q.text, q.value * 2 if rng.random() < 0.5 else q.value, q.unit, "=")
                for q in c.quantities)
    return ClaimRecord(f"c{i}", (1, when, i), when, c.text, c.predicate, tuple(sorted(lemmas)),
                       c.verbs, c.actors, c.claimant, (), c.certainty, False, qty, (),
                       unit(c.vector + np.random.default_rng(i).normal(0, 0.025, DIM)))


DIM = 384


def unit(v: np.ndarray) -> np.ndarray:
    return (v / np.linalg.norm(v)).astype(np.float32)


def synthetic(n: int, seed: int = 7) -> list[ClaimRecord]:
    rng = random.Random(seed)
    start = datetime(2024, 6, 19)
    out = []
    for i in range(n):
        when = start + timedelta(minutes=i)
        if out and rng.random() < 0.1:
            out.append(paraphrase(rng, rng.choice(out), i, when))
            continue
        lemmas = tuple(sorted(set(zipf_pick(rng, VOCAB, rng.randint(8, 16)))))
        qty = (Quantity("n", float(rng.randint(1, 20_000)), rng.choice(UNITS), "="),) \
            if rng.random() < 0.33 else ()
        out.append(ClaimRecord(
            claim_id=f"c{i}", order=(1, when, i), published_at=when, text=" ".join(lemmas),
            predicate=lemmas[0], lemmas=lemmas, verbs=lemmas[:2],
            actors=tuple(sorted(set(zipf_pick(rng, ACTORS, rng.randint(1, 4))))),
            claimant=rng.choice(["", "officials", "the agency"]), claimant_actors=(),
            certainty=rng.choice(["asserted", "reported", "believed"]), negated=False,
            quantities=qty, dates=(), vector=unit(np.random.default_rng(i).normal(0, 1, DIM))))
    return out


def run(known: int, new: int = 1_000) -> tuple[float, dict[str, int]]:
    claims = synthetic(known + new)
    started = time.perf_counter()
    verdicts = judge(claims, known, {}, builtin_story().matching.synonyms)
    elapsed = time.perf_counter() - started
    counts: dict[str, int] = {}
    for v in verdicts:
        counts[v.status] = counts.get(v.status, 0) + 1
    return elapsed, counts


if __name__ == "__main__":
    sizes = [int(a) for a in sys.argv[1:]] or [10_000, 100_000]
    for known in sizes:
        elapsed, counts = run(known)
        print(f"1,000 new vs {known:,} known: {elapsed:.2f} s  {counts}")
