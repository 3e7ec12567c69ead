"""Which feeds are due, and when each polled feed is due next (rows for `feed_schedule`)."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from extractors.cadence import CadencePolicy, PollOutcome, max_age, next_interval
from extractors.errors import TransientError
from extractors.urls import url_id
from flows.config import FeedConfig
from flows.rows import naive
from warehouse.schemas import FeedScheduleRow
from warehouse.state import FeedTiming, UrlState

if TYPE_CHECKING:
    from flows.tasks import FeedPoll


def due_feeds(feeds: tuple[FeedConfig, ...], timing: dict[str, FeedTiming], now: datetime,
              force: bool) -> tuple[list[FeedConfig], list[FeedConfig]]:
    """Split feeds into (due, not yet due); `force` makes every feed due."""
    due: list[FeedConfig] = []
    later: list[FeedConfig] = []
    for feed in feeds:
        t = timing.get(url_id(feed.url))
        (later if not force and t and t.next_poll_at > now else due).append(feed)
    return due, later


def _outcome(poll: FeedPoll, states: dict[str, UrlState]) -> str:
    if poll.error is not None:
        return "failed"
    if poll.parsed is None:
        return "unchanged"
    for e in poll.parsed.entries:
        state = states.get(e.canonical_url)
        if state is None or e.fingerprint not in state.fingerprints:
            return "changed"
    return "unchanged"


def schedule_rows(run_id: str, polls: list[FeedPoll], states: dict[str, UrlState],
                  timing: dict[str, FeedTiming], policy: CadencePolicy) -> list[FeedScheduleRow]:
    """One `feed_schedule` row per polled feed: its outcome, next interval and why."""
    rows = []
    for p in polls:
        fid = url_id(p.feed.url)
        before = timing.get(fid)
        outcome = _outcome(p, states)
        failures = (before.consecutive_failures if before else 0) + 1 if p.error else 0
        headers = p.response.headers if p.response else {}
        retry = p.error.retry_after if isinstance(p.error, TransientError) else None
        interval, reason = next_interval(PollOutcome(
            outcome, before.interval_s if before else None, failures,
            p.parsed.ttl_minutes if p.parsed else None, max_age(headers.get("cache-control")),
            retry), policy)
        polled = naive(p.requested_at)
        rows.append(FeedScheduleRow(feed_id=fid, run_id=run_id, polled_at=polled,
                                    outcome=outcome, interval_s=interval,
                                    next_poll_at=polled + timedelta(seconds=interval),
                                    reason=reason))
    return rows
