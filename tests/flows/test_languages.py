"""Languages and relevance end to end: a real pass over loopback pages in two languages."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

from deploy.demo.server import DevServer
from flows.monitor import monitor
from tests.conftest import query, write_config
from tests.flows.test_claims_flow import page, rss

pytestmark = [pytest.mark.e2e, pytest.mark.usefixtures("prefect_harness")]

ENGLISH = ("Russia and North Korea signed a comprehensive strategic partnership treaty in "
           "Pyongyang on Wednesday. The treaty obliges each side to assist the other if it is "
           "attacked, Kim Jong Un said after talks with Vladimir Putin.")
GERMAN = ("Russland und Nordkorea haben in Pjöngjang einen Vertrag über eine umfassende "
          "strategische Partnerschaft unterzeichnet. Der Vertrag verpflichtet beide Seiten "
          "zu gegenseitigem Beistand im Fall eines Angriffs, sagte Kim Jong Un nach Gesprächen "
          "mit Wladimir Putin.")
ELECTION = ("The governor's debate was about school budgets and road repairs. " * 6 +
            "One candidate said Russia and North Korea are threats to peace. " +
            "Both candidates promised lower property taxes for families. " * 6)


def test_other_languages_are_stored_not_analysed_and_counted(tmp_path: Path,
                                                             server: DevServer) -> None:
    (server.root / "pact.html").write_text(page("Putin and Kim sign pact", ENGLISH))
    (server.root / "vertrag.html").write_text(
        page("Russland und Nordkorea unterzeichnen Vertrag", GERMAN).replace("lang='en'",
                                                                             "lang='de'"))
    (server.root / "debate.html").write_text(page("Governor's race: the school budget", ELECTION))
    (server.root / "feed.xml").write_text(rss(("pact", "Wed, 19 Jun 2024 10:00:00 GMT"),
                                              ("vertrag", "Wed, 19 Jun 2024 11:00:00 GMT"),
                                              ("debate", "Wed, 19 Jun 2024 12:00:00 GMT")))
    config = write_config(tmp_path / "c.toml", [("Wire", f"{server.base_url}/feed.xml")])
    monitor(str(config), force=True)
    snap = tmp_path / "wh" / "pactwatch.snapshot.duckdb"
    rows = {r[0].rsplit("/", 1)[1]: r[1:] for r in query(snap, """
        SELECT url, language, analysis, relevant, not_analysed_reason, relevance_method,
               relevance_evidence, relevance_score
        FROM v_articles WHERE NOT is_seed""")}
    lang, analysis, relevant, reason, _method, evidence, score = rows["vertrag.html"]
    assert (lang, analysis, relevant, evidence, score) == ("de", "not analysed", False, [], 0.0)
    assert reason.startswith("not analysed: German (de)")
    assert rows["pact.html"][:3] == ("en", "analysed", True)
    assert rows["pact.html"][5][0] == "Putin and Kim sign pact" and rows["pact.html"][6] == 1.0
    assert rows["debate.html"][:3] == ("en", "not relevant", False)
    assert rows["pact.html"][4].startswith("pactwatch.relevance.v4")
    # the German text is searchable, and never went through the English model
    [(n_sentences,)] = query(snap, "SELECT count(*) FROM sentences s JOIN v_articles a "
                                   "USING (article_id) WHERE a.language = 'de'")
    assert n_sentences == 0
    [(found,)] = query(snap, "SELECT count(*) FROM v_articles WHERE text ILIKE '%Beistand%'")
    assert found == 1
    status = subprocess.run([sys.executable, "-m", "deploy.cli", "status", "--db", str(snap)],
                            capture_output=True, text=True, check=True).stdout
    assert "articles by analysis" in status
    assert re.search(r"not analysed\W+de\W+1\b", status), status
    assert re.search(r"not relevant\W+en\W+1\b", status), status
    # the digest says what it could not read
    import duckdb

    from flows.digest.flow import build_digest
    from flows.digest.render import render_html, render_text

    con = duckdb.connect(str(snap), read_only=True)
    try:
        d = build_digest(con)
    finally:
        con.close()
    line = ("1 article in German not analysed (stored and searchable: SELECT * FROM "
            "v_articles WHERE analysis = 'not analysed')")
    assert line in render_text(d)
    assert line.replace("'", "&#39;") in render_html(d)
