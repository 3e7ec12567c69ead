"""Bulk loads: rows go in as one Arrow table per table, one transaction per batch."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import duckdb
import pyarrow as pa

from warehouse.db import transaction

Row = Mapping[str, Any]
# Load order: parents before children, so a batch reads as a consistent whole.
TABLES = ("feeds", "feed_schedule", "feed_entries", "articles", "article_urls",
          "article_versions", "sentences", "entities", "mentions", "claims", "claim_vectors",
          "claim_judgements", "article_signatures", "duplicates", "duplicate_checks", "framing",
          "stances", "evaluative_terms", "framing_changes", "framing_checks", "fetches",
          "failures", "digests", "digest_items", "digest_deliveries", "robots")


@dataclass
class Batch:
    """Rows for several tables, written together or not at all."""

    rows: dict[str, list[Row]] = field(default_factory=lambda: {t: [] for t in TABLES})
    # table → (key column, keys): derived rows deleted in the same transaction, before the
    # insert, so that recomputing them (framing by a new method) replaces them
    replace: dict[str, tuple[str, list[str]]] = field(default_factory=dict)

    def add(self, table: str, *rows: Row) -> None:
        if table not in self.rows:
            raise KeyError(f"unknown table {table!r}")
        self.rows[table].extend(rows)

    def extend(self, other: Batch) -> None:
        for table, rows in other.rows.items():
            self.rows[table].extend(rows)

    def counts(self) -> dict[str, int]:
        return {t: len(r) for t, r in self.rows.items() if r}


def insert_rows(con: duckdb.DuckDBPyConnection, table: str, rows: Sequence[Row]) -> int:
    """Insert `rows` by column name; rows whose key already exists are skipped.

    Returns how many rows the table gained.
    """
    if not rows:
        return 0
    before = _count(con, table)
    arrow = pa.Table.from_pylist(list(rows))
    con.register("_pactwatch_batch", arrow)
    # No unregister when the insert fails: inside the aborted transaction it would raise
    # "transaction is aborted" and hide the real error; the next register replaces it.
    con.execute(f"INSERT INTO {table} BY NAME SELECT * FROM _pactwatch_batch "
                "ON CONFLICT DO NOTHING")
    con.unregister("_pactwatch_batch")
    return _count(con, table) - before


def _count(con: duckdb.DuckDBPyConnection, table: str) -> int:
    rows = con.execute(f"SELECT count(*) FROM {table}").fetchall()
    return int(rows[0][0])


def load_batch(con: duckdb.DuckDBPyConnection, batch: Batch) -> dict[str, int]:
    """Write every table of `batch` in one transaction. Returns rows added per table."""
    with transaction(con):
        return write_batch(con, batch)


def write_batch(con: duckdb.DuckDBPyConnection, batch: Batch) -> dict[str, int]:
    """`load_batch` inside a transaction the caller holds (to read back and write more)."""
    for table, (column, keys) in batch.replace.items():
        if table not in TABLES or not column.isidentifier():
            raise KeyError(f"cannot replace rows of {table!r} by {column!r}")
        con.execute(f"DELETE FROM {table} WHERE {column} IN (SELECT unnest(?))", [keys])
    return {t: insert_rows(con, t, batch.rows[t]) for t in TABLES if batch.rows[t]}
