"""Claim rows and the `flag` step: judge every claim not yet judged (and the ones after it)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from typing import Any

import numpy as np

from extractors.claims import COMPONENT as CLAIMS_COMPONENT
from extractors.claims import Claim
from extractors.embeddings import MODEL_NAME
from extractors.matching import METHOD, ClaimRecord, Judgement, judge, with_vectors
from extractors.quantities import Quantity
from flows.rows import VersionInput, digest, naive
from warehouse.schemas import ClaimJudgementRow, ClaimRow, ClaimVectorRow

Encode = Callable[[Sequence[str]], Any]
JUDGEMENT_FIELDS = ("status", "matched_claim_id", "similarity", "changes", "origin_claim_id")


def claim_rows(run_id: str, v: VersionInput, claims: tuple[Claim, ...], nlp_method: str
               ) -> list[ClaimRow]:
    """`claims` rows for one analysed version (one claim per sentence at most)."""
    method = f"{nlp_method}; {CLAIMS_COMPONENT}"
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


def judgement_rows(run_id: str, rows: list[dict[str, Any]], encode: Encode
                   ) -> tuple[list[ClaimJudgementRow], list[ClaimVectorRow]]:
    """Judge what needs judging. Returns the judgement rows that are new or differ, and the
    vectors computed for claims that had none (`encode`: texts → unit vectors)."""
    pairs = sorted(((_record(r), r) for r in rows), key=lambda p: p[0].order)
    ordered = [r for _c, r in pairs]
    records = with_vectors([c for c, _r in pairs], encode)   # each row read once
    fresh = [c for c, r in zip(records, ordered, strict=True) if r.get("vector") is None]
    current = {r["claim_id"]: _current(r) for r in ordered}
    start = next((i for i, r in enumerate(ordered) if current[r["claim_id"]] is None),
                 len(ordered))
    prior = {c.claim_id: j for c in records[:start] if (j := current[c.claim_id])}
    now = naive(datetime.now(UTC))
    out = []
    for j in judge(records, start, prior):
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
    return out, vector_rows([c.claim_id for c in fresh], [c.vector for c in fresh], now)


def vector_rows(claim_ids: Sequence[str], vectors: Any, now: datetime | None = None
                ) -> list[ClaimVectorRow]:
    """`claim_vectors` rows: each claim's unit vector (`vectors`, one row per id)."""
    at = now or naive(datetime.now(UTC))
    assert at is not None
    # tolist(): the float32 values as Python floats, as float(x) each, several times faster
    return [ClaimVectorRow(claim_id=i, vector=np.asarray(v).tolist(), model=MODEL_NAME,
                           created_at=at) for i, v in zip(claim_ids, vectors, strict=True)]
