"""`export` on a real DuckDB file: every public view, any output path."""

from __future__ import annotations

import json
from datetime import date, datetime
from pathlib import Path

import duckdb
import pytest

from deploy.cli.export import SINCE, export
from warehouse.db import connect, migrate
from warehouse.load import Batch, load_batch
from warehouse.schemas import FramingChangeRow


def warehouse(path: Path) -> duckdb.DuckDBPyConnection:
    con = connect(path)
    migrate(con)
    batch = Batch()
    batch.add(FramingChangeRow(
        change_id="c1", run_id="r1", scope="outlet", outlet="Ledger",
        article_id=None, window_start=date(2024, 6, 17), baseline="coverage",
        frames_moved=[], tone_before=0.1, tone_after=-0.4, magnitude=0.5,
        p_value=0.01, detected_at=datetime(2024, 6, 20)))
    load_batch(con, batch)
    return con


def public_views(con: duckdb.DuckDBPyConnection) -> set[str]:
    return {r[0] for r in con.execute("SELECT view_name FROM duckdb_views() WHERE NOT internal "
                                      "AND view_name LIKE 'v\\_%' ESCAPE '\\'").fetchall()}


@pytest.mark.parametrize("fmt", ["parquet", "csv"])
def test_every_public_view_is_exported_to_a_path_with_quotes(tmp_path: Path, fmt: str) -> None:
    con = warehouse(tmp_path / "w.duckdb")
    out = tmp_path / "analyst's \"exports\"; DROP TABLE runs; --"
    written = export(con, out, fmt, since=date(2024, 6, 1))
    views = public_views(con)
    assert {"v_framing", "v_framing_changes"} <= views
    assert {e.view for e in written} == views
    manifest = json.loads((out / "manifest.json").read_text())
    assert set(manifest["files"]) == views
    reader = "read_parquet" if fmt == "parquet" else "read_csv"
    for e in written:
        assert e.path == out / f"{e.view}.{fmt}" and e.path.exists()
        assert con.execute(f"SELECT count(*) FROM {reader}(?)", [str(e.path)]).fetchall() == [
            (e.rows,)]
    assert manifest["files"]["v_framing_changes"]["rows"] == 1
    assert con.execute("SELECT count(*) FROM runs").fetchall() == [(0,)]  # still there
    con.close()


def test_since_filters_on_a_column_each_view_has(tmp_path: Path) -> None:
    con = warehouse(tmp_path / "w.duckdb")
    assert set(SINCE) == public_views(con)  # a new view needs a decision here
    for view, column in SINCE.items():
        if column is not None:
            columns = [r[0] for r in con.execute(f"DESCRIBE {view}").fetchall()]
            assert column in columns, (view, column)
    [later] = [e for e in export(con, tmp_path / "out", "csv", since=date(2024, 6, 21))
               if e.view == "v_framing_changes"]
    assert later.rows == 0
    con.close()
