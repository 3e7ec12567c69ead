"""Prefect tasks: each one a feed or a batch of articles, never one sentence."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from contextlib import closing
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TypeVar, cast

import duckdb
from prefect import task
from prefect.cache_policies import NO_CACHE
from prefect.tasks import exponential_backoff
from prefect.utilities.annotations import quote

from extractors.errors import PactwatchError, TransientError
from extractors.feeds import ParsedFeed, parse_feed
from extractors.http import FetchPolicy, Response, fetch_with_retries
from extractors.politeness import HostLimiter
from extractors.robots import RobotsDisallowed, RobotsRecord, fetch_robots
from extractors.story import Story
from flows import workers
from flows.config import FeedConfig, Settings
from flows.pagework import Fetched, from_feed_text, refused
from flows.pagework import PageJob as PageJob  # re-exported: tasks.PageJob as before
from flows.pagework import PageResult as PageResult
from flows.pagework import extract_page as extract_page
from flows.rows import VersionInput
from warehouse.db import WarehouseLocked, connect
from warehouse.load import Batch, load_batch
from warehouse.state import (
    Validators,
)

T = TypeVar("T")


def as_is(value: T) -> T:
    """`value` handed to a task without Prefect walking through it: Prefect visits every
    element of a task's parameters (to find futures), which for a batch of thousands of
    rows took longer than loading it (a third of a pass's time). Only on the thread-pool
    runner: Dask pickles Prefect's `quote` into a plain tuple, and its tasks ran on that."""
    from prefect.context import FlowRunContext
    from prefect.task_runners import ThreadPoolTaskRunner

    context = FlowRunContext.get()
    if context is None or not isinstance(context.task_runner, ThreadPoolTaskRunner):
        return value
    return cast(T, quote(value))


@dataclass(frozen=True)
class FeedPoll:
    feed: FeedConfig
    requested_at: datetime
    response: Response | None
    parsed: ParsedFeed | None
    error: PactwatchError | None


def _now() -> datetime:
    return datetime.now(UTC)


@task(name="poll-feed", cache_policy=NO_CACHE)
def poll_feed(feed: FeedConfig, policy: FetchPolicy, validators: Validators | None,
              limits: PassLimits | None = None) -> FeedPoll:
    """Fetch one feed (conditional GET) and parse it, within the pass's limits when given
    (several feeds of one outlet are one host). Failures are returned, not raised."""
    started = _now()
    v = validators or Validators(None, None)
    limiter = pass_limiter(limits, policy) if limits else None
    try:
        response = fetch_with_retries(feed.url, policy, v.etag, v.last_modified,
                                      limiter=limiter)
        if response.status == 304:
            return FeedPoll(feed, started, response, None, None)
        parsed = parse_feed(response.body, response.final_url, response.content_type)
        return FeedPoll(feed, started, response, parsed, None)
    except PactwatchError as exc:
        return FeedPoll(feed, started, None, None, exc)


@dataclass(frozen=True)
class PassLimits:
    """What every fetch batch of one pass shares: the pass's id and its limits."""

    run_id: str
    per_host: int
    max_in_flight: int

    @classmethod
    def of(cls, run_id: str, settings: Settings) -> PassLimits:
        return cls(run_id, settings.per_host_concurrency, settings.max_pages_in_flight)


_LIMITERS: dict[str, HostLimiter] = {}
_LIMITERS_LOCK = threading.Lock()


def pass_limiter(limits: PassLimits, policy: FetchPolicy) -> HostLimiter:
    """The pass's HostLimiter in this process, made by the first batch that asks. (Each
    Dask worker process holds its own: there the limits hold per worker.)"""
    with _LIMITERS_LOCK:
        if limits.run_id not in _LIMITERS:
            while len(_LIMITERS) >= 4:  # passes long over
                _LIMITERS.pop(next(iter(_LIMITERS)))
            _LIMITERS[limits.run_id] = HostLimiter(limits.per_host, limits.max_in_flight,
                                                   policy.max_retry_after)
        return _LIMITERS[limits.run_id]


def _fetch_raw(job: PageJob, policy: FetchPolicy, story: Story,
               limiter: HostLimiter) -> PageResult | Fetched:
    """The page's body to extract, or its result already (refused, failed, not modified:
    the feed's text stands in where it may)."""
    started = _now()
    if isinstance(job.refusal, RobotsDisallowed) and job.may_store_feed_text:
        return from_feed_text(job, started, story, job.refusal, "robots-disallowed")
    if job.refusal is not None:
        return PageResult(job, started, None, None, job.refusal, "page")
    known = job.known.validators if job.known else Validators(None, None)
    try:
        response = fetch_with_retries(job.entry.url, policy, known.etag,
                                      known.last_modified, limiter=limiter)
    except PactwatchError as exc:
        if refused(exc) and job.may_store_feed_text:
            return from_feed_text(job, started, story, exc, "refused")
        return PageResult(job, started, None, None, exc, "page")
    if response.status == 304:
        return PageResult(job, started, response, None, None, "page")
    return Fetched(job, started, response.without_body(), response.body)


def _fetch_one(job: PageJob, policy: FetchPolicy, story: Story,
               limiter: HostLimiter) -> PageResult:
    """One page fetched, extracted and judged in this thread."""
    got = _fetch_raw(job, policy, story, limiter)
    if isinstance(got, PageResult):
        return got
    with limiter.page():
        return got.extract(story)


@task(name="fetch-robots", cache_policy=NO_CACHE)
def robots_files(origins: list[str], policy: FetchPolicy,
                 limits: PassLimits) -> list[RobotsRecord]:
    """robots.txt of each origin, fetched within the pass's limits."""
    limiter = pass_limiter(limits, policy)
    at = _now()
    threads = max(1, min(len(origins), limits.max_in_flight))
    with ThreadPoolExecutor(max_workers=threads) as pool:
        return list(pool.map(lambda o: fetch_robots(o, policy, at, limiter), origins))


@task(name="fetch-extract-batch", cache_policy=NO_CACHE)
def fetch_and_extract(jobs: list[PageJob], policy: FetchPolicy, story: Story,
                      limits: PassLimits) -> list[PageResult]:
    """Fetch, extract and judge a batch of pages within the pass's limits (per host, pages
    in flight, slowed hosts), which every batch of the pass shares."""
    limiter = pass_limiter(limits, policy)
    threads = max(1, min(len(jobs), limits.max_in_flight))
    with ThreadPoolExecutor(max_workers=threads) as pool:
        futures = [pool.submit(_fetch_one, j, policy, story, limiter) for j in jobs]
        return [f.result() for f in futures]


@task(name="fetch-process-batch", cache_policy=NO_CACHE)
def fetch_and_process(jobs: list[PageJob], policy: FetchPolicy, story: Story,
                      limits: PassLimits, spec: workers.WorkSpec) -> list[workers.PageWork]:
    """Fetch a batch of pages within the pass's limits (threads, here), then extract, judge,
    parse, extract claims and encode them in the pass's worker processes (in this process
    when the pass has none: a small pass, or a Dask worker)."""
    limiter = pass_limiter(limits, policy)
    threads = max(1, min(len(jobs), limits.max_in_flight))
    with ThreadPoolExecutor(max_workers=threads) as pool:
        futures = [pool.submit(_fetch_raw, j, policy, story, limiter) for j in jobs]
        fetched = [f.result() for f in futures]
    return workers.process_pages(limits.run_id, fetched, story, spec)


@task(name="extract-archived-batch", cache_policy=NO_CACHE)
def extract_archived(items: list[tuple[PageJob, Response, datetime]],
                     story: Story) -> list[PageResult]:
    """Extract and judge a batch of archived pages (no fetching)."""
    return [extract_page(job, response, story, at) for job, response, at in items]


@task(name="analyse-versions", cache_policy=NO_CACHE)
def analyse_versions(versions: list[VersionInput], story: Story, spec: workers.WorkSpec
                     ) -> list[workers.Analysis]:
    """Parse, extract claims, frame and encode versions known without a fetch (seed files),
    one nlp.pipe over them, in this process (or a Dask worker)."""
    return workers.analyse_versions(versions, story, spec)


def _is_transient(task: object, run: object, state: object) -> bool:
    """Retry a load only for what waiting can fix: a held file, I/O hiccups."""
    try:
        state.result()  # type: ignore[attr-defined]
    except (TransientError, WarehouseLocked, OSError):
        return True
    except Exception:
        return False
    return False


LOCK_WAIT_S = 60.0  # a load waits this long for a process holding the file, then retries


def warehouse(path: str) -> closing[duckdb.DuckDBPyConnection]:
    """The live warehouse for one step of a task, closed when the step ends."""
    return closing(connect(path, wait_s=LOCK_WAIT_S))


@task(name="load-batch", cache_policy=NO_CACHE, retries=3,
      retry_delay_seconds=exponential_backoff(backoff_factor=2), retry_jitter_factor=0.5,
      retry_condition_fn=_is_transient)
def load(warehouse_path: str, batch: Batch) -> dict[str, int]:
    """Write one batch in one transaction; retried when the file is locked or I/O fails."""
    with warehouse(warehouse_path) as con:
        return load_batch(con, batch)
