"""One page through `tasks._fetch_one` against a real loopback server: when the feed's text
stands in for a refused page, and when it must not."""

from __future__ import annotations

from datetime import UTC, datetime

from deploy.demo.server import DevServer
from extractors.feeds import FeedEntry
from extractors.http import FetchPolicy
from extractors.politeness import HostLimiter
from extractors.urls import canonical_url
from flows import tasks
from flows.config import FeedConfig, builtin_story
from tests.extractors.test_http import reply
from warehouse.state import UrlState, Validators

POLICY = FetchPolicy(allow_private=True, timeout=2, deadline=3, retries=0)
NOW = datetime(2026, 11, 24, tzinfo=UTC)


def job(url: str, known: UrlState | None) -> tasks.PageJob:
    entry = FeedEntry(url, canonical_url(url), url, "Pact signed", "Putin and Kim signed it.",
                      NOW, None, "<p>Putin and Kim signed the treaty in Pyongyang.</p>")
    return tasks.PageJob(entry, FeedConfig("wire", "http://x/rss"), known)


def known(problem: str | None) -> UrlState:
    return UrlState("a1", frozenset(), "h", Validators(None, None), False, "http://x/a",
                    problem, NOW.replace(tzinfo=None))


def fetch(server: DevServer, state: UrlState | None) -> tasks.PageResult:
    server.routes["/a"] = reply(403)
    limiter = HostLimiter(2, 4)
    return tasks._fetch_one(job(f"{server.base_url}/a", state), POLICY, builtin_story(),
                            limiter)


def test_a_refused_new_page_is_stored_from_the_feed(server: DevServer) -> None:
    result = fetch(server, None)
    assert result.outcome == "new" and result.version is not None
    assert result.version.extracted.page_problem == "refused"
    assert "signed the treaty in Pyongyang" in result.version.extracted.text
    assert str(result.page_error) == "HTTP 403 Forbidden"


def test_a_refusal_never_replaces_the_text_from_the_page(server: DevServer) -> None:
    result = fetch(server, known(None))
    assert result.outcome == "failed" and result.version is None
    assert str(result.error) == "HTTP 403 Forbidden"


def test_an_article_with_feed_text_may_get_newer_feed_text(server: DevServer) -> None:
    result = fetch(server, known("refused"))
    assert result.version is not None and result.version.canonical_url == "http://x/a"
