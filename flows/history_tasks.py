"""Prefect tasks that judge a pass's articles against the history, after its last batch:
near-duplicates (by shared bands), framing changes (against the outlet-week aggregates) and
claims (against the claim index). Each reads only what its lookup returns, never the
whole history."""

from __future__ import annotations

import contextlib
import ctypes
import gc
import logging
import sys
from collections import Counter
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
from prefect import task
from prefect.cache_policies import NO_CACHE

from extractors import neardup
from extractors.embeddings import shared_encoder
from extractors.framing import FRAMES, method_for
from extractors.matching_names import forget_folds
from extractors.story import Story
from flows.claims import (
    encode_missing,
    history_lookup,
    judgement_rows,
    key_rows,
    vector_rows,
)
from flows.config import FramingConfig
from flows.framing_step import framing_rows, framing_votes, pass_change_rows
from flows.tasks import warehouse
from flows.workers import running_pool
from warehouse.claim_index import ClaimIndex, folder_for
from warehouse.db import transaction
from warehouse.framing_baselines import framing_baselines
from warehouse.history import (
    band_candidates,
    claims_of,
    keys_of,
    max_claim_key,
    pending_claim_ids,
    unchecked_signatures,
    vectors_after,
)
from warehouse.load import Batch, insert_rows, load_batch, write_batch
from warehouse.schemas import (
    DuplicateCheckRow,
    DuplicateRow,
    FramingChangeRow,
    FramingCheckRow,
    FramingRow,
    SignatureBandRow,
)
from warehouse.state import framing_unchecked, unframed_versions


@task(name="link-duplicates", cache_policy=NO_CACHE)
def link_duplicates(warehouse_path: str, run_id: str, threshold: float) -> int:
    """Link each article not compared yet (this run's, or a cut-off run's) that nearly
    equals an earlier article to that original; record the comparison and the version's
    bands in the same transaction, so that a crash before it leaves the article for the
    next run. Earlier articles are looked up by shared bands, not read whole."""
    with warehouse(warehouse_path) as con:
        unchecked = unchecked_signatures(con)
        if not unchecked:
            return 0
        fresh = [_signed(r) for r in unchecked]
        ids = {s.article_id for s in fresh}
        wanted = {b for s in fresh for b in neardup.bands(s.signature)}
        known = [s for r in band_candidates(con, wanted) if (s := _signed(r)).article_id
                 not in ids]
        found = neardup.find_duplicates(known, fresh, threshold)
        now = datetime.now(UTC).replace(tzinfo=None)
        batch = Batch()
        batch.replace_by(SignatureBandRow, "version_id", [r["version_id"] for r in unchecked])
        batch.add(*(SignatureBandRow(version_id=r["version_id"], article_id=s.article_id,
                                     band_no=n, band=list(band))
                    for r, s in zip(unchecked, fresh, strict=True)
                    for n, band in neardup.bands(s.signature)))
        batch.add(*(DuplicateRow(article_id=copy, duplicate_of=original, similarity=sim,
                                 detected_at=now, method=neardup.METHOD)
                    for copy, original, sim in found))
        batch.add(*(DuplicateCheckRow(version_id=r["version_id"], run_id=run_id, checked_at=now)
                    for r in unchecked))
        load_batch(con, batch)
        return len(found)


def _signed(r: dict[str, Any]) -> neardup.Signed:
    return neardup.Signed(str(r["article_id"]), (not r["is_seed"], r["published_at"],
                                                 r["article_id"]), list(r["signature"]))


@task(name="frame-articles", cache_policy=NO_CACHE)
def frame_articles(warehouse_path: str, run_id: str, framing: FramingConfig, story: Story
                   ) -> dict[str, int]:
    """Frame the analysed versions not framed yet (with the `story`'s words and prototypes;
    a pass's batches frame their own in its workers), then flag the framing changes of
    every version not judged yet. The warehouse is closed while sentences are encoded
    (minutes for a large backlog)."""
    with warehouse(warehouse_path) as con:
        todo, reframed = unframed_versions(con, method_for(framing.embeddings))
        if not todo and not framing_unchecked(con):  # nothing to frame, nothing to judge
            return {"framed": 0, "framing_changes": 0}
    votes = framing_votes([s for _v, _a, s in todo], framing.embeddings, story,
                          framing.model_dir)
    rows = framing_rows(run_id, todo, votes, story)
    rows.replace_by(FramingRow, "version_id", sorted(reframed))
    # versions framed again by another method update the baselines; only new versions are
    # judged for changes. Rows, flags and checks commit together: a crash loses none alone.
    with warehouse(warehouse_path) as con, transaction(con):
        write_batch(con, rows)
        unchecked = framing_unchecked(con)
        fresh = unchecked - reframed
        # sums over the baselines, not the versions (warehouse/framing_baselines.py); the
        # outlet weeks the fresh and the reframed versions can change are judged again
        flags = pass_change_rows(run_id, framing_baselines(con, FRAMES, fresh, reframed),
                                 fresh)
        added = insert_rows(con, FramingChangeRow, flags)
        now = datetime.now(UTC).replace(tzinfo=None)
        insert_rows(con, FramingCheckRow, [FramingCheckRow(version_id=v, run_id=run_id,
                                                           checked_at=now)
                                           for v in sorted(unchecked)])
    return {"framed": len(unchecked | {v for v, _a, _s in todo}), "framing_changes": added}


# Claims judged at once: a pass reads, judges and stores its claims in parts of this many,
# in knowledge order, each part's vectors added to the claim index before the next part is
# judged against it. The flow's memory is bounded by a part, not by the pass (120,000 claims
# at 5,000 articles held 2.7 GB), and each claim is compared exactly with the claims of its
# part and through the index with everything before. 4,096 rather than 8,192 (session 7):
# a part's peak is lower, the time the same (bench/RESULTS.md).
CLAIMS_AT_ONCE = 4_096


@task(name="flag-claims", cache_policy=NO_CACHE)
def flag_claims(warehouse_path: str, run_id: str, story: Story, model_dir: Path | None = None
                ) -> dict[str, int]:
    """Judge new claims (and those after a late arrival) against all earlier ones, folding
    the `story`'s synonyms: the earlier ones held in the claim index are looked up, not
    read. Claims are judged in parts of CLAIMS_AT_ONCE (in knowledge order); for each part,
    claims without a vector are encoded with the warehouse closed, then vectors, keys and
    judgements commit together and the index takes the vectors (a crash in between: the
    next pass completes the index, and judges from the first part not committed)."""
    with warehouse(warehouse_path) as con:
        ids = pending_claim_ids(con)
        # keys of claims judged again: left out of the index's answers until their part
        keyed = keys_of(con, ids) if ids else {}
    exclude = set(keyed.values())
    release_part()   # what the pass's batches left behind, before the first part
    index = ClaimIndex(folder_for(warehouse_path))
    counts: Counter[str] = Counter()
    for n, at in enumerate(range(0, len(ids), CLAIMS_AT_ONCE)):
        part = ids[at:at + CLAIMS_AT_ONCE]
        counts.update(_flag_part(warehouse_path, run_id, story, model_dir, index, part,
                                 exclude, every=n > 0))
        exclude.difference_update(keyed[i] for i in part if i in keyed)
        release_part()
    return dict(counts)


def release_part() -> None:
    """Give back what judging a part held, so that a pass's peak does not creep up part
    after part: matching's memo of folded words (`forget_folds`), unreachable cycles, and
    the free pages of the C heap (glibc's `malloc_trim`; without it the freed records of a
    part stay in the process, measured in bench/RESULTS.md, session 7)."""
    forget_folds()
    gc.collect()
    if sys.platform.startswith("linux"):
        with contextlib.suppress(OSError, AttributeError):   # not glibc: nothing to trim
            ctypes.CDLL("libc.so.6").malloc_trim(0)


def _flag_part(warehouse_path: str, run_id: str, story: Story, model_dir: Path | None,
               index: ClaimIndex, ids: list[str], exclude: set[int], every: bool
               ) -> Counter[str]:
    """Judge the claims `ids` (a part of the pass's, in knowledge order) and store the
    judgements; their vectors go into the claim index. `exclude`: keys the index must not
    hand on (claims of this part and later parts that are judged again)."""
    with warehouse(warehouse_path) as con:
        claims = claims_of(con, ids)
    # the pass's workers encode while they are up; otherwise the encoder is loaded here, only
    # when some claim has no vector yet, or some earlier claim is close enough for its
    # clauses to count (matching v4)
    pool = running_pool(run_id)

    def encode(texts: Sequence[str]) -> Any:
        if pool is not None:
            return pool.encode(list(texts))
        return shared_encoder(model_dir).encode(list(texts))

    fresh = encode_missing(claims, encode)
    with warehouse(warehouse_path) as con:
        index.sync(max_claim_key(con), lambda after: vectors_after(con, after))
        rows = judgement_rows(run_id, claims, story.matching.synonyms,
                              history_lookup(con, index, exclude), encode, every=every)
        # claims a pass's workers encoded come with their vectors (stored with their batch);
        # each claim the index does not hold yet gets its key now
        unkeyed = [r for r in claims if r["claim_key"] is None]
        with transaction(con):
            first_key = max_claim_key(con) + 1
            batch = Batch()
            batch.add(*vector_rows([r["claim_id"] for r in fresh], [r["vector"] for r in fresh]),
                      *key_rows([r["claim_id"] for r in unkeyed], first_key), *rows)
            write_batch(con, batch)
    _index_fresh(index, unkeyed, first_key)
    return Counter(r.status for r in rows)


def _index_fresh(index: ClaimIndex, fresh: list[dict[str, Any]], first_key: int) -> None:
    """Add the vectors of the claims just keyed (`fresh`, from `first_key` on) to the claim
    index; a failure is logged, not raised: the warehouse holds them, and the next pass
    completes the index from there."""
    if not fresh:
        return
    try:
        index.add(np.arange(first_key, first_key + len(fresh), dtype=np.int64),
                  np.stack([r["vector"] for r in fresh]))
    except (OSError, ValueError) as exc:
        logging.getLogger(__name__).warning("claim index not updated (%s); the next pass "
                                            "completes it from the warehouse", exc)
