"""Hostile and broken feeds: parsed safely, in bounded time and memory, or refused clearly."""

from __future__ import annotations

import contextlib
import time
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from extractors.articles import FeedText, extract_article
from extractors.errors import TerminalError
from extractors.feeds import parse_feed

SHARED_FEEDS = Path(__file__).resolve().parents[3] / "shared" / "eval" / "feedparser-tests"

BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
<!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">
<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
<!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
<!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
<!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">
<!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;">
<!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;">
<!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">]>
<rss version="2.0"><channel><title>&lol9;</title>
<item><title>&lol9;</title><link>https://x.example/1</link></item></channel></rss>"""

XXE = b"""<?xml version="1.0"?>
<!DOCTYPE rss [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
<rss version="2.0"><channel><title>t</title>
<item><title>&xxe;</title><link>https://x.example/1</link><description>&xxe;</description>
</item></channel></rss>"""


def test_billion_laughs_is_not_expanded() -> None:
    started = time.monotonic()
    try:
        feed = parse_feed(BILLION_LAUGHS, "https://x.example/rss")
    except TerminalError:
        return  # refused outright is fine too
    assert time.monotonic() - started < 5
    assert all(len(e.title) < 10_000 for e in feed.entries)
    assert len(feed.title) < 10_000


def test_external_entities_are_not_read() -> None:
    try:
        feed = parse_feed(XXE, "https://x.example/rss")
    except TerminalError:
        return
    text = " ".join(e.title + e.summary for e in feed.entries)
    assert "root:" not in text


def test_wrong_encoding_declaration_still_yields_entries() -> None:
    body = ('<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>t</title>'
            '<item><title>Pyongyang à Moscou</title><link>https://x.example/1</link></item>'
            '</channel></rss>').encode("latin-1")
    feed = parse_feed(body, "https://x.example/rss")
    assert len(feed.entries) == 1 and "Pyongyang" in feed.entries[0].title


@pytest.mark.parametrize("stamp", ["2024-06-19", "19 June 2024 16:40", "Wed, 19 Jun 2024 16:40:00",
                                   "2024-06-19T16:40:00", "Wed, 19 Jun 2024 16:40:00 +0900"])
def test_odd_dates_are_read_as_utc(stamp: str) -> None:
    body = (f"<rss version='2.0'><channel><title>t</title><item><title>a</title>"
            f"<link>https://x.example/1</link><pubDate>{stamp}</pubDate></item></channel></rss>")
    [entry] = parse_feed(body.encode(), "https://x.example/rss").entries
    assert entry.published_at is not None and entry.published_at.year == 2024
    offset = entry.published_at.utcoffset()
    assert offset is not None and offset.seconds == 0


def test_ten_thousand_entries_are_capped_in_bounded_time() -> None:
    items = "".join(f"<item><title>t{i}</title><link>https://x.example/{i}</link></item>"
                    for i in range(10_000))
    body = f"<rss version='2.0'><channel><title>t</title>{items}</channel></rss>".encode()
    started = time.monotonic()
    feed = parse_feed(body, "https://x.example/rss", max_entries=5000)
    assert time.monotonic() - started < 30
    assert len(feed.entries) == 5000 and "5000 entries beyond cap" in feed.skipped[-1]


@settings(max_examples=150, deadline=2000)
@given(st.binary(max_size=3000))
def test_fuzz_feed_bytes_never_crash(body: bytes) -> None:
    with contextlib.suppress(TerminalError):
        parse_feed(body, "https://x.example/rss")


@settings(max_examples=150, deadline=2000)
@given(st.text(max_size=1500),
       st.sampled_from(["", "<html><body><p>", "<article><h1>x</h1><p>"]))
def test_fuzz_article_text_never_crashes(text: str, prefix: str) -> None:
    with contextlib.suppress(TerminalError):
        extract_article((prefix + text).encode("utf-8", "surrogatepass"), "https://x.example/a",
                        "text/html", FeedText("title"))


def test_feedparser_corpus_goes_through_without_crash_or_hang() -> None:
    if not SHARED_FEEDS.exists():
        pytest.skip(f"feedparser's test corpus not found at {SHARED_FEEDS} (../shared/eval is "
                    "only beside CI's clone)")
    files = [p for p in (SHARED_FEEDS / "tests").rglob("*") if p.suffix in (".xml", ".rdf",
                                                                            ".atom", ".rss")]
    assert len(files) > 1000
    parsed = refused = 0
    slowest = 0.0
    for path in files:
        started = time.monotonic()
        try:
            parse_feed(path.read_bytes(), "https://x.example/feed")
            parsed += 1
        except TerminalError:
            refused += 1
        slowest = max(slowest, time.monotonic() - started)
    assert parsed + refused == len(files) and parsed > refused
    assert slowest < 5
