"""Reads the flow needs to plan a pass: validators, known entries, latest versions; run rows."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import duckdb

from warehouse.db import dict_rows, transaction, utcnow
from warehouse.load import insert_rows
from warehouse.schemas import RunRow, run_counters


@dataclass(frozen=True)
class Validators:
    """What a conditional GET sends back: the last ETag and Last-Modified seen."""

    etag: str | None
    last_modified: str | None


@dataclass(frozen=True)
class UrlState:
    """What the warehouse knows of one canonical URL seen in feeds before."""

    article_id: str | None
    fingerprints: frozenset[str]
    content_hash: str | None
    validators: Validators
    failed_terminally: bool
    article_url: str | None = None        # the canonical URL the article is stored under
    page_problem: str | None = None       # the latest version's (None: text from the page)
    last_page_at: datetime | None = None  # the last page fetch (or robots refusal)


def _temp_keys(con: duckdb.DuckDBPyConnection, keys: Iterable[str]) -> None:
    con.execute("CREATE OR REPLACE TEMP TABLE _keys (k VARCHAR)")
    import pyarrow as pa

    con.register("_keys_in", pa.table({"k": list(keys)}))
    con.execute("INSERT INTO _keys SELECT k FROM _keys_in")
    con.unregister("_keys_in")


def feed_validators(con: duckdb.DuckDBPyConnection) -> dict[str, Validators]:
    """Latest successful poll's ETag / Last-Modified per feed URL."""
    rows = con.execute("""
        SELECT url, etag, last_modified FROM fetches
        WHERE kind = 'feed' AND outcome = 'ok'
        QUALIFY row_number() OVER (PARTITION BY url ORDER BY requested_at DESC) = 1
    """).fetchall()
    return {url: Validators(etag, lm) for url, etag, lm in rows}


def url_states(con: duckdb.DuckDBPyConnection,
               canonical_urls: Iterable[str]) -> dict[str, UrlState]:
    """For each canonical URL already seen in a feed or stored as an article: its entry
    fingerprints, its article (stored under this URL, or under the page's canonical URL
    that a link of this URL led to), the latest version's content hash and page problem,
    the last page validators and fetch time, and whether the last fetch failed terminally."""
    _temp_keys(con, canonical_urls)
    rows = con.execute("""
        WITH fp AS (SELECT canonical_url, list(DISTINCT fingerprint) AS fps
                    FROM feed_entries JOIN _keys ON k = canonical_url GROUP BY 1),
        links AS (SELECT canonical_url AS url, article_id FROM articles
                  UNION ALL SELECT url, article_id FROM article_urls),
        a AS (SELECT k AS link, l.article_id, ar.canonical_url AS article_url
              FROM links l JOIN _keys ON k = l.url JOIN articles ar USING (article_id)
              QUALIFY row_number() OVER (PARTITION BY k ORDER BY ar.canonical_url <> k) = 1),
        v AS (SELECT article_id, content_hash, page_problem FROM article_versions
              WHERE article_id IN (SELECT article_id FROM a)
              QUALIFY row_number() OVER (PARTITION BY article_id
                                         ORDER BY fetched_at DESC, version_id DESC) = 1),
        f AS (SELECT url, outcome, error_class, requested_at
              FROM fetches JOIN _keys ON k = url WHERE kind = 'page'
              QUALIFY row_number() OVER (PARTITION BY url ORDER BY requested_at DESC) = 1),
        ok AS (SELECT url, etag, last_modified FROM fetches JOIN _keys ON k = url
               WHERE kind = 'page' AND outcome = 'ok'
               QUALIFY row_number() OVER (PARTITION BY url ORDER BY requested_at DESC) = 1)
        SELECT k, a.article_id, fp.fps, v.content_hash, ok.etag, ok.last_modified,
               coalesce(f.outcome = 'failed' AND f.error_class = 'terminal', false),
               a.article_url, v.page_problem, f.requested_at
        FROM _keys
        LEFT JOIN fp ON fp.canonical_url = k LEFT JOIN a ON a.link = k
        LEFT JOIN v USING (article_id) LEFT JOIN f ON f.url = k LEFT JOIN ok ON ok.url = k
        WHERE fp.fps IS NOT NULL OR a.article_id IS NOT NULL
    """).fetchall()
    return {url: UrlState(aid, frozenset(fps or ()), chash, Validators(etag, lm), bool(dead),
                          aurl, problem, last)
            for url, aid, fps, chash, etag, lm, dead, aurl, problem, last in rows}


def seeds_loaded(con: duckdb.DuckDBPyConnection) -> set[str]:
    """Canonical URLs of seed articles already in the warehouse."""
    return {r[0] for r in con.execute(
        "SELECT canonical_url FROM articles WHERE is_seed").fetchall()}


def start_run(con: duckdb.DuckDBPyConnection, run_id: str, flow_run_id: str | None,
              config_path: str, note: str | None) -> datetime:
    """Record a run as `running`; returns its start time.

    A run still `running` from before was cut off (one writer at a time): it is marked
    `abandoned`; its completed batches stay, as each was committed whole.
    """
    started = utcnow()
    row = RunRow(run_id=run_id, flow_run_id=flow_run_id, started_at=started, finished_at=None,
                 status="running", config_path=config_path, note=note,
                 **dict.fromkeys(run_counters(), None))
    with transaction(con):
        con.execute("UPDATE runs SET status = 'abandoned' WHERE status = 'running'")
        insert_rows(con, RunRow, [row])
    return started


def finish_run(con: duckdb.DuckDBPyConnection, run_id: str, status: str,
               counts: Mapping[str, int]) -> None:
    """Mark a run finished with its counters. Raises KeyError for a key that is not a
    counter of `runs` (`run_counters`)."""
    unknown = sorted(set(counts) - set(run_counters()))
    if unknown:
        raise KeyError(f"not counters of runs: {', '.join(unknown)}")
    columns = ", ".join(f"{k} = ?" for k in counts)
    with transaction(con):
        con.execute(f"UPDATE runs SET status = ?, finished_at = ?, {columns} WHERE run_id = ?",
                    [status, utcnow(), *counts.values(), run_id])


@dataclass(frozen=True)
class FeedTiming:
    """A feed's last scheduling decision."""

    next_poll_at: datetime
    interval_s: float
    consecutive_failures: int


def feed_timing(con: duckdb.DuckDBPyConnection) -> dict[str, FeedTiming]:
    """Per feed_id: when it is due, its current interval and its failure streak."""
    rows = con.execute("""
        WITH latest AS (
            SELECT * FROM feed_schedule
            QUALIFY row_number() OVER (PARTITION BY feed_id ORDER BY polled_at DESC) = 1
        )
        SELECT l.feed_id, l.next_poll_at, l.interval_s, coalesce(f.consecutive_failures, 0)
        FROM latest l LEFT JOIN v_feeds f USING (feed_id)
    """).fetchall()
    return {fid: FeedTiming(at, float(iv), int(n)) for fid, at, iv, n in rows}


LATEST_ENTRY_AND_PAGE = """
    WITH latest_entry AS (
        SELECT e.*, f.name AS feed_name, f.url AS feed_url FROM feed_entries e
        JOIN feeds f USING (feed_id)
        QUALIFY row_number() OVER (PARTITION BY e.canonical_url
                                   ORDER BY e.first_seen_at DESC, e.feed_id) = 1
    ),
    last_page AS (
        SELECT url, outcome, error_class, requested_at FROM fetches WHERE kind = 'page'
        QUALIFY row_number() OVER (PARTITION BY url ORDER BY requested_at DESC) = 1
    )"""

UNFINISHED = LATEST_ENTRY_AND_PAGE + """
    SELECT le.* FROM latest_entry le
    LEFT JOIN articles a ON a.canonical_url = le.canonical_url
    LEFT JOIN article_urls au ON au.url = le.canonical_url
    LEFT JOIN last_page p ON p.url = le.canonical_url
    WHERE a.article_id IS NULL AND au.article_id IS NULL
      AND NOT coalesce(p.outcome = 'failed' AND p.error_class = 'terminal', false)
"""


def unfinished_entries(con: duckdb.DuckDBPyConnection) -> list[dict[str, Any]]:
    """Feed entries whose article was never stored and did not fail for good: a pass cut
    off before their batch, or a transient failure. They are fetched again even when their
    feed now answers 304."""
    return dict_rows(con, UNFINISHED)


FEED_TEXT_DUE = LATEST_ENTRY_AND_PAGE + """,
    links AS (SELECT canonical_url AS url, article_id FROM articles
              UNION SELECT url, article_id FROM article_urls),
    latest_version AS (
        SELECT article_id, page_problem FROM article_versions
        QUALIFY row_number() OVER (PARTITION BY article_id
                                   ORDER BY fetched_at DESC, version_id DESC) = 1
    )
    SELECT le.* FROM latest_entry le
    JOIN links l ON l.url = le.canonical_url
    JOIN latest_version v ON v.article_id = l.article_id
    LEFT JOIN last_page p ON p.url = le.canonical_url
    WHERE v.page_problem IS NOT NULL AND le.first_seen_at >= ?
      AND coalesce(p.requested_at <= ?, true)
"""


def feed_text_due(con: duckdb.DuckDBPyConnection, announced_since: datetime,
                  tried_before: datetime) -> list[dict[str, Any]]:
    """Feed entries (as `unfinished_entries` gives them) whose article has only its feed's
    text, announced since `announced_since`, whose page was last tried before
    `tried_before`: their page is tried again even when their feed answers 304."""
    return dict_rows(con, FEED_TEXT_DUE, [announced_since, tried_before])


def robots_rows(con: duckdb.DuckDBPyConnection, since: datetime) -> list[dict[str, Any]]:
    """Each origin's latest robots.txt fetched since `since` (an unreachable one is not
    kept: it is asked for again next pass)."""
    return dict_rows(con, """
        SELECT origin, fetched_at, status_code, outcome, body, error FROM robots
        WHERE fetched_at >= ? AND outcome <> 'unreachable'
        QUALIFY row_number() OVER (PARTITION BY origin ORDER BY fetched_at DESC) = 1
    """, [since])


def unframed_versions(con: duckdb.DuckDBPyConnection, method: str
                      ) -> tuple[list[tuple[str, str, list[str]]], set[str]]:
    """(version_id, article_id, sentences in order) of analysed versions not framed by
    `method` yet, and which of them were framed before by another method."""
    rows = con.execute("""
        SELECT s.version_id, s.article_id, list(s.text ORDER BY s.sentence_idx),
               EXISTS (SELECT 1 FROM framing f WHERE f.version_id = s.version_id)
        FROM sentences s
        WHERE NOT EXISTS (SELECT 1 FROM framing f
                          WHERE f.version_id = s.version_id AND f.method = ?)
        GROUP BY 1, 2
    """, [method]).fetchall()
    return [(str(v), str(a), list(t)) for v, a, t, _f in rows], {str(r[0]) for r in rows if r[3]}


def framing_unchecked(con: duckdb.DuckDBPyConnection) -> set[str]:
    """Framed versions not yet judged for framing changes (no `framing_checks` row)."""
    rows = con.execute("""
        SELECT DISTINCT f.version_id FROM framing f
        WHERE NOT EXISTS (SELECT 1 FROM framing_checks c WHERE c.version_id = f.version_id)
    """).fetchall()
    return {str(r[0]) for r in rows}


def framing_history(con: duckdb.DuckDBPyConnection) -> list[dict[str, Any]]:
    """Every framed version with its outlet, order, version number, frame hits and tone."""
    return dict_rows(con, """
        WITH hits AS (
            SELECT version_id, map(list(frame), list(hits)) AS hits,
                   max(score) FILTER (WHERE frame = 'tone') AS tone,
                   max(hits) FILTER (WHERE frame = 'tone') AS tone_terms
            FROM framing GROUP BY version_id
        )
        SELECT v.version_id, v.article_id, coalesce(a.outlet, v.site_name, '?') AS outlet,
               a.is_seed, coalesce(v.published_at, a.first_seen_at) AS published_at,
               v.version_no, h.hits, coalesce(h.tone, 0) AS tone, h.tone_terms
        FROM hits h JOIN v_article_versions v USING (version_id)
        JOIN articles a ON a.article_id = v.article_id
    """)
