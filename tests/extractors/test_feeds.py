"""Feed parsing on fixture files (each file's header says what it tests)."""

from datetime import UTC, datetime
from pathlib import Path

import pytest

from extractors.discover import config_blocks, page_title_and_feeds
from extractors.errors import TerminalError
from extractors.feeds import NotAFeed, parse_feed

FEEDS = Path(__file__).parents[1] / "data" / "feeds"


def test_rss2_entries_are_canonical_and_utc() -> None:
    feed = parse_feed((FEEDS / "rss2.xml").read_bytes(), "https://ledger.example/rss")
    assert [e.canonical_url for e in feed.entries] == [
        "https://ledger.example/a/pact", "https://ledger.example/a/seoul"]
    assert feed.entries[0].published_at == datetime(2024, 6, 19, 14, 40, tzinfo=UTC)
    assert feed.entries[0].guid.endswith("ledger-1")  # a permalink guid, resolved by feedparser
    assert feed.bozo_reason is None


def test_atom_relative_link_and_updated() -> None:
    [entry] = parse_feed((FEEDS / "atom.xml").read_bytes(), "https://wire.example/feed").entries
    assert entry.canonical_url == "https://wire.example/news/axis"
    assert entry.updated_at == datetime(2024, 6, 21, 10, tzinfo=UTC)
    assert entry.published_at == datetime(2024, 6, 20, 9, tzinfo=UTC)


def test_rss1_rdf() -> None:
    [entry] = parse_feed((FEEDS / "rss1.rdf").read_bytes(), "https://monitor.example/").entries
    assert entry.title == "Japan and South Korea protest"
    assert entry.published_at == datetime(2024, 6, 22, 3, tzinfo=UTC)


def test_rss091_latin1_without_dates() -> None:
    [entry] = parse_feed((FEEDS / "rss091.xml").read_bytes(), "http://old.example/").entries
    assert entry.title == "Pyongyang à Moscou"
    assert entry.published_at is None


def test_malformed_feed_keeps_recovered_entries_and_says_why() -> None:
    feed = parse_feed((FEEDS / "malformed.xml").read_bytes(), "https://broken.example/")
    assert len(feed.entries) == 2
    assert feed.bozo_reason and "not well-formed" in feed.bozo_reason


def test_html_is_not_a_feed() -> None:
    with pytest.raises(TerminalError, match="not a feed"):
        parse_feed((FEEDS / "not_a_feed.html").read_bytes(), "https://x.example/", "text/html")


def test_empty_body_is_not_a_feed() -> None:
    with pytest.raises(TerminalError, match="empty response body"):
        parse_feed(b"  \n", "https://x.example/")


def test_entries_without_usable_links_are_skipped_with_reasons() -> None:
    feed = parse_feed((FEEDS / "no_links.xml").read_bytes(), "https://x.example/")
    assert feed.entries == ()
    assert len(feed.skipped) == 2 and "no link" in feed.skipped[0]


def test_fingerprint_changes_with_summary() -> None:
    body = (FEEDS / "rss2.xml").read_bytes()
    a = parse_feed(body, "https://ledger.example/rss").entries[0]
    b = parse_feed(body.replace(b"pledge mutual aid", b"pledge aid"),
                   "https://ledger.example/rss").entries[0]
    assert a.fingerprint != b.fingerprint


def test_html_entities_and_tags_in_titles_and_summaries_are_decoded() -> None:
    first, second = parse_feed((FEEDS / "entities.xml").read_bytes(),
                               "https://ledger.example/rss").entries
    assert first.title == "Kim & Putin sign the pact"
    assert first.summary == "Kim’s visit & talks — “pact”"
    assert second.title == 'Treaty "ratified"'
    assert second.summary == ("Moscow’s parliament ratified the treaty today.\n"
                              "Seoul & Tokyo protested — again.")


def test_html_page_is_not_a_feed_and_names_the_feeds_it_advertises() -> None:
    body = (FEEDS / "home_with_feeds.html").read_bytes()
    with pytest.raises(NotAFeed) as caught:
        parse_feed(body, "https://ledger.example/", "text/html; charset=utf-8")
    message = str(caught.value)
    assert message.startswith("not a feed: an HTML page; it advertises 2 feeds: "
                              "https://ledger.example/rss/world.xml, "
                              "https://ledger.example/atom.xml")
    assert "pactwatch feeds discover https://ledger.example/" in message
    assert [f.kind for f in caught.value.advertised] == ["RSS", "Atom"]


def test_well_formed_xhtml_is_not_an_empty_feed() -> None:
    body = (FEEDS / "xhtml_page.xhtml").read_bytes()
    with pytest.raises(NotAFeed, match="an HTML page, and it advertises no feeds"):
        parse_feed(body, "https://x.example/about", "application/xml")


def test_empty_channel_is_a_feed_with_no_entries() -> None:
    body = b"<?xml version='1.0'?><rss version='2.0'><channel><title>T</title></channel></rss>"
    assert parse_feed(body, "https://x.example/rss").entries == ()


def test_content_encoded_is_kept_beside_the_summary() -> None:
    body = (b"<?xml version='1.0'?><rss version='2.0' xmlns:content="
            b"'http://purl.org/rss/1.0/modules/content/'><channel><title>T</title><item>"
            b"<title>A</title><link>https://x.example/a</link><description>Short.</description>"
            b"<content:encoded><![CDATA[<p>Full text.</p><script>x()</script>]]>"
            b"</content:encoded></item></channel></rss>")
    [entry] = parse_feed(body, "https://x.example/rss").entries
    assert entry.summary == "Short." and entry.content == "<p>Full text.</p>"


def test_config_blocks_are_valid_toml_ready_to_paste() -> None:
    import tomllib

    _title, feeds = page_title_and_feeds((FEEDS / "home_with_feeds.html").read_text(),
                                         "https://ledger.example/")
    blocks = config_blocks(feeds, "The Northern Ledger — News", "ledger.example")
    parsed = tomllib.loads(blocks)["feeds"]
    assert parsed == [
        {"name": "Ledger: World", "url": "https://ledger.example/rss/world.xml"},
        {"name": "The Northern Ledger — News (Atom)", "url": "https://ledger.example/atom.xml"}]
