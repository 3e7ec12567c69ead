"""Which pages a pass fetches, in what order and batches: new and changed entries, pages
left unfinished, feed-text articles due for another try, and what robots.txt allows."""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Iterator
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any, Protocol

from extractors.feeds import FeedEntry
from extractors.politeness import host_key
from extractors.robots import RobotsRecord, RobotsRules
from flows import tasks
from flows.config import FeedConfig, Settings
from flows.rows import naive
from warehouse.db import open_warehouse, utcnow
from warehouse.load import Batch
from warehouse.schemas import RobotsRow
from warehouse.state import (
    UrlState,
    feed_text_due,
    robots_rows,
    unfinished_entries,
    url_states,
)


class Counts(Protocol):
    def bump(self, key: str, n: int = 1) -> None: ...


# An article stored from its feed's text (its page refused us) is tried again this long
# after the last attempt, while its feed still lists it: the full page, once it can be
# had, becomes a new version. Not every pass: a host that refuses should not hear from us
# every 15 minutes.
FEED_TEXT_RETRY = timedelta(hours=6)
FEED_TEXT_RETRY_FOR = timedelta(days=3)  # after the entry was first seen; then given up


def page_due(state: UrlState, now: datetime) -> bool:
    """An article with text from its feed whose page was last tried FEED_TEXT_RETRY ago."""
    if state.article_id is None or state.page_problem is None:
        return False
    return state.last_page_at is None or state.last_page_at <= now - FEED_TEXT_RETRY


def plan(polls: list[tasks.FeedPoll], states: dict[str, UrlState],
         summary: Counts, now: datetime | None = None) -> list[tasks.PageJob]:
    """One job per canonical URL that is new, whose entry changed, that failed transiently,
    or whose article has only its feed's text and is due for another try."""
    now = now or utcnow()
    by_url: dict[str, list[tuple[Any, Any]]] = {}
    for p in polls:
        for e in (p.parsed.entries if p.parsed else ()):
            by_url.setdefault(e.canonical_url, []).append((e, p.feed))
    jobs = []
    for url, seen in by_url.items():
        state = states.get(url)
        entry, feed = seen[0]
        fresh = state is None or any(e.fingerprint not in state.fingerprints for e, _ in seen)
        settled = state is not None and (state.article_id or state.failed_terminally)
        if settled and not fresh and not (state is not None and page_due(state, now)):
            summary.bump("articles_skipped")
            continue
        jobs.append(tasks.PageJob(entry, feed, state))
    return jobs


def resume(rows: list[dict[str, Any]], planned: set[str],
           states: dict[str, UrlState]) -> list[tasks.PageJob]:
    """Jobs for entries left unfinished by an earlier pass, or whose article has only its
    feed's text and is due for another try (not in this pass's plan)."""
    jobs = []
    for r in rows:
        if r["canonical_url"] in planned:
            continue
        planned.add(r["canonical_url"])
        entry = FeedEntry(r["url"], r["canonical_url"], r["guid"] or r["url"], r["title"] or "",
                          r["summary"] or "", utc(r["published_at"]), utc(r["updated_at"]),
                          r["content"] or "")
        jobs.append(tasks.PageJob(entry, FeedConfig(r["feed_name"], r["feed_url"]),
                                  states.get(r["canonical_url"])))
    return jobs


def resumed(wh: str, settings: Settings, planned: set[str],
            log: Any) -> list[tasks.PageJob]:
    """Jobs beyond this pass's feeds: unfinished pages, and feed-text articles due again."""
    now = utcnow()
    with open_warehouse(wh, settings.wait_for_lock_s) as con:
        unfinished = resume(unfinished_entries(con), planned, {})
        rows = feed_text_due(con, now - FEED_TEXT_RETRY_FOR, now - FEED_TEXT_RETRY)
        states = url_states(con, [r["canonical_url"] for r in rows])
        retried = resume(rows, planned, states)
    if unfinished:
        log.info("%d pages left unfinished by an earlier pass are fetched again",
                 len(unfinished))
    if retried:
        log.info("%d articles stored from their feed's text: their pages are tried again",
                 len(retried))
    return unfinished + retried


ROBOTS_FOR = timedelta(days=1)  # how long a robots.txt is used before it is asked again


def obey_robots(wh: str, settings: Settings, jobs: list[tasks.PageJob],
                 limits: tasks.PassLimits, batch: Batch, log: Any) -> list[tasks.PageJob]:
    """The jobs, each marked with what robots.txt says against fetching it; the robots
    files fetched for this (those not fetched within ROBOTS_FOR) go into `batch`."""
    with open_warehouse(wh, settings.wait_for_lock_s) as con:
        cached = [RobotsRecord(**r) for r in robots_rows(con, utcnow() - ROBOTS_FOR)]
    missing = sorted({host_key(j.entry.url) for j in jobs} - {r.origin for r in cached})
    fresh = tasks.robots_files(missing, settings.fetch, limits) if missing else []
    batch.add(*(RobotsRow(origin=r.origin, fetched_at=naive(r.fetched_at),
                          status_code=r.status_code, outcome=r.outcome, body=r.body,
                          error=r.error, run_id=limits.run_id) for r in fresh))
    rules = RobotsRules(cached + fresh, settings.fetch.user_agent)
    marked = [replace(j, refusal=rules.refusal(j.entry.url)) for j in jobs]
    refused = sum(j.refusal is not None for j in marked)
    log.info("robots.txt: %d origins (%d fetched now); %d pages not to be fetched",
             len(cached) + len(fresh), len(fresh), refused)
    return marked


def utc(value: datetime | None) -> datetime | None:
    return value.replace(tzinfo=UTC) if value is not None else None


def batches(jobs: list[tasks.PageJob], size: int) -> list[list[tasks.PageJob]]:
    """The jobs in batches of `size`, hosts interleaved."""
    ordered = interleave(jobs)
    return [ordered[i:i + size] for i in range(0, len(ordered), size)]


def interleave(jobs: list[tasks.PageJob]) -> list[tasks.PageJob]:
    """The jobs round-robin by host (each host's in their order): batches mix hosts, so a
    busy or slowed host does not hold up a whole batch's threads."""
    by_host: dict[str, list[tasks.PageJob]] = {}
    for job in jobs:
        by_host.setdefault(host_key(job.entry.url), []).append(job)
    queues = list(by_host.values())
    return [q[i] for i in range(max(map(len, queues), default=0)) for q in queues if i < len(q)]


# Fetch batches in flight: the next ones fetch while one is analysed and loaded. Together
# with the pass's limiter this bounds the pages held in memory (issue 13). All at once,
# as before, a pass of 1,000 pages held every page to the end of the pass.
WINDOW = 3


def window(chunks: list[Any], submit: Callable[[Any], Any]) -> Iterator[Any]:
    """Futures of `submit(chunk)` in order, at most WINDOW submitted ahead."""
    ahead: deque[Any] = deque(submit(c) for c in chunks[:WINDOW])
    for n in range(len(chunks)):
        future = ahead.popleft()
        if n + WINDOW < len(chunks):
            ahead.append(submit(chunks[n + WINDOW]))
        yield future
