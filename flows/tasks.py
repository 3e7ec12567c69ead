"""Prefect tasks: each one a feed or a batch of articles, never one sentence."""

from __future__ import annotations

import threading
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from contextlib import closing
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import duckdb
from prefect import task
from prefect.cache_policies import NO_CACHE
from prefect.tasks import exponential_backoff

from extractors import checkworthy, neardup, nlp
from extractors.articles import Extracted, FeedText, check_page, extract_article, from_feed
from extractors.embeddings import shared_encoder
from extractors.errors import PactwatchError, TerminalError, TransientError
from extractors.feeds import FeedEntry, ParsedFeed, parse_feed
from extractors.framing import method_for
from extractors.http import FetchPolicy, Response, fetch_with_retries
from extractors.politeness import HostLimiter
from extractors.relevance import assess
from extractors.robots import RobotsDisallowed, RobotsRecord, fetch_robots
from extractors.story import Story
from extractors.urls import agreed_canonical
from flows.claims import judgement_rows
from flows.config import FeedConfig, FramingConfig, Settings
from flows.framing_step import change_rows, framing_rows, framing_votes
from flows.rows import VersionInput
from warehouse.db import WarehouseLocked, connect, transaction
from warehouse.load import Batch, insert_rows, load_batch, write_batch
from warehouse.state import (
    UrlState,
    Validators,
    claims_for_matching,
    claims_unjudged,
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
    refusal: PactwatchError | None = None  # robots.txt: do not fetch, and why

    @property
    def may_store_feed_text(self) -> bool:
        """Whether a page that cannot be had may be stored from the feed's text: not when
        the article already has a version from its page (the full text is kept)."""
        return self.known is None or self.known.article_id is None or \
            self.known.page_problem is not None

    @property
    def feed_text(self) -> FeedText:
        return FeedText(self.entry.title, self.entry.summary, self.entry.content)


@dataclass(frozen=True)
class PageResult:
    job: PageJob
    requested_at: datetime
    response: Response | None
    version: VersionInput | None
    error: PactwatchError | None
    stage: str
    page_error: PactwatchError | None = None  # the page's failure when the feed stood in

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


# 4xx answers that refuse us this page (auth, payment, forbidden, legal, and the like); a
# 404 or 410 says the page does not exist, which the feed's text cannot make good.
GONE = {404, 410}


def _refused(exc: PactwatchError) -> bool:
    return exc.status is not None and 400 <= exc.status < 500 and exc.status not in GONE


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


def _fetch_one(job: PageJob, policy: FetchPolicy, story: Story,
               limiter: HostLimiter) -> PageResult:
    started = _now()
    if isinstance(job.refusal, RobotsDisallowed) and job.may_store_feed_text:
        return _from_feed(job, started, story, job.refusal, "robots-disallowed")
    if job.refusal is not None:
        return PageResult(job, started, None, None, job.refusal, "page")
    known = job.known.validators if job.known else Validators(None, None)
    try:
        response = fetch_with_retries(job.entry.url, policy, known.etag,
                                      known.last_modified, limiter=limiter)
    except PactwatchError as exc:
        if _refused(exc) and job.may_store_feed_text:
            return _from_feed(job, started, story, exc, "refused")
        return PageResult(job, started, None, None, exc, "page")
    if response.status == 304:
        return PageResult(job, started, response, None, None, "page")
    with limiter.page():
        return extract_page(job, response.without_body(), story, started, response.body)


def _from_feed(job: PageJob, started: datetime, story: Story, exc: PactwatchError,
               problem: str, response: Response | None = None) -> PageResult:
    """The article from its feed's text, the page's failure kept for the fetch log."""
    try:
        extracted = from_feed(job.feed_text, problem, str(exc))
    except PactwatchError as none:
        return PageResult(job, started, response, None, none, "page")
    version = _version(job, started, extracted, story)
    return PageResult(job, started, response, version, None, "page", page_error=exc)


def extract_page(job: PageJob, response: Response, story: Story,
                 started: datetime, body: bytes | None = None) -> PageResult:
    """Extract and judge one fetched (or archived) page; failures are returned, not raised.

    `body` is the page when `response` was passed on without it (pages in flight stay
    small). A page that is no article page, or that extraction fails on, gives the
    article from the feed's text (unless the article has a version from its page).
    """
    body = response.body if body is None else body
    try:
        check_page(body, response.content_type)
    except PactwatchError as exc:
        return _no_article(job, started, story, exc, "not-a-page", response)
    try:
        extracted = extract_article(body, response.final_url, response.content_type,
                                    job.feed_text)
    except PactwatchError as exc:  # neither the page nor the feed had any text
        return PageResult(job, started, response, None, exc, "extract")
    except Exception as exc:  # a parser bug on one page must not sink the batch
        error = TerminalError(f"extraction crashed: {exc.__class__.__name__}: {exc}")
        return _no_article(job, started, story, error, "extraction-failed", response)
    if extracted.page_problem and not job.may_store_feed_text:
        error = TerminalError(f"{extracted.note}; the stored text from the page is kept")
        return PageResult(job, started, response, None, error, "extract")
    version = _version(job, started, extracted, story)
    return PageResult(job, started, response, version, None, "page")


def _no_article(job: PageJob, started: datetime, story: Story, exc: PactwatchError,
                problem: str, response: Response) -> PageResult:
    if not job.may_store_feed_text or not (job.entry.title or job.entry.summary):
        return PageResult(job, started, response, None, exc, "extract")
    return _from_feed(job, started, story, exc, problem, response)


def _identity(job: PageJob, extracted: Extracted) -> str:
    """The article's canonical URL: the one it was stored under before, else the page's
    <link rel=canonical> when it agrees with the link, else the link's canonical form."""
    if job.known is not None and job.known.article_url:
        return job.known.article_url
    return agreed_canonical(job.entry.canonical_url, extracted.canonical) or \
        job.entry.canonical_url


def _version(job: PageJob, fetched_at: datetime, extracted: Extracted,
             story: Story) -> VersionInput:
    language, relevance = assess(story, extracted.title, extracted.text)
    return VersionInput(
        canonical_url=_identity(job, extracted), url=job.entry.url, outlet=job.feed.name,
        feed_id=None, is_seed=False, fetched_at=fetched_at,
        published_at=job.entry.published_at, extracted=extracted, relevance=relevance,
        language=language, link_canonical=job.entry.canonical_url)


@task(name="fetch-robots", cache_policy=NO_CACHE)
def robots_files(origins: list[str], policy: FetchPolicy,
                 limits: PassLimits) -> list[RobotsRecord]:
    """robots.txt of each origin, fetched within the pass's limits."""
    limiter = pass_limiter(limits, policy)
    at = _now()
    workers = max(1, min(len(origins), limits.max_in_flight))
    with ThreadPoolExecutor(max_workers=workers) as pool:
        return list(pool.map(lambda o: fetch_robots(o, policy, at, limiter), origins))


@task(name="fetch-extract-batch", cache_policy=NO_CACHE)
def fetch_and_extract(jobs: list[PageJob], policy: FetchPolicy, story: Story,
                      limits: PassLimits) -> list[PageResult]:
    """Fetch, extract and judge a batch of pages within the pass's limits (per host, pages
    in flight, slowed hosts), which every batch of the pass shares."""
    limiter = pass_limiter(limits, policy)
    workers = max(1, min(len(jobs), limits.max_in_flight))
    with ThreadPoolExecutor(max_workers=workers) as pool:
        futures = [pool.submit(_fetch_one, j, policy, story, limiter) for j in jobs]
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
    """Link each article not compared yet (this run's, or a cut-off run's) that nearly
    equals an earlier article to that original; record the comparison, in the same
    transaction, so that a crash before it leaves the article for the next run."""
    with _warehouse(warehouse_path) as con:
        rows = signatures(con)
        signed = {r["article_id"]: neardup.Signed(
            str(r["article_id"]), (not r["is_seed"], r["published_at"], r["article_id"]),
            list(r["signature"])) for r in rows}
        unchecked = [r for r in rows if not r["checked"] and not r["linked"]]
        if not unchecked:
            return 0
        ids = {str(r["article_id"]) for r in unchecked}
        fresh = [signed[i] for i in ids]
        known = [s for i, s in signed.items() if i not in ids]
        found = neardup.find_duplicates(known, fresh, threshold)
        now = datetime.now(UTC).replace(tzinfo=None)
        batch = Batch()
        batch.add("duplicates", *({"article_id": copy, "duplicate_of": original,
                                   "similarity": sim, "detected_at": now,
                                   "method": neardup.METHOD} for copy, original, sim in found))
        batch.add("duplicate_checks", *({"version_id": r["version_id"], "run_id": run_id,
                                         "checked_at": now} for r in unchecked))
        load_batch(con, batch)
        return len(found)


@task(name="frame-articles", cache_policy=NO_CACHE)
def frame_articles(warehouse_path: str, run_id: str, framing: FramingConfig
                   ) -> dict[str, int]:
    """Frame the versions analysed since the last time, then flag framing that changed.
    The warehouse is closed while sentences are encoded (minutes for a large backlog)."""
    with _warehouse(warehouse_path) as con:
        todo, reframed = unframed_versions(con, method_for(framing.embeddings))
    if not todo:  # nothing framed since the last pass, so no change to flag either
        return {"framed": 0, "framing_changes": 0}
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
def flag_claims(warehouse_path: str, run_id: str, model_dir: Path | None = None
                ) -> dict[str, int]:
    """Judge new claims (and those after a late arrival) against all earlier ones. Claims
    are encoded once (the warehouse is closed meanwhile); vectors and judgements commit
    together."""
    with _warehouse(warehouse_path) as con:
        if not claims_unjudged(con):
            return {}
        claims = claims_for_matching(con)
    # the encoder is loaded only when some claim has no vector yet (none on a quiet pass)
    rows, vectors = judgement_rows(run_id, claims,
                                   lambda texts: shared_encoder(model_dir).encode(list(texts)))
    batch = Batch()
    batch.add("claim_vectors", *vectors)
    batch.add("claim_judgements", *rows)
    with _warehouse(warehouse_path) as con:
        load_batch(con, batch)
    return dict(Counter(r["status"] for r in rows))


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
