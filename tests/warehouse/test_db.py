"""Migrations, bulk loads and the snapshot, on real DuckDB files."""

from __future__ import annotations

import subprocess
import sys
from datetime import datetime
from pathlib import Path

import duckdb
import pytest

from warehouse.db import (
    WarehouseError,
    connect,
    migrate,
    open_warehouse,
    publish_snapshot,
    snapshot_path,
)
from warehouse.load import Batch, insert_rows, load_batch

PUBLIC_VIEWS = {"v_articles", "v_article_versions", "v_entities", "v_runs", "v_failures",
                "v_feeds", "v_claims", "v_new_claims", "v_feed_schedule", "v_digests",
                "v_framing", "v_framing_changes", "v_claim_timelines", "v_coverage_daily",
                "v_framing_weekly", "v_framing_evidence", "v_entity_weeks", "v_entities_rising"}


def test_migrations_are_idempotent_and_create_the_views(tmp_path: Path) -> None:
    con = connect(tmp_path / "w.duckdb")
    assert migrate(con) == ["001_init.sql", "002_claims.sql", "003_schedule_digests.sql",
                            "004_duplicates.sql", "005_framing.sql", "006_framing_votes.sql"]
    assert migrate(con) == []
    views = {r[0] for r in con.execute(
        "SELECT view_name FROM duckdb_views() WHERE NOT internal").fetchall()}
    assert views >= PUBLIC_VIEWS
    assert con.execute("SELECT version FROM schema_migrations ORDER BY 1").fetchall() == [
        (1,), (2,), (3,), (4,), (5,), (6,)]


def article(i: int) -> dict[str, object]:
    return {"article_id": f"a{i}", "canonical_url": f"https://x.example/{i}",
            "url": f"https://x.example/{i}?utm_source=rss", "outlet": "X", "feed_id": None,
            "is_seed": False, "first_seen_at": datetime(2024, 6, 20), "run_id": "r1"}


def test_insert_rows_skips_existing_keys(tmp_path: Path) -> None:
    with open_warehouse(tmp_path / "w.duckdb") as con:
        assert insert_rows(con, "articles", [article(i) for i in range(1000)]) == 1000
        assert insert_rows(con, "articles", [article(i) for i in range(990, 1010)]) == 10
        assert con.execute("SELECT count(*) FROM articles").fetchall() == [(1010,)]


def test_a_failing_batch_writes_nothing(tmp_path: Path) -> None:
    batch = Batch()
    batch.add("articles", article(1))
    batch.add("sentences", {"sentence_id": "s1"})  # NOT NULL columns missing
    with open_warehouse(tmp_path / "w.duckdb") as con:
        with pytest.raises(duckdb.Error):
            load_batch(con, batch)
        assert con.execute("SELECT count(*) FROM articles").fetchall() == [(0,)]


def test_a_batch_replaces_derived_rows_or_nothing(tmp_path: Path) -> None:
    def framing(version: str, method: str) -> dict[str, object]:
        return {"version_id": version, "article_id": "a1", "frame": "Economic", "score": 0.5,
                "hits": 2, "method": method}

    with open_warehouse(tmp_path / "w.duckdb") as con:
        load_batch(con, Batch(rows={**Batch().rows, "framing": [framing("v1", "old"),
                                                                framing("v2", "old")]}))
        again = Batch(replace={"framing": ("version_id", ["v1"])})
        again.add("framing", framing("v1", "new"))
        assert load_batch(con, again) == {"framing": 1}
        rows = con.execute("SELECT version_id, method FROM framing ORDER BY 1").fetchall()
        assert rows == [("v1", "new"), ("v2", "old")]
        broken = Batch(replace={"framing": ("version_id", ["v2"])})
        broken.add("framing", {"version_id": "v2"})  # NOT NULL columns missing
        with pytest.raises(duckdb.Error):
            load_batch(con, broken)
        assert con.execute("SELECT count(*) FROM framing").fetchall() == [(2,)]  # kept
        with pytest.raises(KeyError, match="cannot replace"):
            load_batch(con, Batch(replace={"framing": ("version_id; DROP", ["v1"])}))


def test_unusable_warehouse_path_is_a_clear_error(tmp_path: Path) -> None:
    (tmp_path / "file").write_text("not a folder")
    with pytest.raises(WarehouseError, match="cannot open warehouse"):
        connect(tmp_path / "file" / "w.duckdb")
    (tmp_path / "junk.duckdb").write_bytes(b"this is not a duckdb file" * 100)
    with pytest.raises(WarehouseError, match=r"junk\.duckdb"):
        connect(tmp_path / "junk.duckdb")


HOLD = """
import sys, time, duckdb
con = duckdb.connect(sys.argv[1], read_only=True)
print(con.execute("SELECT count(*) FROM articles").fetchall()[0][0], flush=True)
time.sleep(30)
"""


def test_snapshot_is_replaced_while_an_analyst_holds_it_open(tmp_path: Path) -> None:
    path = tmp_path / "w.duckdb"
    with open_warehouse(path) as con:
        insert_rows(con, "articles", [article(1)])
    snap = publish_snapshot(path)
    assert snap == snapshot_path(path) == tmp_path / "w.snapshot.duckdb"
    analyst = subprocess.Popen([sys.executable, "-c", HOLD, str(snap)], stdout=subprocess.PIPE,
                               text=True)
    try:
        assert analyst.stdout and analyst.stdout.readline().strip() == "1"
        with open_warehouse(path) as con:  # the live file is free for the writer
            insert_rows(con, "articles", [article(2)])
        publish_snapshot(path)  # and the snapshot can be replaced under the reader
        reader = duckdb.connect(str(snap), read_only=True)
        assert reader.execute("SELECT count(*) FROM articles").fetchall() == [(2,)]
        reader.close()
    finally:
        analyst.kill()
        analyst.wait()
