"""Reads behind the story page: each one a documented view (warehouse/views/070_report.sql
and the views it builds on), filtered by an optional start date."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

import duckdb

from warehouse.db import dict_rows

SINCE = "coalesce(?::DATE, DATE '1970-01-01')"

TIMELINES = f"""
    SELECT * FROM v_claim_timelines
    WHERE origin_claim_id IN (SELECT origin_claim_id FROM v_claim_timelines
                              WHERE published_at >= {SINCE})
    ORDER BY last_published_at DESC, origin_claim_id, step
"""

COVERAGE = f"""
    SELECT outlet, day, article_count, relevant_count FROM v_coverage_daily
    WHERE day >= {SINCE} ORDER BY day, outlet
"""

FRAMING_WEEKLY = f"""
    SELECT outlet, week, frame, mean_score, article_count FROM v_framing_weekly
    WHERE week >= date_trunc('week', {SINCE})::DATE ORDER BY outlet, week, frame
"""

FRAMING_CHANGES = f"""
    SELECT change_id, scope, outlet, article_url, window_start, baseline, frames_moved,
           tone_before, tone_after, magnitude, p_value, detected_at
    FROM v_framing_changes
    WHERE coalesce(window_start, detected_at::DATE) >= {SINCE}
    ORDER BY outlet, detected_at DESC, magnitude DESC
"""

FRAMING_EVIDENCE = """
    SELECT change_id, frame, article_url, sentence_idx, sentence FROM v_framing_evidence
    ORDER BY change_id, frame, article_id, sentence_idx
"""

RISING = """
    SELECT week, canonical_name, label, mention_count, article_count, weekly_mean_before,
           rise, is_new
    FROM v_entities_rising ORDER BY rise DESC, canonical_name LIMIT ?
"""

FAILING_FEEDS = """
    SELECT name, url, consecutive_failures, last_polled_at, last_error FROM v_feeds
    WHERE consecutive_failures > 0 ORDER BY consecutive_failures DESC, name
"""

RECENT_FAILURES = f"""
    SELECT stage, error_class, url, reason, count(*) AS failure_count,
           max(occurred_at) AS last_occurred_at
    FROM v_failures
    WHERE occurred_at >= greatest({SINCE}::TIMESTAMP,
                                  (SELECT max(occurred_at) FROM v_failures) - INTERVAL 7 DAY)
    GROUP BY ALL ORDER BY last_occurred_at DESC, stage, url LIMIT 50
"""

LAST_RUN = """
    SELECT started_at, finished_at, status FROM v_runs WHERE status = 'completed' LIMIT 1
"""

LATEST_DIGEST = "SELECT covers_from, covers_until, subject FROM v_digests LIMIT 1"


def claim_timelines(con: duckdb.DuckDBPyConnection, since: date | None
                    ) -> list[dict[str, Any]]:
    """Every appearance of each repeated or changed assertion seen on or after `since`."""
    return dict_rows(con, TIMELINES, [since])


def coverage_daily(con: duckdb.DuckDBPyConnection, since: date | None) -> list[dict[str, Any]]:
    """Articles per outlet per day, from `since` on."""
    return dict_rows(con, COVERAGE, [since])


def framing_weekly(con: duckdb.DuckDBPyConnection, since: date | None
                   ) -> list[dict[str, Any]]:
    """Mean frame shares and tone per outlet per week, from the week of `since` on."""
    return dict_rows(con, FRAMING_WEEKLY, [since])


def framing_changes(con: duckdb.DuckDBPyConnection, since: date | None
                    ) -> list[dict[str, Any]]:
    """Framing changes of weeks (outlet scope) or detections from `since` on."""
    return dict_rows(con, FRAMING_CHANGES, [since])


def framing_evidence(con: duckdb.DuckDBPyConnection) -> list[dict[str, Any]]:
    """The sentences that carry each moved frame of each framing change."""
    return dict_rows(con, FRAMING_EVIDENCE, [])


def entities_rising(con: duckdb.DuckDBPyConnection, limit: int = 12) -> list[dict[str, Any]]:
    """Entities rising in the latest week of coverage, most risen first."""
    return dict_rows(con, RISING, [limit])


def failing_feeds(con: duckdb.DuckDBPyConnection) -> list[dict[str, Any]]:
    """Feeds whose latest polls failed, longest streak first."""
    return dict_rows(con, FAILING_FEEDS, [])


def recent_failures(con: duckdb.DuckDBPyConnection, since: date | None
                    ) -> list[dict[str, Any]]:
    """What failed in the week before the latest failure (and from `since` on), grouped
    by stage, URL and reason."""
    return dict_rows(con, RECENT_FAILURES, [since])


def last_completed_run(con: duckdb.DuckDBPyConnection) -> datetime | None:
    """When the latest completed pass finished (None before the first)."""
    rows = dict_rows(con, LAST_RUN, [])
    value = rows[0]["finished_at"] if rows else None
    return value if isinstance(value, datetime) else None


def latest_digest_window(con: duckdb.DuckDBPyConnection
                         ) -> tuple[datetime | None, datetime] | None:
    """The window (from, until) of the latest stored digest; None before the first."""
    rows = dict_rows(con, LATEST_DIGEST, [])
    if not rows:
        return None
    return rows[0]["covers_from"], rows[0]["covers_until"]
