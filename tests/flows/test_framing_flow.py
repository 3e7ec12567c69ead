"""Framing end to end: an edited lede that reframes an article is flagged as a version
change; re-running adds nothing."""

from __future__ import annotations

from pathlib import Path

import pytest

from deploy.demo.server import DevServer
from flows.monitor import monitor
from tests.conftest import query, write_config

COMBINED = ("pactwatch.framing.v2 (lexicons + all-MiniLM-L6-v2 prototypes v1) + "
            "pactwatch.tone.v1 (all-MiniLM-L6-v2 tone prototypes)")
pytestmark = [pytest.mark.e2e, pytest.mark.usefixtures("prefect_harness")]

SECURITY = ("The mutual defence treaty between Russia and North Korea is an alarming military "
            "threat: troops, missiles and artillery shells now flow to the war, and security "
            "officials warn of a dangerous armed escalation and more attacks.")
ECONOMY = ("The treaty between Russia and North Korea opens trade: new investment, cheaper "
           "oil and fuel, exports through Rason and business for firms on both sides will "
           "boost the economy and benefit the budget, officials said.")


def page(lede: str) -> str:
    tail = ("Officials in Moscow and Pyongyang met again this week to discuss the treaty, and "
            "more meetings are planned before the end of the year.")
    return (f"<html lang='en'><body><article><h1>The treaty</h1><p>{lede}</p><p>{lede}</p>"
            f"<p>{tail}</p></article></body></html>")


def test_reframed_edit_is_a_version_change(tmp_path: Path, server: DevServer) -> None:
    (server.root / "a.html").write_text(page(SECURITY))
    feed = server.root / "feed.xml"
    feed.write_text("<rss version='2.0'><channel><title>T</title><item><title>Treaty</title>"
                    "<link>/a.html</link><description>v1</description></item></channel></rss>")
    config = write_config(tmp_path / "c.toml", [("Ledger", f"{server.base_url}/feed.xml")])
    monitor(str(config), force=True)
    (server.root / "a.html").write_text(page(ECONOMY))
    feed.write_text(feed.read_text().replace("v1", "v2"))
    monitor(str(config), force=True)
    snap = tmp_path / "wh" / "pactwatch.snapshot.duckdb"
    [(baseline, moved, before, after)] = query(
        snap, "SELECT baseline, frames_moved, tone_before, tone_after FROM v_framing_changes "
              "WHERE scope = 'version'")
    assert baseline == "version 1"
    frames = {m.split(" ")[0]: m.split(" ")[1].split("→") for m in moved}
    security, economic = frames["Security_and_defense"], frames["Economic"]
    assert float(security[0]) > float(security[1]) and float(economic[0]) < float(economic[1])
    assert before < 0 < after
    # every sentence of the latest version voted once; the method names the model
    [(methods, votes, sentences)] = query(snap, """
        SELECT list(DISTINCT f.method), sum(f.votes),
               (SELECT count(*) FROM sentences s WHERE s.version_id = any_value(f.version_id))
        FROM v_framing f WHERE f.frame <> 'tone' AND f.article_url NOT LIKE 'seed://%'""")
    assert methods == [COMBINED]
    assert votes == sentences > 0
    counts = "SELECT (SELECT count(*) FROM framing), (SELECT count(*) FROM framing_changes)"
    before_rerun = query(snap, counts)
    monitor(str(config), force=True)
    assert query(snap, counts) == before_rerun


def test_lexicons_alone_then_reframed_when_embeddings_are_turned_on(
        tmp_path: Path, server: DevServer) -> None:
    (server.root / "a.html").write_text(page(SECURITY))
    (server.root / "feed.xml").write_text(
        "<rss version='2.0'><channel><title>T</title><item><title>Treaty</title>"
        "<link>/a.html</link></item></channel></rss>")
    config = write_config(tmp_path / "c.toml", [("Ledger", f"{server.base_url}/feed.xml")],
                          "[framing]\nembeddings = false\n")
    monitor(str(config), force=True)
    snap = tmp_path / "wh" / "pactwatch.snapshot.duckdb"
    rows = query(snap, "SELECT DISTINCT method, votes FROM v_framing WHERE article_url "
                       "NOT LIKE 'seed://%'")
    assert rows == [("pactwatch.framing.v1 (lexicons)", None)]
    [(dominant,)] = query(snap, """SELECT arg_max(frame, score) FROM v_framing
        WHERE frame <> 'tone' AND article_url NOT LIKE 'seed://%'""")
    assert dominant == "Security_and_defense"
    changes = "SELECT count(*) FROM framing_changes"
    flagged = query(snap, changes)
    # turned on: every version is framed again by the new method, in place, with no new flag
    write_config(tmp_path / "c.toml", [("Ledger", f"{server.base_url}/feed.xml")])
    monitor(str(config), force=True)
    [(methods, rows, versions)] = query(snap, """SELECT list(DISTINCT method), count(*),
        count(DISTINCT version_id) FROM framing""")
    assert methods == [COMBINED]
    assert rows == versions * 15 and versions == 3  # two seeds and the article
    assert query(snap, changes) == flagged
