"""Which pages a pass fetches: de-duplication across feeds and the refetch rule."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from extractors.feeds import FeedEntry, ParsedFeed
from extractors.urls import canonical_url
from flows.config import FeedConfig
from flows.monitor import RunSummary
from flows.pages import plan as _plan
from flows.tasks import FeedPoll
from warehouse.state import UrlState, Validators

NOW = datetime(2024, 7, 1, tzinfo=UTC)


def entry(url: str, summary: str = "s") -> FeedEntry:
    return FeedEntry(url, canonical_url(url), url, "t", summary, NOW, NOW)


def poll(name: str, *entries: FeedEntry) -> FeedPoll:
    feed = FeedConfig(name, f"https://{name}.example/rss")
    return FeedPoll(feed, NOW, None, ParsedFeed(name, entries, None, ()), None)


def state(*fps: str, article: bool = True, dead: bool = False) -> UrlState:
    return UrlState("a1" if article else None, frozenset(fps), "h", Validators(None, None), dead)


def test_same_article_in_two_feeds_is_fetched_once_for_the_first_feed() -> None:
    polls = [poll("wire", entry("https://news.example/a")),
             poll("monitor", entry("https://news.example/a?utm_source=rss"))]
    jobs = _plan(polls, {}, RunSummary("r"))
    assert [(j.entry.canonical_url, j.feed.name) for j in jobs] == [
        ("https://news.example/a", "wire")]


def test_known_unchanged_entries_are_skipped_and_changed_ones_refetched() -> None:
    same, changed = entry("https://x.example/1"), entry("https://x.example/2")
    states = {same.canonical_url: state(same.fingerprint),
              changed.canonical_url: state(entry("https://x.example/2", "old").fingerprint)}
    summary = RunSummary("r")
    jobs = _plan([poll("x", same, changed)], states, summary)
    assert [j.entry.canonical_url for j in jobs] == [changed.canonical_url]
    assert jobs[0].known is states[changed.canonical_url]
    assert summary.counts["articles_skipped"] == 1


def test_failed_pages_retry_unless_the_failure_was_terminal() -> None:
    gone, flaky = entry("https://x.example/gone"), entry("https://x.example/flaky")
    states = {gone.canonical_url: state(gone.fingerprint, article=False, dead=True),
              flaky.canonical_url: state(flaky.fingerprint, article=False, dead=False)}
    jobs = _plan([poll("x", gone, flaky)], states, RunSummary("r"))
    assert [j.entry.canonical_url for j in jobs] == [flaky.canonical_url]


def test_an_article_with_only_feed_text_is_tried_again_after_six_hours() -> None:
    e = entry("https://x.example/walled")
    naive_now = NOW.replace(tzinfo=None)

    def walled(hours_ago: float, problem: str | None = "refused") -> UrlState:
        return UrlState("a1", frozenset({e.fingerprint}), "h", Validators(None, None), True,
                        e.canonical_url, problem, naive_now - timedelta(hours=hours_ago))

    def planned(s: UrlState) -> list[str]:
        return [j.entry.url for j in _plan([poll("x", e)], {e.canonical_url: s},
                                           RunSummary("r"), naive_now)]

    assert planned(walled(7)) == [e.url]
    assert planned(walled(1)) == []
    assert planned(walled(7, problem=None)) == []  # the page's own text: nothing to retry
