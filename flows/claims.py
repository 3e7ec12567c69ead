"""Claim rows and the `flag` step: judge every claim not yet judged (and the ones after it)."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

import numpy as np

from extractors import checkworthy
from extractors.claims import COMPONENT as CLAIMS_COMPONENT
from extractors.claims import Claim
from extractors.embeddings import MODEL_NAME
from extractors.matching import (
    CANDIDATE_FLOOR,
    CANDIDATES,
    METHOD,
    ClaimRecord,
    History,
    Judgement,
    Pool,
    judge,
)
from extractors.quantities import Quantity
from flows.rows import VersionInput, digest, naive
from warehouse.claim_index import ClaimIndex
from warehouse.history import claims_by_key
from warehouse.schemas import ClaimJudgementRow, ClaimKeyRow, ClaimRow, ClaimVectorRow

Encode = Callable[[Sequence[str]], Any]
JUDGEMENT_FIELDS = ("status", "matched_claim_id", "similarity", "changes", "origin_claim_id")


def claim_rows(run_id: str, v: VersionInput, claims: tuple[Claim, ...], nlp_method: str
               ) -> list[ClaimRow]:
    """`claims` rows for one analysed version (one claim per sentence at most)."""
    method = f"{nlp_method}; {CLAIMS_COMPONENT}; {checkworthy.default_model().component}"
    return [ClaimRow(
        claim_id=f"{v.version_id}:{c.sentence_idx}", sentence_id=f"{v.version_id}:"
        f"{c.sentence_idx}", version_id=v.version_id, article_id=v.article_id,
        sentence_idx=c.sentence_idx, start_char=c.start_char, end_char=c.end_char,
        sentence=c.sentence, claim_text=c.claim_text, claimant=c.claimant,
        claimant_actors=list(c.claimant_actors), reporting_verb=c.reporting_verb,
        certainty=c.certainty, predicate=c.predicate, negated=c.negated,
        actors=list(c.actors), dates=list(c.dates), lemmas=list(c.lemmas),
        verbs=list(c.verbs),
        quantities=[{"text": q.text, "value": q.value, "unit": q.unit, "bound": q.bound}
                    for q in c.quantities],
        checkworthiness=round(c.score, 4), method=method, run_id=run_id,
    ) for c in claims]


def _record(r: dict[str, Any]) -> ClaimRecord:
    order = (0 if r["is_seed"] else 1, r["published_at"], r["article_id"], r["fetched_at"],
             r["sentence_idx"])
    return ClaimRecord(
        claim_id=r["claim_id"], order=order, published_at=r["published_at"],
        text=r["claim_text"], predicate=r["predicate"] or "", lemmas=tuple(r["lemmas"] or ()),
        verbs=tuple(r["verbs"] or ()),
        actors=tuple(r["actors"] or ()),
        claimant=r["claimant"], claimant_actors=tuple(r["claimant_actors"] or ()),
        certainty=r["certainty"], negated=r["negated"],
        quantities=tuple(Quantity(q["text"], q["value"], q["unit"], q["bound"])
                         for q in r["quantities"] or ()),
        dates=tuple(r["dates"] or ()),
        vector=np.asarray(r["vector"], dtype=np.float32) if r.get("vector") is not None
        else None)


def _current(r: dict[str, Any]) -> Judgement | None:
    from extractors.matching import Change

    if r["status"] is None:
        return None
    return Judgement(r["claim_id"], r["status"], r["matched_claim_id"], r["similarity"],
                     tuple(Change(c["field"], c["old"], c["new"]) for c in r["changes"] or ()),
                     r["origin_claim_id"], r["first_seen_at"])


def judgement_rows(run_id: str, rows: list[dict[str, Any]], synonyms: Mapping[str, str],
                   history: History | None = None, clauses: Encode | None = None,
                   every: bool = False) -> list[ClaimJudgementRow]:
    """Judge what needs judging among `rows` (each with its `vector`): from the first one
    not judged yet (in knowledge order) on, or all of them when `every` (a later part of a
    pass's claims: claims after a late arrival are judged again). Folds the story's
    `synonyms`; judges against the claims before each one among `rows` and, when given, the
    `history` before them all; `clauses` encodes the clauses of fairly close earlier claims
    (extractors/matching_clauses.py). Returns the judgement rows that are new or differ from the
    current ones."""
    pairs = sorted(((_record(r), r) for r in rows), key=lambda p: p[0].order)
    ordered = [r for _c, r in pairs]
    records = [c for c, _r in pairs]   # each row read once
    current = {r["claim_id"]: _current(r) for r in ordered}
    start = 0 if every else next(
        (i for i, r in enumerate(ordered) if current[r["claim_id"]] is None), len(ordered))
    prior = {c.claim_id: j for c in records[:start] if (j := current[c.claim_id])}
    now = naive(datetime.now(UTC))
    out = []
    for j in judge(records, start, prior, synonyms, history, clauses):
        old = current.get(j.claim_id)
        if old is not None and all(getattr(old, f) == getattr(j, f) for f in JUDGEMENT_FIELDS):
            continue
        out.append(ClaimJudgementRow(
            judgement_id=digest(j.claim_id, run_id), claim_id=j.claim_id,
            run_id=run_id, judged_at=now, status=j.status,
            matched_claim_id=j.matched_claim_id, similarity=j.similarity,
            changes=[{"field": c.field, "old": c.old, "new": c.new} for c in j.changes],
            origin_claim_id=j.origin_claim_id, first_seen_at=naive(j.first_seen_at),
            method=METHOD))
    return out


def encode_missing(rows: list[dict[str, Any]], encode: Encode) -> list[dict[str, Any]]:
    """Give rows without a stored vector the vector of their claim text (one batched call
    to `encode`, texts → unit vectors). Returns those rows, in order."""
    todo = [r for r in rows if r.get("vector") is None]
    vectors = encode([r["claim_text"] for r in todo]) if todo else []
    for r, v in zip(todo, vectors, strict=True):
        r["vector"] = np.asarray(v, dtype=np.float32)
    return todo


def vector_rows(claim_ids: Sequence[str], vectors: Any, now: datetime | None = None
                ) -> list[ClaimVectorRow]:
    """`claim_vectors` rows: each claim's unit vector (`vectors`, one row per id)."""
    at = now or naive(datetime.now(UTC))
    assert at is not None
    # tolist(): the float32 values as Python floats, as float(x) each, several times faster
    return [ClaimVectorRow(claim_id=i, vector=np.asarray(v).tolist(), model=MODEL_NAME,
                           created_at=at) for i, v in zip(claim_ids, vectors, strict=True)]


def key_rows(claim_ids: Sequence[str], first_key: int) -> list[ClaimKeyRow]:
    """`claim_keys` rows for claims whose vectors the claim index does not hold yet, keyed
    first_key, first_key + 1, … in order (the claim index appends them in this order)."""
    return [ClaimKeyRow(claim_key=first_key + n, claim_id=i) for n, i in enumerate(claim_ids)]


HELD_RECORDS = 20_000   # looked-up earlier claims kept for the next blocks of a judging


def history_lookup(con: Any, index: ClaimIndex, exclude: set[int]) -> History:
    """Nearest earlier claims from the claim index (leaving out `exclude`, the keys of
    claims being judged again); the records of those close enough to match are read from
    the warehouse by key, with their current judgements. Records read for one block of
    claims are kept for the next ones (nearby claims share candidates), up to HELD_RECORDS."""
    held: dict[int, tuple[ClaimRecord, Judgement | None]] = {}

    def lookup(vectors: Any) -> tuple[list[Pool], dict[str, Judgement]]:
        hits = index.search(vectors, CANDIDATES, exclude)
        close = {int(k) for keys, sims in zip(hits.keys, hits.sims, strict=True)
                 for k, s in zip(keys, sims, strict=True) if s >= CANDIDATE_FLOOR}
        if len(held) + len(close) > HELD_RECORDS:
            held.clear()
        missing = close - held.keys()
        rows = claims_by_key(con, missing) if missing else {}
        held.update((k, (_record(r), _current(r))) for k, r in rows.items())
        mine = {k: held[k] for k in close if k in held}
        pools = [[(float(s), mine[int(k)][0] if int(k) in mine else None)
                  for k, s in zip(keys, sims, strict=True)]
                 for keys, sims in zip(hits.keys, hits.sims, strict=True)]
        seen = {record.claim_id: j for record, j in mine.values() if j}
        return pools, seen
    return lookup
