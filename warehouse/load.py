"""Bulk loads: typed rows (warehouse.schemas) go in as one Arrow table per table, one
transaction per batch. The columns and their types come from the row schemas alone."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TypeVar

import duckdb
import pyarrow as pa

from warehouse.db import transaction
from warehouse.errors import WarehouseError
from warehouse.schemas import BY_TABLE, SCHEMAS, Column, TableRow, column_names, columns

R = TypeVar("R", bound=TableRow)


class RowError(WarehouseError):
    """A row's value does not fit its column's type; the message names table and column."""


@dataclass
class Batch:
    """Rows for several tables, written together or not at all."""

    # table name → its rows (names, not schema classes, as keys: a batch passed to a flow
    # is serialised as JSON by Prefect)
    rows: dict[str, list[TableRow]] = field(
        default_factory=lambda: {s.TABLE: [] for s in SCHEMAS})
    # table → (key column, keys): derived rows deleted in the same transaction, before the
    # insert, so that recomputing them (framing by a new method) replaces them
    replace: dict[str, tuple[str, list[str]]] = field(default_factory=dict)

    def add(self, *rows: TableRow) -> None:
        """Add rows, each to its own table. Raises KeyError for a schema not in SCHEMAS."""
        for row in rows:
            if BY_TABLE.get(row.TABLE) is not type(row):
                raise KeyError(f"{type(row).__name__} is not a table's row schema "
                               "(warehouse.schemas.SCHEMAS)")
            self.rows[row.TABLE].append(row)

    def replace_by(self, schema: type[TableRow], column: str, keys: list[str]) -> None:
        """Delete `schema`'s rows whose `column` is in `keys` before this batch's inserts."""
        self.replace[schema.TABLE] = (column, keys)

    def extend(self, other: Batch) -> None:
        for table, rows in other.rows.items():
            self.rows[table].extend(rows)

    def counts(self) -> dict[str, int]:
        """Rows per table, for the tables that have any."""
        return {t: len(r) for t, r in self.rows.items() if r}


def arrow_table(schema: type[R], rows: Sequence[R]) -> pa.Table:
    """`rows` as an Arrow table with `schema`'s columns and types.

    Raises RowError naming the table and column when a row is not a `schema` row or a
    value does not fit its column's type.
    """
    stray = next((r for r in rows if type(r) is not schema), None)
    if stray is not None:
        raise RowError(f"{schema.TABLE}: a {type(stray).__name__} among {schema.__name__} rows")
    arrays = []
    for c in columns(schema):
        values = [getattr(r, c.name) for r in rows]
        try:
            arrays.append(pa.array(values, type=c.sql.arrow))
        except (pa.ArrowInvalid, pa.ArrowTypeError, OverflowError) as exc:
            raise RowError(_misfit(schema.TABLE, c, values, exc)) from exc
    return pa.Table.from_arrays(arrays, names=list(column_names(schema)))


def _misfit(table: str, column: Column, values: list[object], exc: Exception) -> str:
    """Which value of `column` does not fit its type, and why (for the error message)."""
    for i, value in enumerate(values):
        try:
            pa.array([value], type=column.sql.arrow)
        except (pa.ArrowInvalid, pa.ArrowTypeError, OverflowError) as one:
            return (f"{table}.{column.name} ({column.sql.type}): row {i + 1}: {value!r:.80}: "
                    f"{one}")
    return f"{table}.{column.name} ({column.sql.type}): {exc}"


def insert_rows(con: duckdb.DuckDBPyConnection, schema: type[R], rows: Sequence[R]) -> int:
    """Insert `rows` into `schema`'s table; rows whose key already exists are skipped.

    Returns how many rows the table gained. Raises RowError for a value that does not fit
    its column, duckdb.Error for a constraint the table enforces (NOT NULL, …).
    """
    if not rows:
        return 0
    arrow = arrow_table(schema, rows)
    before = _count(con, schema.TABLE)
    con.register("_pactwatch_batch", arrow)
    # No unregister when the insert fails: inside the aborted transaction it would raise
    # "transaction is aborted" and hide the real error; the next register replaces it.
    con.execute(f"INSERT INTO {schema.TABLE} BY NAME SELECT * FROM _pactwatch_batch "
                "ON CONFLICT DO NOTHING")
    con.unregister("_pactwatch_batch")
    return _count(con, schema.TABLE) - before


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
        if table not in BY_TABLE or column not in column_names(BY_TABLE[table]):
            raise KeyError(f"cannot replace rows of {table!r} by {column!r}")
        con.execute(f"DELETE FROM {table} WHERE {column} IN (SELECT unnest(?))", [keys])
    return {s.TABLE: insert_rows(con, s, batch.rows[s.TABLE]) for s in SCHEMAS
            if batch.rows[s.TABLE]}
