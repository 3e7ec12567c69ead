"""Claims end to end: real flow runs, late arrivals, and the SQL interface analysts use."""

from __future__ import annotations

from pathlib import Path

import pytest

from deploy.demo.server import DevServer
from flows.monitor import monitor
from tests.conftest import query, write_config

pytestmark = [pytest.mark.e2e, pytest.mark.usefixtures("prefect_harness")]

SHIPPED = ("Ukrainian officials said North Korea has delivered 150 self-propelled howitzers to "
           "Russia under its partnership treaty with Moscow.")
LATER = ("Kim Jong Un and Vladimir Putin met in Vladivostok, where the treaty was discussed. "
         "The North Koreans have sent 150 self-propelled howitzers to Russia, Ukrainian "
         "officials said. ")
EARLY = ("Russian President Vladimir Putin and Kim Jong Un signed the treaty in Pyongyang. "
         + SHIPPED)


def page(title: str, text: str) -> str:
    filler = (f"This {title.lower()} report on the partnership between the two governments "
              "was written from public statements and will be updated as news comes in.")
    paragraphs = f"<p>{text}</p><p>{filler}</p>"
    return (f"<html lang='en'><head><title>{title}</title></head><body><article><h1>{title}"
            f"</h1>{paragraphs}</article></body></html>")


def rss(*items: tuple[str, str]) -> str:
    body = "".join(f"<item><title>{t}</title><link>/{slug}.html</link><pubDate>{d}</pubDate>"
                   f"</item>" for slug, t, d in ((s, s, d) for s, d in items))
    return (f"<?xml version='1.0'?><rss version='2.0'><channel><title>T</title>{body}"
            "</channel></rss>")



def test_a_late_article_becomes_the_first_appearance(tmp_path: Path, server: DevServer) -> None:
    (server.root / "later.html").write_text(page("Later", LATER))
    (server.root / "early.html").write_text(page("Early", EARLY))
    feed = server.root / "feed.xml"
    feed.write_text(rss(("later", "Wed, 10 Jul 2024 10:00:00 GMT")))
    config = write_config(tmp_path / "c.toml", [("Wire", f"{server.base_url}/feed.xml")])
    monitor(str(config), force=True)
    snap = tmp_path / "wh" / "pactwatch.snapshot.duckdb"
    sql = ("SELECT status, article_url, origin_article_url, first_seen_at::DATE::VARCHAR "
           "FROM v_claims WHERE claim_text LIKE '%150 self-propelled howitzers%' AND NOT is_seed")
    [(status, url, origin, first)] = query(snap, sql)
    assert (status, url.endswith("later.html"), first) == ("new", True, "2024-07-10")
    assert origin == url

    feed.write_text(rss(("later", "Wed, 10 Jul 2024 10:00:00 GMT"),
                        ("early", "Mon, 24 Jun 2024 09:00:00 GMT")))  # arrives late
    monitor(str(config), force=True)
    rows = sorted(query(snap, sql), key=lambda r: r[1])
    assert [(r[0], r[1].rsplit("/", 1)[1], r[2].rsplit("/", 1)[1], r[3]) for r in rows] == [
        ("new", "early.html", "early.html", "2024-06-24"),
        ("repeated", "later.html", "early.html", "2024-06-24")]
    fresh = query(snap, "SELECT article_url FROM v_new_claims WHERE claim_text LIKE '%howitzers%'")
    assert [u.rsplit("/", 1)[1] for (u,) in fresh] == ["early.html"]
    history = query(snap, "SELECT count(*) FROM claim_judgements j JOIN claims c USING "
                          "(claim_id) WHERE c.claim_text LIKE '%150 self-propelled howitzers%'")
    assert history == [(3,)]  # later: new, then repeated; early: new


def test_rerun_adds_no_claims_or_judgements(tmp_path: Path, server: DevServer) -> None:
    (server.root / "early.html").write_text(page("Early", EARLY))
    (server.root / "feed.xml").write_text(rss(("early", "Mon, 24 Jun 2024 09:00:00 GMT")))
    config = write_config(tmp_path / "c.toml", [("Wire", f"{server.base_url}/feed.xml")])
    monitor(str(config), force=True)
    wh = tmp_path / "wh" / "pactwatch.duckdb"
    counts = "SELECT (SELECT count(*) FROM claims), (SELECT count(*) FROM claim_judgements)"
    before = query(wh, counts)
    assert before[0][0] > 10  # the seeds' claims and the article's
    # every claim row names the check-worthiness model that passed its sentence
    methods = query(wh, "SELECT DISTINCT method FROM claims")
    assert methods and all(m.endswith("; pactwatch.checkworthy.v1.1") for (m,) in methods), methods
    monitor(str(config), force=True)
    assert query(wh, counts) == before


def _two_passes(folder: Path, server: DevServer) -> list[tuple]:
    """The late-arrival passes of the test above; every claim's verdict, origin and match."""
    (server.root / "later.html").write_text(page("Later", LATER))
    (server.root / "early.html").write_text(page("Early", EARLY))
    feed = server.root / "feed.xml"
    feed.write_text(rss(("later", "Wed, 10 Jul 2024 10:00:00 GMT")))
    folder.mkdir()
    config = write_config(folder / "c.toml", [("Wire", f"{server.base_url}/feed.xml")])
    monitor(str(config), force=True)
    feed.write_text(rss(("later", "Wed, 10 Jul 2024 10:00:00 GMT"),
                        ("early", "Mon, 24 Jun 2024 09:00:00 GMT")))
    monitor(str(config), force=True)
    return query(folder / "wh" / "pactwatch.duckdb", """
        SELECT c.claim_id, j.status, j.matched_claim_id, j.origin_claim_id, j.similarity
        FROM claims c JOIN claim_judgements j USING (claim_id)
        QUALIFY row_number() OVER (PARTITION BY c.claim_id ORDER BY j.judged_at DESC) = 1
        ORDER BY c.claim_id""")


def test_claims_judged_in_parts_get_the_verdicts_of_one_judging(
        tmp_path: Path, server: DevServer, monkeypatch: pytest.MonkeyPatch) -> None:
    import flows.history_tasks

    whole = _two_passes(tmp_path / "whole", server)
    monkeypatch.setattr(flows.history_tasks, "CLAIMS_AT_ONCE", 3)  # the seeds' 40-odd in parts
    parts = _two_passes(tmp_path / "parts", server)
    assert len(whole) > 40 and {r[1] for r in whole} >= {"new", "repeated"}
    assert parts == whole
