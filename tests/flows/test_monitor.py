"""End to end: real Prefect flow runs over loopback feeds into a real DuckDB file."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import duckdb
import pytest

from deploy.cli.export import export
from deploy.demo import run as demo
from deploy.demo.server import DevServer
from flows.digest.flow import build_digest, store
from flows.monitor import monitor
from tests.conftest import query, write_config
from warehouse.db import open_warehouse, publish_snapshot

pytestmark = [pytest.mark.e2e, pytest.mark.usefixtures("prefect_harness")]
CONTENT_TABLES = ("articles", "article_versions", "sentences", "entities", "mentions",
                  "feed_entries", "feeds")


@pytest.fixture
def demo_server() -> Iterator[DevServer]:
    server = demo.serve_edition(1, port=0)
    with server:
        yield server


def counts(path: Path) -> dict[str, int]:
    con = duckdb.connect(str(path), read_only=True)
    try:
        return {t: con.execute(f"SELECT count(*) FROM {t}").fetchall()[0][0]
                for t in CONTENT_TABLES}
    finally:
        con.close()



def test_demo_corpus_two_editions_then_nothing_new(tmp_path: Path, demo_server: DevServer
                                                   ) -> None:
    config = demo.demo_config(tmp_path, demo_server.server_address[1])
    first = monitor(str(config), force=True)
    assert first.seeds_loaded == 2
    assert first.counts["articles_new"] == 12 and first.counts["articles_failed"] == 2

    demo.set_edition(demo_server, 2)
    second = monitor(str(config), force=True)
    assert second.counts["articles_new"] == 10 and second.counts["articles_updated"] == 1
    wh = tmp_path / "pactwatch.duckdb"
    after_two = counts(wh)
    assert after_two["articles"] == 24 and after_two["article_versions"] == 25

    third = monitor(str(config), force=True)
    assert third.counts["feeds_not_modified"] == 3
    assert third.counts["articles_new"] + third.counts["articles_updated"] == 0
    assert counts(wh) == after_two

    snap = Path(third.snapshot)
    assert snap.name == "pactwatch.snapshot.duckdb" and counts(snap) == after_two
    # what an analyst sees
    off_topic = query(snap, "SELECT title FROM v_articles WHERE NOT relevant ORDER BY title")
    assert off_topic == [("City council approves new harbour bridge",),
                         ("Typhoon season: ports on alert across the region",)]
    [(versions, text)] = query(snap, "SELECT version_count, text FROM v_articles "
                                     "WHERE url LIKE '%us-says-north-korean-shells%'")
    assert versions == 2 and "13,000 containers" in text
    [(n_feeds,)] = query(snap, "SELECT count(DISTINCT feed_id) FROM feed_entries "
                               "WHERE canonical_url LIKE '%new-axis-moscow%'")
    assert n_feeds == 2  # the same story in two feeds, one article
    # the syndicated copy is linked to its original and brings no new claims
    [(copy_of, similarity)] = query(snap, "SELECT o.url, a.duplicate_similarity FROM v_articles a "
                                          "JOIN v_articles o ON o.article_id = a.duplicate_of")
    assert copy_of.endswith("eurasia-wire/treaty-text-article-4-military-assistance.html")
    assert similarity > 0.8
    copy_claims = dict(query(snap, "SELECT status, count(*) FROM v_claims WHERE article_url "
                                   "LIKE '%wire-treaty-text%' GROUP BY 1"))
    assert copy_claims.get("new", 0) == 0 and copy_claims["repeated"] >= 4
    failed = query(snap, "SELECT stage, error_class, reason FROM v_failures "
                         "WHERE url LIKE '%.html' AND stage = 'page' ORDER BY reason")
    assert ("page", "terminal", "HTTP 404 Not Found") in failed
    assert ("page", "transient", "HTTP 500 Internal Server Error") in failed
    [(method, note, problem)] = query(snap, "SELECT extraction_method, extraction_note, "
                                            "page_problem FROM v_articles "
                                            "WHERE url LIKE '%video-kim%'")
    assert method == "feed-summary" and "stored from the feed's summary" in note
    assert problem == "too-little-text"
    seeds = query(snap, "SELECT author, published_at::DATE::VARCHAR FROM v_articles "
                        "WHERE is_seed ORDER BY published_at")
    assert seeds == [("Sededin Dedovic", "2024-06-20"), (None, "2024-06-21")]
    top = query(snap, "SELECT canonical_name FROM v_entities ORDER BY mention_count DESC LIMIT 4")
    assert {r[0] for r in top} >= {"Russia", "North Korea", "Vladimir Putin"} - {"x"}
    runs = query(snap, "SELECT status FROM v_runs")
    assert runs == [("completed",)] * 3
    # the updated article's number shows as a changed claim, with both values
    [(fields, changes, matched)] = query(snap, """
        SELECT changed_fields, changes, matched_sentence FROM v_claims
        WHERE article_url LIKE '%us-says-north-korean-shells%' AND status = 'changed'
          AND list_contains(changed_fields, 'quantity')""")
    assert fields == ["quantity"] and "10,000 containers" in matched
    assert changes == [{"field": "quantity", "old": "more than 10,000 container",
                        "new": "more than 13,000 container"}]
    statuses = dict(query(snap, "SELECT status, count(*) FROM v_claims GROUP BY 1"))
    assert set(statuses) == {"new", "repeated", "changed"} and statuses["new"] > 100
    assert query(snap, "SELECT count(*) FROM v_new_claims") == [(0,)]  # the third pass
    # framing: every relevant article framed (14 frames + tone), departures flagged
    framed = query(snap, "SELECT count(DISTINCT article_id), count(*) FROM v_framing")
    relevant = query(snap, "SELECT count(*) FROM v_articles WHERE relevant")[0][0]
    assert framed == [(relevant, relevant * 15)]
    tones = dict(query(snap, "SELECT article_url, score FROM v_framing WHERE frame = 'tone' "
                             "AND article_url LIKE 'seed://%'"))
    assert tones["seed://004_5b0ad2381dd15c57"] < tones["seed://000_1ccb32e3f93d92bb"]
    scopes = dict(query(snap, "SELECT scope, count(*) FROM v_framing_changes GROUP BY 1"))
    assert scopes.get("article", 0) >= 1
    # every example query in the documented SQL interface runs on what the demo leaves
    schema = (Path(__file__).parents[2] / "warehouse" / "SCHEMA.md").read_text()
    examples = [q.strip() for block in schema.split("```sql")[1:]
                for q in block.split("```")[0].split(";") if q.strip()]
    assert len(examples) >= 8
    for sql in examples:
        query(snap, sql)
    # a digest of the demo capped at 5 items: the others are listed by the saved query
    with open_warehouse(wh) as con:
        capped = replace(build_digest(con), max_items=5)
        store(con, capped, ())
    assert publish_snapshot(wh) == snap and capped.not_shown > 0
    # the example analyses in warehouse/queries/ run and find something in the demo
    folder = Path(__file__).parents[2] / "warehouse" / "queries"
    results = {f.stem: query(snap, f.read_text()) for f in sorted(folder.glob("*.sql"))}
    assert len(results) >= 5 and all(results.values()), results
    not_shown = results["digest_items_not_shown"]
    assert [r[0] for r in not_shown] == list(range(6, len(capped.items) + 1))
    assert [r[4] for r in not_shown] == [i.sentence for i in capped.items[5:]]
    [edit] = results["number_edits"]
    assert edit[2:4] == ("more than 10,000 container", "more than 13,000 container")
    # exports: every public view, complete files, row counts in the manifest
    out = tmp_path / "export"
    written = export(duckdb.connect(str(snap), read_only=True), out, "parquet")
    manifest = json.loads((out / "manifest.json").read_text())
    assert {e.view for e in written} >= {"v_articles", "v_claims", "v_entities", "v_failures"}
    for e in written:
        assert query(snap, f"SELECT count(*) FROM read_parquet('{e.path}')") == [(e.rows,)]
        assert manifest["files"][e.view]["rows"] == e.rows
    assert "outlet" in [c[0] for c in duckdb.connect().execute(
        f"DESCRIBE SELECT * FROM read_parquet('{out / 'v_article_versions.parquet'}')")
        .fetchall()]
    assert not list(out.glob(".*.tmp"))


RELEVANT = ("Russian President Vladimir Putin and North Korean leader Kim Jong Un signed a "
            "treaty on mutual defence. The pact commits Russia and North Korea to aid each other. ")


def page(title: str, body: str = RELEVANT * 3) -> str:
    return (f"<html lang='en'><head><title>{title}</title></head><body><article><h1>{title}"
            f"</h1><p>{body}</p><p>{body}</p></article></body></html>")


def rss(*links: str) -> str:
    items = "".join(f"<item><title>Item {i}</title><link>{link}</link></item>"
                    for i, link in enumerate(links))
    return (f"<?xml version='1.0'?><rss version='2.0'><channel><title>T</title>{items}"
            "</channel></rss>")


def test_broken_feeds_and_pages_are_recorded_and_the_pass_completes(
        tmp_path: Path, server: DevServer) -> None:
    site = server.root
    (site / "good.xml").write_text(rss("/a.html", "/latin1.html", "/gone.html"))
    (site / "a.html").write_text(page("Pact signed"))
    latin = page("Traité", RELEVANT + "Le traité « défense » à Moscou. ").encode("cp1252")
    (site / "latin1.html").write_bytes(latin)
    (site / "broken.xml").write_text(rss("/a.html", "/b.html").replace("<title>T", "<title>T &"))
    (site / "b.html").write_text(page("Second"))
    (site / "home.html").write_text("<html><body>Welcome</body></html>")

    def slow(h):  # past the 2 s timeout of write_config
        import time
        time.sleep(3)
    server.routes["/slow.xml"] = slow
    from tests.extractors.test_http import reply
    server.routes["/redirect.xml"] = reply(301, Location="/good.xml")
    server.routes["/err.xml"] = reply(500)
    feeds = [("good", "/good.xml"), ("broken", "/broken.xml"), ("html", "/home.html"),
             ("missing", "/nope.xml"), ("error", "/err.xml"), ("slow", "/slow.xml"),
             ("moved", "/redirect.xml")]
    config = write_config(tmp_path / "c.toml", [(n, server.base_url + p) for n, p in feeds])
    summary = monitor(str(config), force=True)
    assert summary.counts["feeds_failed"] == 4
    assert summary.counts["articles_new"] == 3 and summary.counts["articles_failed"] == 1
    wh = tmp_path / "wh" / "pactwatch.duckdb"
    reasons = dict(query(wh, "SELECT url, reason FROM v_failures WHERE stage = 'feed'"))
    base = server.base_url
    assert reasons[f"{base}/nope.xml"] == "HTTP 404 Not Found"
    assert reasons[f"{base}/err.xml"] == "HTTP 500 Internal Server Error"
    assert reasons[f"{base}/slow.xml"].startswith("timed out")
    assert reasons[f"{base}/home.html"].startswith("not a feed")
    assert "entries recovered" in reasons[f"{base}/broken.xml"]
    [(text,)] = query(wh, "SELECT text FROM v_articles WHERE url LIKE '%latin1.html'")
    assert "« défense » à Moscou" in text
    health = dict(query(wh, "SELECT name, consecutive_failures FROM v_feeds"))
    assert health == {"good": 0, "broken": 0, "html": 1, "missing": 1, "error": 1, "slow": 1,
                      "moved": 0}
