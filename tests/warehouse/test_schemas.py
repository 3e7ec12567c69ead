"""One definition per table: the tables a real migration makes, the row schemas
(warehouse/schemas) and warehouse/SCHEMA.md agree column by column, and every schema's rows
load through the real loader and read back as written."""

from __future__ import annotations

import re
from dataclasses import asdict
from datetime import date, datetime
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa
import pytest

import warehouse
from warehouse.db import connect, dict_rows, migrate, open_warehouse
from warehouse.load import Batch, RowError, insert_rows, load_batch
from warehouse.schemas import SCHEMAS, FeedRow, RunRow, TableRow, columns
from warehouse.state import finish_run, start_run

HERE = Path(warehouse.__file__).parent
BOOKKEEPING = {"schema_migrations", "schema_views"}  # migrate()'s own, never loaded
Columns = dict[str, tuple[str, bool]]  # column → (DuckDB type, nullable)


@pytest.fixture(scope="module")
def migrated(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Columns]:
    """Every table of a freshly migrated DuckDB file, as DuckDB describes it."""
    con = connect(tmp_path_factory.mktemp("schemas") / "w.duckdb")
    migrate(con)
    rows = con.execute("""
        SELECT table_name, column_name, data_type, is_nullable FROM duckdb_columns()
        WHERE NOT internal AND table_name IN (SELECT table_name FROM duckdb_tables())
        ORDER BY table_name, column_index""").fetchall()
    con.close()
    tables: dict[str, Columns] = {}
    for table, column, sql, nullable in rows:  # DuckDB quotes reserved words in STRUCTs
        tables.setdefault(table, {})[column] = (sql.replace('"', ""), nullable)
    return tables


def declared(schema: type[TableRow]) -> Columns:
    return {c.name: (c.sql.type, c.nullable) for c in columns(schema)}


def _section(text: str, start: str, end: str) -> str:
    return text.split(start, 1)[1].split(end, 1)[0]


def documented() -> dict[str, tuple[str, str, Columns]]:
    """SCHEMA.md's "Columns of each table": table → (schema class, migrations, columns)."""
    text = _section((HERE / "SCHEMA.md").read_text(encoding="utf-8"),
                    "### Columns of each table", "\n## ")
    found: dict[str, tuple[str, str, Columns]] = {}
    for item in re.split(r"\n(?=- \*\*`)", text)[1:]:
        head = re.match(r"- \*\*`(\w+)`\*\* \(`(\w+)`; migrations? ([\d, ]+)\):", item)
        assert head, f"SCHEMA.md: cannot read the column list {item[:60]!r}"
        cols: Columns = {}
        for name, sql in re.findall(r"`(\w+) ([^`]+)`", item[head.end():]):
            nullable = not sql.endswith(" NOT NULL")
            cols[name] = (sql.removesuffix(" NOT NULL"), nullable)
        found[head[1]] = (head[2], head[3], cols)
    return found


def overview() -> list[str]:
    """The tables named in SCHEMA.md's table of tables (with repeats, if any)."""
    text = _section((HERE / "SCHEMA.md").read_text(encoding="utf-8"), "\n## Tables\n",
                    "### Columns of each table")
    return re.findall(r"^\| `(\w+)` \|", text, flags=re.M)


def disagreements(table: str, sources: dict[str, Columns]) -> list[str]:
    """`table.column: …` for each column missing from a source or typed differently."""
    out = []
    names = list(dict.fromkeys(n for cols in sources.values() for n in cols))
    for name in names:
        missing = [s for s, cols in sources.items() if name not in cols]
        out += [f"{table}.{name}: missing from {s}" for s in missing]
        seen = {s: cols[name] for s, cols in sources.items() if name in cols}
        if len({t for t, _n in seen.values()}) > 1:
            out.append(f"{table}.{name}: type " + ", ".join(
                f"{t} in {s}" for s, (t, _n) in seen.items()))
        if len({n for _t, n in seen.values()}) > 1:
            out.append(f"{table}.{name}: " + ", ".join(
                f"{'NULL allowed' if n else 'NOT NULL'} in {s}" for s, (_t, n) in seen.items()))
    return out


def test_every_table_has_one_schema_and_is_documented_once(migrated: dict[str, Columns]
                                                           ) -> None:
    tables = set(migrated) - BOOKKEEPING
    schemas = [s.TABLE for s in SCHEMAS]
    listed = overview()
    problems = [f"{t}: a table without a row schema in warehouse.schemas.SCHEMAS"
                for t in sorted(tables - set(schemas))]
    problems += [f"{t}: a schema without a migrated table" for t in sorted(set(schemas) - tables)]
    problems += [f"{t}: more than one schema" for t in sorted({t for t in schemas
                                                              if schemas.count(t) > 1})]
    problems += [f"{t}: not in SCHEMA.md's column lists"
                 for t in sorted(tables - set(documented()))]
    problems += [f"{t}: in SCHEMA.md's column lists, not a table"
                 for t in sorted(set(documented()) - tables)]
    problems += [f"{t}: not in SCHEMA.md's table of tables"
                 for t in sorted(set(migrated) - set(listed))]
    problems += [f"{t}: in SCHEMA.md's table of tables {listed.count(t)} times"
                 for t in sorted(set(listed)) if listed.count(t) > 1]
    problems += [f"{t}: in SCHEMA.md's table of tables, not a table"
                 for t in sorted(set(listed) - set(migrated))]
    assert not problems, "\n".join(["", *problems])


@pytest.mark.parametrize("schema", SCHEMAS, ids=lambda s: s.TABLE)
def test_table_schema_and_schema_md_agree_column_by_column(
        schema: type[TableRow], migrated: dict[str, Columns]) -> None:
    doc_schema, doc_migrations, doc_columns = documented().get(schema.TABLE, ("", "", {}))
    problems = disagreements(schema.TABLE, {
        "the migrated table": migrated.get(schema.TABLE, {}),
        f"the schema {schema.__name__}": declared(schema),
        "SCHEMA.md": doc_columns})
    numbers = ", ".join(m.split("_")[0] for m in schema.MIGRATIONS)
    if (doc_schema, doc_migrations) != (schema.__name__, numbers):
        problems.append(f"{schema.TABLE}: SCHEMA.md names {doc_schema} and migrations "
                        f"{doc_migrations}, not {schema.__name__} and {numbers}")
    assert not problems, "\n".join(["", *problems])


MAKES = r"(?:CREATE TABLE IF NOT EXISTS|ALTER TABLE)\s+{}\b"


@pytest.mark.parametrize("schema", SCHEMAS, ids=lambda s: s.TABLE)
def test_a_schema_names_every_migration_that_makes_its_columns(schema: type[TableRow]) -> None:
    files = sorted((HERE / "migrations").glob("*.sql"))
    making = [f.stem for f in files if re.search(MAKES.format(schema.TABLE),
                                                  f.read_text(encoding="utf-8"))]
    assert (schema.TABLE, list(schema.MIGRATIONS)) == (schema.TABLE, making)


def sample(kind: pa.DataType, n: int) -> Any:
    """A value of Arrow type `kind` (n varies the values between rows)."""
    if pa.types.is_fixed_size_list(kind):
        return [sample(kind.value_type, n)] * kind.list_size
    if pa.types.is_list(kind):
        return [sample(kind.value_type, n), sample(kind.value_type, n + 1)]
    if pa.types.is_struct(kind):
        return {f.name: sample(f.type, n) for f in kind}
    values = {pa.string(): f"v{n}", pa.int32(): 7 + n, pa.int64(): 2**40 + n,
              pa.float64(): 0.5 + n, pa.float32(): 0.25, pa.bool_(): n % 2 == 0,
              pa.timestamp("us"): datetime(2024, 6, 20, 12, 30, n),
              pa.date32(): date(2024, 6, 17 + n)}
    return values[kind]


def lists(value: Any) -> Any:
    """`value` with DuckDB's tuples (fixed-size arrays) as lists, as the rows were written."""
    if isinstance(value, list | tuple):
        return [lists(v) for v in value]
    if isinstance(value, dict):
        return {k: lists(v) for k, v in value.items()}
    return value


def test_rows_of_every_schema_load_and_read_back_as_written(tmp_path: Path) -> None:
    written = {s: [s(**{c.name: sample(c.sql.arrow, n) for c in columns(s)}) for n in (0, 1)]
               for s in SCHEMAS}
    batch = Batch()
    for rows in written.values():
        batch.add(*rows)
    with open_warehouse(tmp_path / "w.duckdb") as con:
        assert load_batch(con, batch) == {s.TABLE: 2 for s in SCHEMAS}
        for schema, rows in written.items():
            names = ", ".join(c.name for c in columns(schema))
            back = dict_rows(con, f"SELECT {names} FROM {schema.TABLE} ORDER BY ALL")
            assert (schema.TABLE, lists(back)) == (schema.TABLE, [asdict(r) for r in rows])


def feed(**changes: object) -> FeedRow:
    return FeedRow(**{"feed_id": "f1", "url": "https://x.example/rss", "name": "X",
                      "first_seen_at": datetime(2024, 6, 20), **changes})


def test_a_value_that_does_not_fit_is_refused_naming_table_and_column(tmp_path: Path) -> None:
    with open_warehouse(tmp_path / "w.duckdb") as con:
        with pytest.raises(RowError, match=r"feeds\.first_seen_at \(TIMESTAMP\): row 2: "
                                           "'yesterday'"):
            insert_rows(con, FeedRow, [feed(), feed(feed_id="f2", first_seen_at="yesterday")])
        with pytest.raises(RowError, match="feeds: a RunRow among FeedRow rows"):
            insert_rows(con, FeedRow, [feed(), start(con)])  # type: ignore[list-item]
        assert con.execute("SELECT count(*) FROM feeds").fetchall() == [(0,)]
    with pytest.raises(TypeError, match="fead_id"):
        feed(fead_id="f1")  # a misspelt column: the row cannot even be made


def start(con: duckdb.DuckDBPyConnection) -> RunRow:
    """Start run r1; its row as read back."""
    start_run(con, "r1", None, "c.toml", None)
    return RunRow(**dict_rows(con, "SELECT * FROM runs")[0])


def test_run_counters_are_the_runs_columns(tmp_path: Path) -> None:
    with open_warehouse(tmp_path / "w.duckdb") as con:
        start(con)
        finish_run(con, "r1", "completed", {"articles_new": 3, "feeds_polled": 1})
        assert con.execute("SELECT status, articles_new, feeds_polled FROM runs"
                           ).fetchall() == [("completed", 3, 1)]
        with pytest.raises(KeyError, match="articles_nwe"):
            finish_run(con, "r1", "completed", {"articles_nwe": 3})
