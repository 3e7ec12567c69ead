"""Row schemas of a pass's own records: runs, feeds, fetches, feed entries, polling
decisions, robots.txt files and failures."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from warehouse.schemas.base import BigInt, Double, Integer, TableRow, Timestamp, Varchar


@dataclass(frozen=True, kw_only=True, slots=True)
class RunRow(TableRow):
    """One monitoring pass. Every INTEGER column is a counter of the pass
    (`run_counters`): the keys of `RunSummary.counts`, written by `finish_run`."""

    TABLE: ClassVar[str] = "runs"
    MIGRATIONS: ClassVar[tuple[str, ...]] = ("001_init", "003_schedule_digests")
    run_id: Varchar
    flow_run_id: Varchar | None
    started_at: Timestamp
    finished_at: Timestamp | None
    status: Varchar                     # running | completed | failed | abandoned
    config_path: Varchar | None
    feeds_polled: Integer | None
    feeds_not_modified: Integer | None
    feeds_failed: Integer | None
    articles_new: Integer | None
    articles_updated: Integer | None
    articles_unchanged: Integer | None
    articles_skipped: Integer | None
    articles_failed: Integer | None
    note: Varchar | None
    feeds_not_due: Integer | None


@dataclass(frozen=True, kw_only=True, slots=True)
class FeedRow(TableRow):
    """A configured feed as first seen."""

    TABLE: ClassVar[str] = "feeds"
    MIGRATIONS: ClassVar[tuple[str, ...]] = ("001_init",)
    feed_id: Varchar
    url: Varchar
    name: Varchar
    first_seen_at: Timestamp


@dataclass(frozen=True, kw_only=True, slots=True)
class FetchRow(TableRow):
    """One feed or page request (append-only)."""

    TABLE: ClassVar[str] = "fetches"
    MIGRATIONS: ClassVar[tuple[str, ...]] = ("001_init",)
    fetch_id: Varchar
    run_id: Varchar
    kind: Varchar                       # feed | page
    url: Varchar
    final_url: Varchar | None
    feed_id: Varchar | None
    requested_at: Timestamp
    outcome: Varchar                    # ok | not_modified | failed | disallowed
    status_code: Integer | None
    bytes: BigInt | None
    etag: Varchar | None
    last_modified: Varchar | None
    content_hash: Varchar | None
    elapsed_ms: Integer | None
    error_class: Varchar | None         # transient | terminal
    error: Varchar | None


@dataclass(frozen=True, kw_only=True, slots=True)
class FeedEntryRow(TableRow):
    """One distinct version of a feed entry."""

    TABLE: ClassVar[str] = "feed_entries"
    MIGRATIONS: ClassVar[tuple[str, ...]] = ("001_init", "008_feed_fallback_robots")
    feed_id: Varchar
    canonical_url: Varchar
    fingerprint: Varchar
    guid: Varchar | None
    url: Varchar
    title: Varchar | None
    summary: Varchar | None
    published_at: Timestamp | None
    updated_at: Timestamp | None
    first_seen_at: Timestamp
    run_id: Varchar | None
    content: Varchar | None             # content:encoded or Atom content, sanitised HTML


@dataclass(frozen=True, kw_only=True, slots=True)
class FeedScheduleRow(TableRow):
    """A polling decision for one feed (append-only)."""

    TABLE: ClassVar[str] = "feed_schedule"
    MIGRATIONS: ClassVar[tuple[str, ...]] = ("003_schedule_digests",)
    feed_id: Varchar
    run_id: Varchar
    polled_at: Timestamp
    outcome: Varchar                    # changed | unchanged | failed
    interval_s: Double
    next_poll_at: Timestamp
    reason: Varchar


@dataclass(frozen=True, kw_only=True, slots=True)
class RobotsRow(TableRow):
    """An origin's robots.txt as fetched (append-only)."""

    TABLE: ClassVar[str] = "robots"
    MIGRATIONS: ClassVar[tuple[str, ...]] = ("008_feed_fallback_robots",)
    origin: Varchar                     # scheme://host:port
    fetched_at: Timestamp
    status_code: Integer | None         # None: no answer (timeout, refused)
    outcome: Varchar                    # rules | allow-all | unreachable
    body: Varchar | None
    error: Varchar | None
    run_id: Varchar | None


@dataclass(frozen=True, kw_only=True, slots=True)
class FailureRow(TableRow):
    """What failed (or was recovered, `warning`), where and why."""

    TABLE: ClassVar[str] = "failures"
    MIGRATIONS: ClassVar[tuple[str, ...]] = ("001_init",)
    failure_id: Varchar
    run_id: Varchar
    stage: Varchar                      # feed | page | extract | batch | seeds | archive
    url: Varchar | None
    error_class: Varchar                # transient | terminal | warning
    reason: Varchar
    occurred_at: Timestamp
