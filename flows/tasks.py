"""Prefect tasks: each one a feed or a batch of articles, never one sentence."""

from __future__ import annotations

import threading
from collections import Counter, defaultdict
from concurrent.futures import ThreadPoolExecutor
from contextlib import closing
from dataclasses import dataclass
from datetime import UTC, datetime
from urllib.parse import urlsplit

import duckdb
from prefect import task
from prefect.cache_policies import NO_CACHE
from prefect.tasks import exponential_backoff

from extractors import checkworthy, neardup, nlp
from extractors.articles import Extracted, check_page, extract_article
from extractors.errors import PactwatchError, TerminalError, TransientError
from extractors.feeds import FeedEntry, ParsedFeed, parse_feed
from extractors.framing import method_for
from extractors.http import FetchPolicy, Response, fetch_with_retries
from extractors.relevance import Relevance, judge
from extractors.story import Story
from flows.claims import judgement_rows
from flows.framing_step import change_rows, framing_rows, framing_votes
from flows.rows import VersionInput
from flows.settings import FeedConfig, FramingConfig
from warehouse.db import connect, transaction
from warehouse.load import Batch, insert_rows, load_batch, write_batch
from warehouse.state import (
    UrlState,
    Validators,
    claims_for_matching,
    framing_history,
    signatures,
    unframed_versions,
)


@dataclass(frozen=True)
class FeedPoll:
    feed: FeedConfig
    requested_at: datetime
    response: Response | None
    parsed: ParsedFeed | None
    error: PactwatchError | None


@dataclass(frozen=True)
class PageJob:
    entry: FeedEntry
    feed: FeedConfig
    known: UrlState | None


@dataclass(frozen=True)
class PageResult:
    job: PageJob
    requested_at: datetime
    response: Response | None
    version: VersionInput | None
    error: PactwatchError | None
    stage: str

    @property
    def outcome(self) -> str:
        """new | updated | unchanged | failed."""
        if self.error is not None:
            return "failed"
        if self.job.known is None or self.job.known.article_id is None:
            return "new"
        if self.version is None or self.version.content_hash == self.job.known.content_hash:
            return "unchanged"
        return "updated"


def _now() -> datetime:
    return datetime.now(UTC)


@task(name="poll-feed", cache_policy=NO_CACHE)
def poll_feed(feed: FeedConfig, policy: FetchPolicy, validators: Validators | None) -> FeedPoll:
    """Fetch one feed (conditional GET) and parse it. Failures are returned, not raised."""
    started = _now()
    v = validators or Validators(None, None)
    try:
        response = fetch_with_retries(feed.url, policy, v.etag, v.last_modified)
        if response.status == 304:
            return FeedPoll(feed, started, response, None, None)
        parsed = parse_feed(response.body, response.final_url, response.content_type)
        return FeedPoll(feed, started, response, parsed, None)
    except PactwatchError as exc:
        return FeedPoll(feed, started, None, None, exc)


def _fetch_one(job: PageJob, policy: FetchPolicy, story: Story,
               gate: threading.Semaphore) -> PageResult:
    started = _now()
    known = job.known.validators if job.known else Validators(None, None)
    with gate:
        try:
            response = fetch_with_retries(job.entry.url, policy, known.etag,
                                          known.last_modified)
        except PactwatchError as exc:
            return PageResult(job, started, None, None, exc, "page")
    if response.status == 304:
        return PageResult(job, started, response, None, None, "page")
    return extract_page(job, response, story, started)


def extract_page(job: PageJob, response: Response, story: Story,
                 started: datetime) -> PageResult:
    """Extract and judge one fetched (or archived) page; failures are returned, not raised."""
    try:
        check_page(response.body, response.content_type)
        extracted = extract_article(response.body, response.final_url, response.content_type,
                                    job.entry.title, job.entry.summary)
    except PactwatchError as exc:
        return PageResult(job, started, response, None, exc, "extract")
    except Exception as exc:  # a parser bug on one page must not sink the batch
        error = TerminalError(f"extraction crashed: {exc.__class__.__name__}: {exc}")
        return PageResult(job, started, response, None, error, "extract")
    version = _version(job, started, extracted, judge(story, extracted.title, extracted.text))
    return PageResult(job, started, response, version, None, "page")


def _version(job: PageJob, fetched_at: datetime, extracted: Extracted,
             relevance: Relevance) -> VersionInput:
    return VersionInput(
        canonical_url=job.entry.canonical_url, url=job.entry.url, outlet=job.feed.name,
        feed_id=None, is_seed=False, fetched_at=fetched_at,
        published_at=job.entry.published_at, extracted=extracted, relevance=relevance)


@task(name="fetch-extract-batch", cache_policy=NO_CACHE)
def fetch_and_extract(jobs: list[PageJob], policy: FetchPolicy, story: Story,
                      per_host: int) -> list[PageResult]:
    """Fetch, extract and judge a batch of pages, at most `per_host` at a time per host."""
    gates: dict[str, threading.Semaphore] = defaultdict(lambda: threading.Semaphore(per_host))
    for job in jobs:
        _ = gates[urlsplit(job.entry.url).netloc]
    workers = max(1, min(8, len(jobs), per_host * len(gates)))
    with ThreadPoolExecutor(max_workers=workers) as pool:
        futures = [pool.submit(_fetch_one, j, policy, story,
                               gates[urlsplit(j.entry.url).netloc]) for j in jobs]
        return [f.result() for f in futures]


@task(name="extract-archived-batch", cache_policy=NO_CACHE)
def extract_archived(items: list[tuple[PageJob, Response, datetime]],
                     story: Story) -> list[PageResult]:
    """Extract and judge a batch of archived pages (no fetching)."""
    return [extract_page(job, response, story, at) for job, response, at in items]


@task(name="analyse-batch", cache_policy=NO_CACHE)
def analyse(versions: list[VersionInput], model: str, story: Story,
            processes: int = 1) -> tuple[str, list[nlp.DocAnalysis]]:
    """Sentences, entities and claims of the relevant versions, one nlp.pipe over the batch
    and one check-worthiness pass over all its sentences."""
    pipeline = nlp.load_model(model)
    scorer = checkworthy.default_model()
    texts = [v.extracted.text for v in versions]
    docs = nlp.analyse(pipeline, texts, story.alias_index(), scorer.scores, scorer.threshold,
                       processes=processes)
    return nlp.model_version(pipeline), docs


@task(name="link-duplicates", cache_policy=NO_CACHE)
def link_duplicates(warehouse_path: str, run_id: str, threshold: float) -> int:
    """Link this run's articles that nearly equal an earlier article to that original."""
    with _warehouse(warehouse_path) as con:
        rows = signatures(con)
        signed = {r["article_id"]: neardup.Signed(
            str(r["article_id"]), (not r["is_seed"], r["published_at"], r["article_id"]),
            list(r["signature"])) for r in rows}
        fresh = [signed[str(r["article_id"])] for r in rows
                 if r["run_id"] == run_id and not r["linked"]]
        if not fresh:
            return 0
        known = [s for s in signed.values() if s not in fresh]
        found = neardup.find_duplicates(known, fresh, threshold)
        now = datetime.now(UTC).replace(tzinfo=None)
        batch = Batch()
        batch.add("duplicates", *({"article_id": copy, "duplicate_of": original,
                                   "similarity": sim, "detected_at": now,
                                   "method": neardup.METHOD} for copy, original, sim in found))
        load_batch(con, batch)
        return len(found)


@task(name="frame-articles", cache_policy=NO_CACHE)
def frame_articles(warehouse_path: str, run_id: str, framing: FramingConfig
                   ) -> dict[str, int]:
    """Frame the versions analysed since the last time, then flag framing that changed.
    The warehouse is closed while sentences are encoded (minutes for a large backlog)."""
    with _warehouse(warehouse_path) as con:
        todo, reframed = unframed_versions(con, method_for(framing.embeddings))
    votes = framing_votes([s for _v, _a, s in todo], framing.embeddings,
                          framing.model_dir)
    rows = framing_rows(run_id, todo, votes)
    rows.replace["framing"] = ("version_id", sorted(reframed))
    # versions framed again by another method update the baselines; only new versions are
    # judged for changes. Rows and flags commit together: a crash loses neither alone.
    fresh = {v for v, _a, _s in todo} - reframed
    with _warehouse(warehouse_path) as con, transaction(con):
        write_batch(con, rows)
        flags = change_rows(run_id, framing_history(con), fresh)
        added = insert_rows(con, "framing_changes", flags)
    return {"framed": len(todo), "framing_changes": added}


@task(name="flag-claims", cache_policy=NO_CACHE)
def flag_claims(warehouse_path: str, run_id: str) -> dict[str, int]:
    """Judge new claims (and those after a late arrival) against all earlier ones."""
    with _warehouse(warehouse_path) as con:
        rows = judgement_rows(run_id, claims_for_matching(con))
        batch = Batch()
        batch.add("claim_judgements", *rows)
        load_batch(con, batch)
    return dict(Counter(r["status"] for r in rows))


def _is_transient(task: object, run: object, state: object) -> bool:
    """Retry a load only for what waiting can fix: a held file, I/O hiccups."""
    try:
        state.result()  # type: ignore[attr-defined]
    except TransientError:
        return True
    except Exception as exc:
        return "lock" in str(exc).lower() or isinstance(exc, OSError)
    return False


LOCK_WAIT_S = 60.0  # a load waits this long for a process holding the file, then retries


def _warehouse(path: str) -> closing[duckdb.DuckDBPyConnection]:
    """The live warehouse for one step of a task, closed when the step ends."""
    return closing(connect(path, wait_s=LOCK_WAIT_S))


@task(name="load-batch", cache_policy=NO_CACHE, retries=3,
      retry_delay_seconds=exponential_backoff(backoff_factor=2), retry_jitter_factor=0.5,
      retry_condition_fn=_is_transient)
def load(warehouse_path: str, batch: Batch) -> dict[str, int]:
    """Write one batch in one transaction; retried when the file is locked or I/O fails."""
    with _warehouse(warehouse_path) as con:
        return load_batch(con, batch)
