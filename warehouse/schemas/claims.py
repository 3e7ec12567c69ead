"""Row schemas of claims, their vectors and their judgements."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Annotated, ClassVar, TypedDict

import pyarrow as pa

from warehouse.schemas.base import (
    Boolean,
    Double,
    Integer,
    Sql,
    TableRow,
    Timestamp,
    Varchar,
    VarcharList,
)


class QuantityValue(TypedDict):
    """A number in a claim with what it counts; `bound` is = > >= < <= or ~."""

    text: str
    value: float | None
    unit: str | None
    bound: str


class ChangeValue(TypedDict):
    """What a changed claim changed: `field` (quantity | attribution | certainty | date)."""

    field: str
    old: str
    new: str


Quantities = Annotated[Sequence[QuantityValue], Sql(
    "STRUCT(text VARCHAR, value DOUBLE, unit VARCHAR, bound VARCHAR)[]",
    pa.list_(pa.struct([("text", pa.string()), ("value", pa.float64()),
                        ("unit", pa.string()), ("bound", pa.string())])))]
Changes = Annotated[Sequence[ChangeValue], Sql(
    "STRUCT(field VARCHAR, old VARCHAR, new VARCHAR)[]",
    pa.list_(pa.struct([("field", pa.string()), ("old", pa.string()), ("new", pa.string())])))]
Vector384 = Annotated[Sequence[float], Sql("FLOAT[384]", pa.list_(pa.float32(), 384))]


@dataclass(frozen=True, kw_only=True, slots=True)
class ClaimRow(TableRow):
    """One claim per check-worthy sentence of a relevant version."""

    TABLE: ClassVar[str] = "claims"
    MIGRATIONS: ClassVar[tuple[str, ...]] = ("002_claims",)
    claim_id: Varchar                   # = sentence_id
    sentence_id: Varchar
    version_id: Varchar
    article_id: Varchar
    sentence_idx: Integer
    start_char: Integer                 # the claim's span in the article text
    end_char: Integer
    sentence: Varchar
    claim_text: Varchar
    claimant: Varchar                   # '' when the outlet itself asserts it
    claimant_actors: VarcharList | None
    reporting_verb: Varchar | None
    certainty: Varchar                  # asserted | reported | claimed | believed | denied
    predicate: Varchar | None
    negated: Boolean
    actors: VarcharList | None
    quantities: Quantities | None
    dates: VarcharList | None
    lemmas: VarcharList | None
    verbs: VarcharList | None
    checkworthiness: Double | None
    method: Varchar
    run_id: Varchar | None


@dataclass(frozen=True, kw_only=True, slots=True)
class ClaimVectorRow(TableRow):
    """A claim's all-MiniLM-L6-v2 unit vector, computed once."""

    TABLE: ClassVar[str] = "claim_vectors"
    MIGRATIONS: ClassVar[tuple[str, ...]] = ("010_claim_vectors",)
    claim_id: Varchar
    vector: Vector384
    model: Varchar
    created_at: Timestamp


@dataclass(frozen=True, kw_only=True, slots=True)
class ClaimJudgementRow(TableRow):
    """A claim's verdict when first judged or when it changes (append-only)."""

    TABLE: ClassVar[str] = "claim_judgements"
    MIGRATIONS: ClassVar[tuple[str, ...]] = ("002_claims",)
    judgement_id: Varchar
    claim_id: Varchar
    run_id: Varchar
    judged_at: Timestamp
    status: Varchar                     # new | repeated | changed
    matched_claim_id: Varchar | None
    similarity: Double | None
    changes: Changes | None
    origin_claim_id: Varchar
    first_seen_at: Timestamp
    method: Varchar
