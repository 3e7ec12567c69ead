"""A small real warehouse for the story page's unit tests: three outlets carry one claim
(first, repeated, changed), framing per week, one failing feed, one failed page.

Rows go in through the real migrations and views (`open_warehouse`), as a pass would
leave them; only what the page reads is filled in.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path

import duckdb

from warehouse.db import open_warehouse

T0 = datetime(2024, 11, 4, 8, 0)  # a Monday
HOSTILE = 'Kremlin <script>alert("x")</script> & friends'
CLAIMS = (  # (article, idx, day offset, status, sentence, claimant, changes)
    ("a1", 0, 0, "new", "North Korea has sent 1,500 troops to Russia.", "NIS", []),
    ("a2", 0, 2, "repeated", "North Korea sent 1,500 soldiers to Russia, the NIS said.", "NIS",
     []),
    ("a3", 0, 4, "changed", "North Korea has now sent 3,000 troops to Russia.", "NIS",
     [{"field": "quantity", "old": "1,500 troop", "new": "3,000 troop"}]),
    ("a3", 1, 4, "new", HOSTILE, "", []),
)
OUTLETS = {"a1": "Harbour Times", "a2": "Steppe Review", "a3": "Baltic Courier"}


def _article(con: duckdb.DuckDBPyConnection, aid: str, day: int, texts: list[str]) -> None:
    at = T0 + timedelta(days=day)
    url = f"https://{aid}.example/story"
    con.execute("INSERT INTO articles VALUES (?, ?, ?, ?, NULL, false, ?, 'r1')",
                [aid, url, url, OUTLETS[aid], at])
    con.execute("""INSERT INTO article_versions (version_id, article_id, content_hash, fetched_at,
                   run_id, title, published_at, text, extraction_method, relevant)
                   VALUES (?, ?, 'h', ?, 'r1', ?, ?, ?, 'test', true)""",
                [f"v{aid}", aid, at, f"Story {aid}", at, " ".join(texts)])
    for i, text in enumerate(texts):
        con.execute("INSERT INTO sentences VALUES (?, ?, ?, ?, 0, ?, ?)",
                    [f"v{aid}:{i}", f"v{aid}", aid, i, len(text), text])


def _claims(con: duckdb.DuckDBPyConnection) -> None:
    origin = "va1:0"
    for aid, idx, day, status, sentence, claimant, changes in CLAIMS:
        cid = f"v{aid}:{idx}"
        con.execute("""INSERT INTO claims (claim_id, sentence_id, version_id, article_id,
                       sentence_idx, start_char, end_char, sentence, claim_text, claimant,
                       certainty, negated, checkworthiness, method, run_id)
                       VALUES (?, ?, ?, ?, ?, 0, 1, ?, ?, ?, 'reported', false, 0.9, 'test',
                       'r1')""",
                    [cid, cid, f"v{aid}", aid, idx, sentence, sentence, claimant])
        own = cid if status == "new" else origin
        matched = None if status == "new" else ("va2:0" if status == "changed" else origin)
        con.execute("""INSERT INTO claim_judgements VALUES (?, ?, 'r1', ?, ?, ?, 0.8, ?, ?, ?,
                       'test')""",
                    [f"j{cid}", cid, T0 + timedelta(days=day, hours=1), status, matched,
                     changes, own, T0 + timedelta(days=day if status == "new" else 0)])


def _framing(con: duckdb.DuckDBPyConnection) -> None:
    for aid in ("a1", "a2", "a3"):
        security = 0.9 if aid == "a3" else 0.3
        for frame, score, idxs in (("Security_and_defense", security, [0]),
                                   ("Political", 1 - security, [0]), ("tone", -0.5, [])):
            con.execute("INSERT INTO framing (version_id, article_id, frame, score, hits, "
                        "sentence_idxs, method) VALUES (?, ?, ?, ?, 1, ?, 'test')",
                        [f"v{aid}", aid, frame, score, idxs])
    con.execute("""INSERT INTO framing_changes (change_id, scope, article_id, outlet, baseline,
                   frames_moved, tone_before, tone_after, magnitude, detected_at)
                   VALUES ('fc1', 'article', 'a3', NULL, 'the outlet''s earlier articles',
                   ['Security_and_defense 0.30→0.90', 'Political 0.70→0.10'], 0.1, -0.5,
                   0.6, ?)""", [T0 + timedelta(days=4)])


def _health(con: duckdb.DuckDBPyConnection) -> None:
    con.execute("INSERT INTO runs (run_id, started_at, finished_at, status) VALUES "
                "('r1', ?, ?, 'completed')", [T0 + timedelta(days=5), T0 + timedelta(days=5)])
    con.execute("INSERT INTO feeds VALUES ('f1', 'https://broken.example/rss', 'Broken Feed', ?)",
                [T0])
    con.execute("""INSERT INTO fetches (fetch_id, run_id, kind, url, feed_id, requested_at,
                   outcome, error) VALUES ('x1', 'r1', 'feed', 'https://broken.example/rss', 'f1',
                   ?, 'failed', 'HTTP 404 Not Found')""", [T0 + timedelta(days=5)])
    con.execute("INSERT INTO failures VALUES ('fa1', 'r1', 'page', 'https://gone.example/a', "
                "'terminal', 'HTTP 410 Gone', ?)", [T0 + timedelta(days=5)])
    for eid, name, days in (("e1", "Russia", (0, 2, 4)), ("e2", "Kursk", (4, 4, 4))):
        con.execute("INSERT INTO entities VALUES (?, ?, 'GPE', ?)", [eid, name, T0])
        for n, day in enumerate(days):
            aid = {0: "a1", 2: "a2", 4: "a3"}[day]
            con.execute("INSERT INTO mentions VALUES (?, ?, ?, ?, ?, ?, ?, ?, 'GPE', NULL)",
                        [f"{eid}{n}", eid, f"v{aid}:0", f"v{aid}", aid, n, n + 1, name])


def small_warehouse(path: Path) -> Path:
    """Write the small warehouse at `path` and return it."""
    with open_warehouse(path) as con:
        for aid, day in (("a1", 0), ("a2", 2)):
            _article(con, aid, day, [c[4] for c in CLAIMS if c[0] == aid])
        _article(con, "a3", 4, [CLAIMS[2][4], HOSTILE])
        _claims(con)
        _framing(con)
        _health(con)
    return path
