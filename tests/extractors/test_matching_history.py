"""Matching against history held in the claim index gives the verdicts of matching against
every earlier claim held in memory (the index's recall is measured in
tests/warehouse/test_claim_index.py)."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import numpy as np

from extractors.matching import (
    CANDIDATES,
    SAME_WORDS_MEANING,
    ClaimRecord,
    Judgement,
    Pool,
    judge,
)
from extractors.quantities import Quantity
from flows.config import builtin_story
from warehouse.claim_index import ClaimIndex, chunked

ACTORS = ["Russia", "North Korea", "China", "Ukraine", "Japan", "South Korea"]
VERBS = ["send", "deploy", "sign", "supply", "deny"]
UNITS = ["shell", "troop", "missile"]
SYNONYMS = builtin_story().matching.synonyms   # the pact story's words, as a pass folds them
START = datetime(2025, 1, 1)


def history_of(n_assertions: int, n: int, fresh_from: int, seed: int = 3
               ) -> list[ClaimRecord]:
    """`n` claims repeating `n_assertions` assertions (close vectors, the same actors and
    verb); from `fresh_from` on, some are new assertions and a third carry a number never
    seen before: repeated, changed and new verdicts."""
    rng = np.random.default_rng(seed)
    base = rng.normal(size=(n_assertions, 384))
    base /= np.linalg.norm(base, axis=1, keepdims=True)
    out = []
    for i in range(n):
        a = int(rng.integers(0, n_assertions))
        v = base[a] + rng.normal(0, 0.015, 384)
        if i >= fresh_from and rng.random() < 0.15:
            v = rng.normal(size=384)          # an assertion never made before
        actors = (ACTORS[a % 6], ACTORS[(a + 1 + a // 6) % 6])
        verb, unit = VERBS[a % 5], UNITS[a % 3]
        number = 1000 * (a % 17 + 1) + (i if i >= fresh_from and rng.random() < 0.3 else 0)
        text = f"{actors[0]} will {verb} {number} {unit}s to {actors[1]}"
        when = START + timedelta(minutes=i)
        out.append(ClaimRecord(
            claim_id=f"c{i}", order=(1, when, f"a{i}", when, 0), published_at=when, text=text,
            predicate=verb, lemmas=tuple(text.lower().split()), verbs=(verb,), actors=actors,
            claimant="", claimant_actors=(), certainty="asserted", negated=False,
            quantities=(Quantity(str(number), float(number), unit, "="),), dates=(),
            vector=(v / np.linalg.norm(v)).astype(np.float32)))
    return out


def index_history(folder: Path, earlier: list[ClaimRecord], exclude: set[int] | None = None
                  ) -> Any:
    """A `History` over the claim index of `earlier` (keys 1..n in order), leaving out the
    keys in `exclude`. Its records carry no vector, as those the warehouse looks up by key."""
    index = ClaimIndex(folder)
    looked_up = [replace(c, vector=None) for c in earlier]
    vectors = np.stack([c.vector for c in earlier])
    keys = np.arange(1, len(earlier) + 1, dtype=np.int64)
    index.sync(len(earlier), lambda after: chunked(keys[after:], vectors[after:]))

    def lookup(block: Any) -> tuple[list[Pool], dict[str, Judgement]]:
        hits = index.search(block, CANDIDATES, exclude or set())
        return [[(float(s), looked_up[int(k) - 1]) for k, s in zip(ks, ss, strict=True)]
                for ks, ss in zip(hits.keys, hits.sims, strict=True)], {}
    return lookup


def test_verdicts_from_the_index_equal_those_from_every_claim_in_memory(tmp_path: Path
                                                                         ) -> None:
    claims = history_of(1500, 24_300, fresh_from=24_000)
    earlier, new = claims[:24_000], claims[24_000:]
    dense = judge(claims, 24_000, {}, SYNONYMS)
    indexed = judge(new, 0, {}, SYNONYMS, index_history(tmp_path / "ix", earlier))
    statuses = {j.status for j in dense}
    assert statuses == {"new", "repeated", "changed"}
    # Identical but for one field: a new claim's `similarity` (its nearest earlier claim's
    # cosine, far below any match) may come from a list the index did not probe.
    assert [replace(j, similarity=None) if j.status == "new" else j for j in indexed] == \
        [replace(j, similarity=None) if j.status == "new" else j for j in dense]
    far = [(a.similarity, b.similarity) for a, b in zip(dense, indexed, strict=True)
           if a.status == "new"]
    assert all(i <= d < SAME_WORDS_MEANING for d, i in far if d != i)
    assert sum(d == i for d, i in far) >= len(far) // 2


def test_claims_judged_again_never_meet_later_claims(tmp_path: Path) -> None:
    """After a late arrival, claims already in the index are judged again: the caller
    leaves their keys out, so only claims before each of them can be its match."""
    claims = history_of(40, 600, fresh_from=300)
    dense = judge(claims, 300, {}, SYNONYMS)
    held = index_history(tmp_path / "ix", claims, exclude=set(range(301, 601)))
    again = judge(claims[300:], 0, {}, SYNONYMS, held)
    assert {j.status for j in dense} == {"new", "repeated", "changed"}
    assert again == dense
    unfiltered = judge(claims[300:], 0, {}, SYNONYMS, index_history(tmp_path / "all", claims))
    assert unfiltered != dense   # without the exclusion, later claims would leak in
