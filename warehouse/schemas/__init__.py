"""Typed row schemas: one frozen dataclass per warehouse table, the one definition of its
columns that every writer uses (the loader derives its columns and Arrow types from it).

To add a table or a column: DEVELOPERS.md, "Adding a table or a column". Migrations create
the tables; a schema names its table and the migrations that shaped it, and
`tests/warehouse/test_schemas.py` checks the migrated database, these schemas and
warehouse/SCHEMA.md against each other, column by column.

May import: the standard library and pyarrow only (warehouse/ never imports flows or
Prefect).
"""

from __future__ import annotations

from warehouse.schemas.articles import (
    ArticleRow,
    ArticleSignatureRow,
    ArticleUrlRow,
    ArticleVersionRow,
    DuplicateCheckRow,
    DuplicateRow,
    EntityRow,
    MentionRow,
    SentenceRow,
    SignatureBandRow,
)
from warehouse.schemas.base import Column, Sql, TableRow, column_names, columns
from warehouse.schemas.claims import (
    ChangeValue,
    ClaimJudgementRow,
    ClaimKeyRow,
    ClaimRow,
    ClaimVectorRow,
    QuantityValue,
)
from warehouse.schemas.digests import DigestDeliveryRow, DigestItemRow, DigestRow
from warehouse.schemas.framing import (
    EvaluativeTermRow,
    FramingChangeRow,
    FramingCheckRow,
    FramingRow,
    StanceRow,
)
from warehouse.schemas.runs import (
    FailureRow,
    FeedEntryRow,
    FeedRow,
    FeedScheduleRow,
    FetchRow,
    RobotsRow,
    RunRow,
)

# Every table the pipeline writes, in load order: parents before children, so that a batch
# reads as a consistent whole. (schema_migrations and schema_views are migrate()'s own.)
SCHEMAS: tuple[type[TableRow], ...] = (
    RunRow, FeedRow, FeedScheduleRow, FeedEntryRow, ArticleRow, ArticleUrlRow,
    ArticleVersionRow, SentenceRow, EntityRow, MentionRow, ClaimRow, ClaimVectorRow,
    ClaimKeyRow, ClaimJudgementRow, ArticleSignatureRow, SignatureBandRow, DuplicateRow,
    DuplicateCheckRow, FramingRow, StanceRow, EvaluativeTermRow, FramingChangeRow,
    FramingCheckRow, FetchRow, FailureRow, DigestRow, DigestItemRow, DigestDeliveryRow,
    RobotsRow,
)
BY_TABLE: dict[str, type[TableRow]] = {s.TABLE: s for s in SCHEMAS}


def run_counters() -> tuple[str, ...]:
    """The counters of a pass: the INTEGER columns of `runs`."""
    return tuple(c.name for c in columns(RunRow) if c.sql.type == "INTEGER")


__all__ = [
    "BY_TABLE", "SCHEMAS", "ArticleRow", "ArticleSignatureRow", "ArticleUrlRow",
    "ArticleVersionRow", "ChangeValue", "ClaimJudgementRow", "ClaimKeyRow", "ClaimRow",
    "ClaimVectorRow", "Column", "DigestDeliveryRow", "DigestItemRow", "DigestRow",
    "DuplicateCheckRow", "DuplicateRow", "EntityRow", "EvaluativeTermRow", "FailureRow",
    "FeedEntryRow", "FeedRow", "FeedScheduleRow", "FetchRow", "FramingChangeRow",
    "FramingCheckRow", "FramingRow", "MentionRow", "QuantityValue", "RobotsRow", "RunRow",
    "SentenceRow", "SignatureBandRow", "Sql", "StanceRow", "TableRow", "column_names",
    "columns", "run_counters",
]
