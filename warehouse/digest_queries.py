"""Reads behind the digest: what was flagged in a time window, entities, failing feeds."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import duckdb

from warehouse.db import dict_rows

CLAIMS_IN_WINDOW = """
    SELECT claim_id, is_seed, status, origin_claim_id, sentence, claim_text, claimant, certainty,
           article_id, outlet, article_url, published_at, first_seen_at, changes,
           matched_sentence, matched_outlet, matched_article_url, checkworthiness, judged_at,
           actors, quantities, dates
    FROM v_claims
    WHERE judged_at > coalesce(?::TIMESTAMP, TIMESTAMP '1970-01-01') AND judged_at <= ?
    ORDER BY published_at, claim_id
"""

ENTITIES_IN_WINDOW = """
    WITH window_mentions AS (
        SELECT m.entity_id, count(*) AS mentions, count(DISTINCT m.article_id) AS articles
        FROM mentions m JOIN article_versions v USING (version_id)
        WHERE v.fetched_at > coalesce(?::TIMESTAMP, TIMESTAMP '1970-01-01')
          AND v.fetched_at <= ?
        GROUP BY 1
    )
    SELECT e.canonical_name, e.label, w.mentions, w.articles,
           e.first_seen_at > coalesce(?::TIMESTAMP, TIMESTAMP '1970-01-01') AS is_new
    FROM window_mentions w JOIN entities e USING (entity_id)
    ORDER BY is_new DESC, w.mentions DESC LIMIT ?
"""

FAILED_WORK = """
    SELECT stage, count(*) AS failures, arg_max(reason, occurred_at) AS last_reason
    FROM failures
    WHERE stage IN ('batch', 'seeds')
      AND occurred_at > coalesce(?::TIMESTAMP, TIMESTAMP '1970-01-01') AND occurred_at <= ?
    GROUP BY stage ORDER BY stage
"""

NOT_ANALYSED = """
    SELECT language, count(*) AS articles
    FROM v_articles
    WHERE analysis = 'not analysed' AND NOT is_seed
      AND first_seen_at > coalesce(?::TIMESTAMP, TIMESTAMP '1970-01-01') AND first_seen_at <= ?
    GROUP BY language ORDER BY articles DESC, language
"""

FRAMING_CHANGES = """
    SELECT scope, outlet, article_url, frames_moved, magnitude, tone_before, tone_after,
           window_start, baseline
    FROM v_framing_changes
    WHERE detected_at > coalesce(?::TIMESTAMP, TIMESTAMP '1970-01-01') AND detected_at <= ?
    ORDER BY magnitude DESC LIMIT 20
"""

OUTLET_FRAMES = """
    SELECT date_trunc('week', published_at)::DATE AS week, frame, avg(score) AS share
    FROM v_framing
    WHERE outlet = ? AND frame <> 'tone' AND published_at IS NOT NULL
    GROUP BY ALL ORDER BY week
"""

FAILING_FEEDS = """
    SELECT name, url, consecutive_failures, last_error FROM v_feeds
    WHERE consecutive_failures > 0 ORDER BY consecutive_failures DESC, name
"""


def claims_in_window(con: duckdb.DuckDBPyConnection, since: datetime | None,
                     until: datetime) -> list[dict[str, Any]]:
    """Claims whose current verdict was reached in (since, until]."""
    return dict_rows(con, CLAIMS_IN_WINDOW, [since, until])


def entities_in_window(con: duckdb.DuckDBPyConnection, since: datetime | None,
                       until: datetime, limit: int = 8) -> list[dict[str, Any]]:
    """The most mentioned entities of the window, the newly seen first."""
    return dict_rows(con, ENTITIES_IN_WINDOW, [since, until, since, limit])


def failed_work(con: duckdb.DuckDBPyConnection, since: datetime | None,
                until: datetime) -> list[dict[str, Any]]:
    """Batches (and seed analyses) that failed after their retries in the window."""
    return dict_rows(con, FAILED_WORK, [since, until])


def not_analysed(con: duckdb.DuckDBPyConnection, since: datetime | None,
                 until: datetime) -> list[dict[str, Any]]:
    """Articles first seen in the window and stored without analysis, per language."""
    return dict_rows(con, NOT_ANALYSED, [since, until])


def framing_changes(con: duckdb.DuckDBPyConnection, since: datetime | None,
                    until: datetime) -> list[dict[str, Any]]:
    """Framing changes flagged in the window, largest first."""
    return dict_rows(con, FRAMING_CHANGES, [since, until])


def outlet_frames(con: duckdb.DuckDBPyConnection, outlet: str) -> list[dict[str, Any]]:
    """An outlet's mean frame shares per week, for the digest's small chart."""
    return dict_rows(con, OUTLET_FRAMES, [outlet])


def failing_feeds(con: duckdb.DuckDBPyConnection) -> list[dict[str, Any]]:
    return dict_rows(con, FAILING_FEEDS, [])


def last_digest_until(con: duckdb.DuckDBPyConnection) -> datetime | None:
    """The end of the window the previous digest covered (None before the first)."""
    rows = con.execute("SELECT max(covers_until) FROM digests").fetchall()
    value = rows[0][0]
    return value if isinstance(value, datetime) else None


def pending_digests(con: duckdb.DuckDBPyConnection) -> list[dict[str, Any]]:
    """Digests not yet accepted by the SMTP server for every recipient stored with them,
    oldest first, with `pending_to`: the recipients still to be sent to."""
    return dict_rows(con, """
        SELECT d.*, v.pending_to FROM digests d JOIN v_digests v USING (digest_id)
        WHERE v.status = 'pending' ORDER BY d.created_at
    """, [])
