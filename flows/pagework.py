"""One page from its fetched body to a judged version: what a worker process does for each
fetched page (no Prefect here: the pass's worker processes import this module)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from extractors.articles import Extracted, FeedText, check_page, extract_article, from_feed
from extractors.errors import PactwatchError, TerminalError
from extractors.feeds import FeedEntry
from extractors.http import Response
from extractors.relevance import assess
from extractors.story import Story
from extractors.urls import agreed_canonical
from flows.config import FeedConfig
from flows.rows import VersionInput
from warehouse.state import UrlState


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


# 4xx answers that refuse us this page (auth, payment, forbidden, legal, and the like); a
# 404 or 410 says the page does not exist, which the feed's text cannot make good.
GONE = {404, 410}


def refused(exc: PactwatchError) -> bool:
    """A 4xx that refuses us the page (not one saying it does not exist)."""
    return exc.status is not None and 400 <= exc.status < 500 and exc.status not in GONE


@dataclass(frozen=True)
class Fetched:
    """A page fetched and not yet extracted: what a fetch thread hands a worker process."""

    job: PageJob
    started: datetime
    response: Response   # without its body
    body: bytes

    def extract(self, story: Story) -> PageResult:
        """The page extracted and judged (`extract_page`)."""
        return extract_page(self.job, self.response, story, self.started, self.body)


def from_feed_text(job: PageJob, started: datetime, story: Story, exc: PactwatchError,
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
    return from_feed_text(job, started, story, exc, problem, response)


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
