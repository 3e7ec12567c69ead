"""What a row schema is: a frozen dataclass naming its table and migrations, whose fields
are the table's columns, each typed with one of the column types below.

A column type is `Annotated[<Python type>, Sql(<DuckDB type>, <Arrow type>)]`: mypy checks
the Python type at every writer, the loader builds the batch's Arrow columns from the Arrow
type, and `tests/warehouse/test_schemas.py` compares the DuckDB type (and `| None` with the
column's nullability) with the migrated table and with SCHEMA.md.
"""

from __future__ import annotations

import types
import typing
from collections.abc import Sequence
from dataclasses import dataclass, fields
from datetime import date, datetime
from typing import Annotated, ClassVar

import pyarrow as pa


@dataclass(frozen=True)
class Sql:
    """A column's DuckDB type, spelt as `duckdb_columns()` spells it (less its quotes), and
    the Arrow type a batch carries it in."""

    type: str
    arrow: pa.DataType


Varchar = Annotated[str, Sql("VARCHAR", pa.string())]
Integer = Annotated[int, Sql("INTEGER", pa.int32())]
BigInt = Annotated[int, Sql("BIGINT", pa.int64())]
Double = Annotated[float, Sql("DOUBLE", pa.float64())]
Boolean = Annotated[bool, Sql("BOOLEAN", pa.bool_())]
Timestamp = Annotated[datetime, Sql("TIMESTAMP", pa.timestamp("us"))]  # UTC, no tzinfo
Date = Annotated[date, Sql("DATE", pa.date32())]
VarcharList = Annotated[Sequence[str], Sql("VARCHAR[]", pa.list_(pa.string()))]
IntegerList = Annotated[Sequence[int], Sql("INTEGER[]", pa.list_(pa.int32()))]
BigIntList = Annotated[Sequence[int], Sql("BIGINT[]", pa.list_(pa.int64()))]


@dataclass(frozen=True, kw_only=True, slots=True)
class TableRow:
    """One row of a warehouse table. Subclasses are frozen, keyword-only dataclasses whose
    fields are the table's columns (a nullable column is typed `X | None`; no defaults, so
    every writer names every column)."""

    TABLE: ClassVar[str]                   # the table the row goes into
    MIGRATIONS: ClassVar[tuple[str, ...]]  # the migrations that made its columns, first
                                           # the one that creates it (names without .sql)


@dataclass(frozen=True)
class Column:
    """One column of a schema: its name, type and whether it may be NULL."""

    name: str
    sql: Sql
    nullable: bool


_COLUMNS: dict[type[TableRow], tuple[Column, ...]] = {}


def columns(schema: type[TableRow]) -> tuple[Column, ...]:
    """The columns of `schema`, in field order. Raises TypeError for a field not typed
    with a column type (`Varchar`, `Integer | None`, …)."""
    found = _COLUMNS.get(schema)
    if found is None:
        hints = typing.get_type_hints(schema, include_extras=True)
        found = tuple(_column(schema, f.name, hints[f.name]) for f in fields(schema))
        _COLUMNS[schema] = found  # read once per schema: the loader asks on every batch
    return found


def _column(schema: type[TableRow], name: str, hint: object) -> Column:
    nullable = False
    if isinstance(hint, types.UnionType) or typing.get_origin(hint) is typing.Union:
        args = [a for a in typing.get_args(hint) if a is not type(None)]
        nullable = len(args) < len(typing.get_args(hint))
        hint = args[0] if len(args) == 1 else hint
    sql = [m for m in getattr(hint, "__metadata__", ()) if isinstance(m, Sql)]
    if len(sql) != 1:
        raise TypeError(f"{schema.__name__}.{name} ({schema.TABLE}): not a column type: "
                        f"{hint!r}; use Varchar, Integer, … (warehouse/schemas/base.py)")
    return Column(name, sql[0], nullable)


def column_names(schema: type[TableRow]) -> tuple[str, ...]:
    """The column names of `schema`, in field order."""
    return tuple(c.name for c in columns(schema))
