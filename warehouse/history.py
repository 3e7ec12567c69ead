"""Reads of history a pass needs, each bounded by what the pass brings, not by history:
claims to judge and the nearest earlier claims (by key, from the claim index), vectors to
complete the index with."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

import duckdb
import numpy as np
import pyarrow as pa

from warehouse.db import dict_rows

CLAIM_COLUMNS = """
    c.claim_id, a.is_seed, coalesce(v.published_at, a.first_seen_at) AS published_at,
    c.article_id, v.fetched_at, c.sentence_idx, c.claim_text, c.predicate, c.lemmas, c.verbs,
    c.actors, c.claimant, c.claimant_actors, c.certainty, c.negated, c.quantities, c.dates"""

# The latest judgement of each claim in _ids (not of every claim).
LATEST = """
    SELECT j.* FROM claim_judgements j JOIN _ids ON _ids.id = j.claim_id
    QUALIFY row_number() OVER (PARTITION BY j.claim_id
                               ORDER BY j.judged_at DESC, j.judgement_id) = 1"""

RECORDS = f"""
    WITH latest AS ({LATEST})
    SELECT {CLAIM_COLUMNS},
           j.status, j.matched_claim_id, j.similarity, j.changes, j.origin_claim_id,
           j.first_seen_at, k.claim_key
    FROM _ids JOIN claims c ON c.claim_id = _ids.id
    JOIN articles a USING (article_id)
    JOIN article_versions v USING (version_id)
    LEFT JOIN latest j USING (claim_id)
    LEFT JOIN claim_keys k USING (claim_id)
"""

# Knowledge order, as matching sorts claims: seeds first, then by publication, article,
# fetch and sentence. Claims from the first one never judged on are judged (again).
PENDING_IDS = """
    WITH ordered AS (
        SELECT c.claim_id,
               row(CASE WHEN a.is_seed THEN 0 ELSE 1 END,
                   coalesce(v.published_at, a.first_seen_at), c.article_id, v.fetched_at,
                   c.sentence_idx) AS ord
        FROM claims c JOIN articles a USING (article_id)
        JOIN article_versions v USING (version_id)
    ),
    first AS (
        SELECT min(ord) AS ord FROM ordered o
        WHERE NOT EXISTS (SELECT 1 FROM claim_judgements j WHERE j.claim_id = o.claim_id)
    )
    SELECT o.claim_id FROM ordered o, first f WHERE o.ord >= f.ord ORDER BY o.ord
"""


def _ids(con: duckdb.DuckDBPyConnection, ids: Iterable[str]) -> None:
    con.execute("CREATE OR REPLACE TEMP TABLE _ids (id VARCHAR)")
    con.register("_ids_in", pa.table({"id": pa.array(list(ids), pa.string())}))
    con.execute("INSERT INTO _ids SELECT id FROM _ids_in")
    con.unregister("_ids_in")


def claims_to_judge(con: duckdb.DuckDBPyConnection) -> list[dict[str, Any]]:
    """Every claim from the first unjudged one (in knowledge order) on, with what matching
    needs, its current judgement (None if unjudged), its `claim_key` and `vector` (None
    when it has none yet). Claims before the first unjudged one are history: the claim
    index finds the nearest of them (`claims_by_key`). A pass reads them in parts:
    `pending_claim_ids`, then `claims_of` each part."""
    return claims_of(con, pending_claim_ids(con))


def pending_claim_ids(con: duckdb.DuckDBPyConnection) -> list[str]:
    """The ids of the claims to judge (`claims_to_judge`), in knowledge order."""
    return [r[0] for r in con.execute(PENDING_IDS).fetchall()]


def claims_of(con: duckdb.DuckDBPyConnection, ids: list[str]) -> list[dict[str, Any]]:
    """The claims `ids` as `claims_to_judge` gives them (in no particular order)."""
    if not ids:
        return []
    _ids(con, ids)
    rows = dict_rows(con, RECORDS)
    # vectors: of claims judged before (judged again after a late arrival), and of those a
    # pass's workers encoded and stored with their batch
    vectors = _vectors_of_ids(con)
    for r in rows:
        r["vector"] = vectors.get(r["claim_id"])
    return rows


def keys_of(con: duckdb.DuckDBPyConnection, ids: list[str]) -> dict[str, int]:
    """The `claim_key` of each claim among `ids` that has one."""
    _ids(con, ids)
    return {str(i): int(k) for i, k in con.execute(
        "SELECT claim_id, claim_key FROM claim_keys JOIN _ids ON id = claim_id").fetchall()}


def _vectors_of_ids(con: duckdb.DuckDBPyConnection) -> dict[str, np.ndarray]:
    """The stored vectors of the claims in `_ids`, as float32 rows of one array (Python
    lists of floats took 8× the memory: a pass of 1,000 articles judges 24,000 claims)."""
    table = con.sql("SELECT claim_id, vector FROM claim_vectors JOIN _ids ON id = claim_id"
                    ).to_arrow_table()
    if not table.num_rows:
        return {}
    ids = table.column(0).to_pylist()
    flat = table.column(1).combine_chunks().flatten().to_numpy(zero_copy_only=False)
    rows = flat.astype(np.float32).reshape(table.num_rows, -1)
    return dict(zip(ids, rows, strict=True))


def claims_by_key(con: duckdb.DuckDBPyConnection, keys: Iterable[int]
                  ) -> dict[int, dict[str, Any]]:
    """Claims by `claim_key`, with what matching needs and their current judgement."""
    con.execute("CREATE OR REPLACE TEMP TABLE _key_in (k BIGINT)")
    con.register("_keys_arrow", pa.table({"k": pa.array(list(keys), pa.int64())}))
    con.execute("INSERT INTO _key_in SELECT k FROM _keys_arrow")
    con.unregister("_keys_arrow")
    ids = [r[0] for r in con.execute(
        "SELECT claim_id FROM claim_keys JOIN _key_in ON k = claim_key").fetchall()]
    _ids(con, ids)
    return {int(r["claim_key"]): r for r in dict_rows(con, RECORDS)}


def max_claim_key(con: duckdb.DuckDBPyConnection) -> int:
    """The highest claim key: the claim index must hold keys 1..this."""
    return int(con.execute("SELECT coalesce(max(claim_key), 0) FROM claim_keys")
               .fetchall()[0][0])


def key_rows(start: int, claim_ids: list[str]) -> list[dict[str, Any]]:
    """`claim_keys` rows for newly stored vectors: keys start+1, start+2, …"""
    return [{"claim_key": start + n, "claim_id": c} for n, c in enumerate(claim_ids, 1)]


def vectors_after(con: duckdb.DuckDBPyConnection, after: int, chunk: int = 65_536
                  ) -> Iterator[tuple[np.ndarray, np.ndarray]]:
    """(keys, float32 vectors) of every stored vector with key > `after`, in key order and
    in chunks (the claim index is built or completed from these)."""
    reader = con.sql("""
        SELECT k.claim_key, cv.vector FROM claim_keys k JOIN claim_vectors cv USING (claim_id)
        WHERE k.claim_key > ? ORDER BY k.claim_key
    """, params=[after]).to_arrow_reader(chunk)
    for batch in reader:
        if not batch.num_rows:
            continue
        keys = batch.column(0).to_numpy()
        flat = batch.column(1).flatten().to_numpy(zero_copy_only=False)
        yield keys.astype(np.int64), flat.astype(np.float32).reshape(batch.num_rows, -1)


# Articles whose latest signature was not compared with the others yet (nor linked).
UNCHECKED = """
    WITH todo AS (
        SELECT DISTINCT s.article_id FROM article_signatures s
        WHERE NOT EXISTS (SELECT 1 FROM duplicate_checks c WHERE c.version_id = s.version_id)
    )
    SELECT * FROM (%s) latest
    WHERE NOT EXISTS (SELECT 1 FROM duplicate_checks c WHERE c.version_id = latest.version_id)
      AND NOT EXISTS (SELECT 1 FROM duplicates d WHERE d.article_id = latest.article_id)
"""

LATEST_SIGNATURES = """
    SELECT s.article_id, s.version_id, s.signature, a.is_seed,
           coalesce(v.published_at, a.first_seen_at) AS published_at
    FROM article_signatures s JOIN %s t ON t.article_id = s.article_id
    JOIN article_versions v USING (version_id)
    JOIN articles a ON a.article_id = s.article_id
    QUALIFY row_number() OVER (PARTITION BY s.article_id
                               ORDER BY v.fetched_at DESC, s.version_id DESC) = 1
"""


def unchecked_signatures(con: duckdb.DuckDBPyConnection) -> list[dict[str, Any]]:
    """Each article whose latest signature was not compared with the others yet (and that
    is not linked as a copy): that signature, its version and publication order key."""
    return dict_rows(con, UNCHECKED % (LATEST_SIGNATURES % "todo"))


def band_candidates(con: duckdb.DuckDBPyConnection,
                    bands: Iterable[tuple[int, tuple[int, ...]]]) -> list[dict[str, Any]]:
    """The latest signature (as `unchecked_signatures` gives it) of every article any of
    whose signatures shares one of `bands` (band number, values)."""
    band_list = list(bands)
    con.register("_bands_in", pa.table({
        "band_no": pa.array([b for b, _v in band_list], pa.int16()),
        "band": pa.array([list(v) for _b, v in band_list], pa.list_(pa.int64()))}))
    con.execute("""CREATE OR REPLACE TEMP TABLE _cand AS
                   SELECT DISTINCT b.article_id FROM signature_bands b
                   JOIN _bands_in q ON q.band_no = b.band_no AND q.band = b.band""")
    con.unregister("_bands_in")
    return dict_rows(con, LATEST_SIGNATURES % "_cand")
