"""Migrations, bulk loads and the snapshot, on real DuckDB files."""

from __future__ import annotations

import subprocess
import sys
import time
from datetime import datetime
from pathlib import Path

import duckdb
import pytest

from tests.conftest import row
from warehouse.db import (
    SnapshotError,
    WarehouseError,
    WarehouseLocked,
    connect,
    migrate,
    open_warehouse,
    publish_snapshot,
    snapshot_path,
)
from warehouse.load import Batch, insert_rows, load_batch
from warehouse.lock import WarehouseBusy
from warehouse.schemas import ArticleRow, FramingRow, SentenceRow

PUBLIC_VIEWS = {"v_articles", "v_article_versions", "v_entities", "v_runs", "v_failures",
                "v_feeds", "v_claims", "v_new_claims", "v_feed_schedule", "v_digests",
                "v_framing", "v_framing_changes", "v_digest_items", "v_claim_timelines",
                "v_coverage_daily", "v_framing_weekly", "v_framing_evidence", "v_entity_weeks",
                "v_entities_rising"}


def test_migrations_are_idempotent_and_create_the_views(tmp_path: Path) -> None:
    con = connect(tmp_path / "w.duckdb")
    assert migrate(con) == ["001_init.sql", "002_claims.sql", "003_schedule_digests.sql",
                            "004_duplicates.sql", "005_framing.sql", "006_framing_votes.sql",
                            "007_relevance_language.sql", "008_feed_fallback_robots.sql",
                            "009_resume_and_recipients.sql",
                            "010_claim_vectors.sql", "011_digest_items.sql",
                            "012_history_lookups.sql", "013_framing_checks.sql"]
    assert migrate(con) == []
    views = {r[0] for r in con.execute(
        "SELECT view_name FROM duckdb_views() WHERE NOT internal").fetchall()}
    assert views >= PUBLIC_VIEWS
    assert con.execute("SELECT version FROM schema_migrations ORDER BY 1").fetchall() == [
        (1,), (2,), (3,), (4,), (5,), (6,), (7,), (8,), (9,), (10,), (11,), (12,), (13,)]


def article(i: int) -> ArticleRow:
    return ArticleRow(article_id=f"a{i}", canonical_url=f"https://x.example/{i}",
                      url=f"https://x.example/{i}?utm_source=rss", outlet="X", feed_id=None,
                      is_seed=False, first_seen_at=datetime(2024, 6, 20), run_id="r1")


def test_insert_rows_skips_existing_keys(tmp_path: Path) -> None:
    with open_warehouse(tmp_path / "w.duckdb") as con:
        assert insert_rows(con, ArticleRow, [article(i) for i in range(1000)]) == 1000
        assert insert_rows(con, ArticleRow, [article(i) for i in range(990, 1010)]) == 10
        assert con.execute("SELECT count(*) FROM articles").fetchall() == [(1010,)]


def test_a_failing_batch_writes_nothing(tmp_path: Path) -> None:
    batch = Batch()
    batch.add(article(1))
    batch.add(row(SentenceRow, sentence_id="s1"))  # NOT NULL columns missing
    with open_warehouse(tmp_path / "w.duckdb") as con:
        with pytest.raises(duckdb.Error):
            load_batch(con, batch)
        assert con.execute("SELECT count(*) FROM articles").fetchall() == [(0,)]


def test_a_batch_replaces_derived_rows_or_nothing(tmp_path: Path) -> None:
    def framing(version: str, method: str) -> FramingRow:
        return row(FramingRow, version_id=version, article_id="a1", frame="Economic",
                   score=0.5, hits=2, method=method)

    with open_warehouse(tmp_path / "w.duckdb") as con:
        load_batch(con, Batch(rows={**Batch().rows, "framing": [framing("v1", "old"),
                                                                framing("v2", "old")]}))
        again = Batch(replace={"framing": ("version_id", ["v1"])})
        again.add(framing("v1", "new"))
        assert load_batch(con, again) == {"framing": 1}
        rows = con.execute("SELECT version_id, method FROM framing ORDER BY 1").fetchall()
        assert rows == [("v1", "new"), ("v2", "old")]
        broken = Batch(replace={"framing": ("version_id", ["v2"])})
        broken.add(row(FramingRow, version_id="v2"))  # NOT NULL columns missing
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
        insert_rows(con, ArticleRow, [article(1)])
    snap = publish_snapshot(path)
    assert snap == snapshot_path(path) == tmp_path / "w.snapshot.duckdb"
    analyst = subprocess.Popen([sys.executable, "-c", HOLD, str(snap)], stdout=subprocess.PIPE,
                               text=True)
    try:
        assert analyst.stdout and analyst.stdout.readline().strip() == "1"
        with open_warehouse(path) as con:  # the live file is free for the writer
            insert_rows(con, ArticleRow, [article(2)])
        publish_snapshot(path)  # and the snapshot can be replaced under the reader
        reader = duckdb.connect(str(snap), read_only=True)
        assert reader.execute("SELECT count(*) FROM articles").fetchall() == [(2,)]
        reader.close()
    finally:
        analyst.kill()
        analyst.wait()


HOLD_WRITE = """
import sys, time, duckdb
con = duckdb.connect(sys.argv[1])
print("holding", flush=True)
time.sleep(30)
"""


def test_a_lock_is_recognised_by_its_type_not_by_a_word_in_the_message(tmp_path: Path) -> None:
    # "blocklists" contains "lock": a damaged file there is not a file held by someone
    junk = tmp_path / "blocklists" / "w.duckdb"
    junk.parent.mkdir()
    junk.write_bytes(b"not a duckdb file" * 100)
    started = time.monotonic()
    with pytest.raises(WarehouseError) as info:
        connect(junk, wait_s=3)
    assert time.monotonic() - started < 1.0  # no waiting for a lock that does not exist
    assert not isinstance(info.value, WarehouseLocked)
    assert "cannot open warehouse" in str(info.value)
    assert "held by another process" not in str(info.value)
    # a real lock held by another process is still a lock
    wh = tmp_path / "w.duckdb"
    connect(wh).close()
    other = subprocess.Popen([sys.executable, "-c", HOLD_WRITE, str(wh)],
                             stdout=subprocess.PIPE, text=True)
    try:
        assert other.stdout and other.stdout.readline().strip() == "holding"
        with pytest.raises(WarehouseLocked, match="held by another process"):
            connect(wh, wait_s=0.5)
    finally:
        other.kill()
        other.wait()


HOLD_LOCK = """
import sys, time
from warehouse.lock import writer_lock
with writer_lock(sys.argv[1], 1):
    print("locked", flush=True)
    time.sleep(30)
"""


def test_migrations_run_only_under_the_writer_lock(tmp_path: Path) -> None:
    wh = tmp_path / "w.duckdb"
    other = subprocess.Popen([sys.executable, "-c", HOLD_LOCK, str(wh)],
                             stdout=subprocess.PIPE, text=True)
    try:
        assert other.stdout and other.stdout.readline().strip() == "locked"
        with pytest.raises(WarehouseBusy), open_warehouse(wh, 0.5):
            pass
    finally:
        other.kill()
        other.wait()
    con = duckdb.connect(str(wh))
    assert con.execute("SELECT count(*) FROM duckdb_tables()").fetchall() == [(0,)]
    con.close()
    with open_warehouse(wh) as con:  # the lock died with its process: now it migrates
        assert con.execute("SELECT count(*) FROM schema_migrations").fetchall()[0][0] >= 6


def test_the_snapshot_is_published_only_under_the_writer_lock(tmp_path: Path) -> None:
    wh = tmp_path / "w.duckdb"
    with open_warehouse(wh) as con:
        insert_rows(con, ArticleRow, [article(1)])
    other = subprocess.Popen([sys.executable, "-c", HOLD_LOCK, str(wh)],
                             stdout=subprocess.PIPE, text=True)
    try:
        assert other.stdout and other.stdout.readline().strip() == "locked"
        with pytest.raises(WarehouseBusy):
            publish_snapshot(wh, wait_s=0.5)
    finally:
        other.kill()
        other.wait()
    assert not snapshot_path(wh).exists()
    assert publish_snapshot(wh) == snapshot_path(wh)


def test_a_failed_publish_is_a_snapshot_error_and_leaves_no_temporary_file(
        tmp_path: Path) -> None:
    wh = tmp_path / "w.duckdb"
    with open_warehouse(wh) as con:
        insert_rows(con, ArticleRow, [article(1)])
    snapshot_path(wh).mkdir()  # something in the way: the rename cannot replace a folder
    with pytest.raises(SnapshotError, match="snapshot not published"):
        publish_snapshot(wh)
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "w.duckdb", "w.duckdb.lock", "w.snapshot.duckdb"]


def test_migration_012_keys_stored_vectors_and_bands_stored_signatures(tmp_path: Path) -> None:
    """A warehouse from before 012: its claim vectors get keys in the order they were
    stored, its signatures the bands near-duplicate lookup joins on (as neardup cuts them)."""
    from warehouse.db import _sql_files

    con = connect(tmp_path / "w.duckdb")
    con.execute("CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, "
                "name VARCHAR NOT NULL, applied_at TIMESTAMP NOT NULL)")
    for name, sql in _sql_files("migrations"):
        if name < "012":
            con.execute(sql)
            con.execute("INSERT INTO schema_migrations VALUES (?, ?, now())",
                        [int(name[:3]), name])
    con.execute("INSERT INTO claim_vectors VALUES ('b', [0.1]::FLOAT[] || repeat([0.0]::FLOAT[],"
                " 383), 'm', TIMESTAMP '2024-06-02'), ('a', repeat([0.0]::FLOAT[], 384), 'm', "
                "TIMESTAMP '2024-06-01')")
    signature = list(range(1000, 1064))
    con.execute("INSERT INTO article_signatures VALUES ('v1', 'a1', 'r', ?, 'm')", [signature])
    assert migrate(con) == ["012_history_lookups.sql", "013_framing_checks.sql"]
    assert con.execute("SELECT claim_key, claim_id FROM claim_keys ORDER BY 1").fetchall() == [
        (1, "a"), (2, "b")]
    from extractors.neardup import bands

    stored = con.execute("SELECT band_no, band FROM signature_bands WHERE version_id = 'v1' "
                         "ORDER BY band_no").fetchall()
    assert [(n, tuple(b)) for n, b in stored] == bands(signature)
    assert migrate(con) == []
