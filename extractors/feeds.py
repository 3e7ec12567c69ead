"""Feed parsing: bytes in, FeedEntry dataclasses out (RSS 0.9x/1.0/2.0 and Atom via feedparser)."""

from __future__ import annotations

import calendar
import email.utils
import hashlib
import re
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from html.parser import HTMLParser
from typing import Any
from urllib.parse import urljoin

import feedparser

from extractors.discover import AdvertisedFeed, looks_like_html, page_title_and_feeds
from extractors.errors import TerminalError
from extractors.urls import canonical_url


class NotAFeed(TerminalError):
    """A document that is no feed; for an HTML page, `advertised` lists the feeds it names."""

    def __init__(self, message: str, advertised: tuple[AdvertisedFeed, ...] = ()) -> None:
        super().__init__(message)
        self.advertised = advertised


@dataclass(frozen=True)
class FeedEntry:
    """One item of a feed, with its link already made canonical."""

    url: str
    canonical_url: str
    guid: str
    title: str
    summary: str
    published_at: datetime | None
    updated_at: datetime | None
    content: str = ""  # content:encoded (or Atom <content>), sanitised HTML; "" when absent

    @property
    def fingerprint(self) -> str:
        """Changes when the entry's visible content or update time changes."""
        stamp = self.updated_at.isoformat() if self.updated_at else ""
        raw = "\x1f".join((self.title, self.summary, stamp))
        return hashlib.sha256(raw.encode()).hexdigest()[:16]


@dataclass(frozen=True)
class ParsedFeed:
    """Entries recovered from a feed; `bozo_reason` is set when the XML was not well formed."""

    title: str
    entries: tuple[FeedEntry, ...]
    bozo_reason: str | None
    skipped: tuple[str, ...]
    ttl_minutes: float | None = None


def _when(entry: Any, key: str) -> datetime | None:
    """The entry's date in UTC; a date feedparser could not read (an RFC 822 date without a
    zone, say) is parsed leniently and taken as UTC."""
    parsed: time.struct_time | None = entry.get(f"{key}_parsed")
    if parsed:
        try:
            return datetime.fromtimestamp(calendar.timegm(parsed), UTC)
        except (OverflowError, ValueError):
            return None
    return _lenient(str(entry.get(key) or "").strip())


def _lenient(raw: str) -> datetime | None:
    if not raw:
        return None
    try:
        when = email.utils.parsedate_to_datetime(raw)
    except (TypeError, ValueError, IndexError):
        try:
            when = datetime.fromisoformat(raw)
        except ValueError:
            return None
    return when.replace(tzinfo=UTC) if when.tzinfo is None else when.astimezone(UTC)


BLOCK_TAGS = frozenset({"p", "br", "div", "li", "ul", "ol", "h1", "h2", "h3", "h4", "h5",
                        "h6", "blockquote", "tr", "table", "section", "article"})


class _TextOf(HTMLParser):
    """Collects the text of an HTML fragment; entities decoded, block tags as line breaks."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []

    def handle_data(self, data: str) -> None:
        self.parts.append(data)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in BLOCK_TAGS:
            self.parts.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in BLOCK_TAGS:
            self.parts.append("\n")


def plain_text(fragment: str) -> str:
    """The text of a feed's HTML title or summary: tags dropped, entities decoded (feeds
    often escape twice, so `&amp;rsquo;` arrives here as `&rsquo;` and leaves as `’`),
    spaces collapsed, one line per block."""
    parser = _TextOf()
    parser.feed(fragment)
    parser.close()
    lines = (re.sub(r"\s+", " ", line).strip()
             for line in "".join(parser.parts).replace("\xa0", " ").split("\n"))
    return "\n".join(line for line in lines if line)


def _entry(raw: Any, feed_url: str) -> FeedEntry:
    link = str(raw.get("link") or "").strip()
    if not link:
        raise ValueError("entry has no link")
    url = urljoin(feed_url, link)
    return FeedEntry(
        url=url,
        canonical_url=canonical_url(url),
        guid=str(raw.get("id") or url),
        title=plain_text(str(raw.get("title") or "")).replace("\n", " "),
        summary=plain_text(str(raw.get("summary") or "")),
        published_at=_when(raw, "published") or _when(raw, "updated"),
        updated_at=_when(raw, "updated"),
        content=_content(raw),
    )


def _content(raw: Any) -> str:
    """The entry's full content (RSS content:encoded, Atom <content>): the longest HTML or
    text part; feedparser has sanitised it."""
    parts = [str(c.get("value") or "") for c in raw.get("content") or ()
             if str(c.get("type") or "text/html") in ("text/html", "text/plain",
                                                      "application/xhtml+xml")]
    return max(parts, key=len, default="").strip()


def _not_a_feed(body: bytes, feed_url: str, content_type: str, exc: object) -> NotAFeed:
    """Why a document with no feed in it is not one; an HTML page names what it advertises."""
    if not looks_like_html(body, content_type):
        return NotAFeed(f"not a feed: {exc or 'no RSS, RDF or Atom document element'}")
    _title, feeds = page_title_and_feeds(body.decode("utf-8", "replace"), feed_url)
    if not feeds:
        return NotAFeed("not a feed: an HTML page, and it advertises no feeds")
    listed = ", ".join(f.url for f in feeds)
    return NotAFeed(f"not a feed: an HTML page; it advertises {len(feeds)} feed"
                    f"{'s' if len(feeds) > 1 else ''}: {listed} (`pactwatch feeds discover "
                    f"{feed_url}` prints them as config)", feeds)


def parse_feed(body: bytes, feed_url: str, content_type: str = "",
               max_entries: int = 5000) -> ParsedFeed:
    """Parse feed bytes. Keeps whatever entries a malformed (bozo) feed still yields.

    Raises NotAFeed (a TerminalError) when the document is not a feed at all: no feed
    version and no entries (an HTML page: naming the feeds it advertises), or an empty
    body. Entries without a usable http(s) link are skipped with a reason.
    """
    if not body.strip():
        raise TerminalError("empty response body, not a feed")
    headers = {"content-location": feed_url, "content-type": content_type or "application/xml"}
    parsed = feedparser.parse(body, response_headers=headers, sanitize_html=True)
    exc = parsed.get("bozo_exception") if parsed.get("bozo") else None
    # A feed served as text/html or text/plain is common and harmless once parsed.
    bozo = None if exc is None or isinstance(exc, feedparser.NonXMLContentType) else str(exc)
    if not parsed.entries and not parsed.get("version"):
        raise _not_a_feed(body, feed_url, content_type, exc)
    entries, skipped = [], []
    for raw in parsed.entries[:max_entries]:
        try:
            entries.append(_entry(raw, feed_url))
        except ValueError as exc:
            skipped.append(f"{raw.get('title', '')!r}: {exc}")
    if len(parsed.entries) > max_entries:
        skipped.append(f"{len(parsed.entries) - max_entries} entries beyond cap of {max_entries}")
    title = str(parsed.feed.get("title") or "")
    ttl = str(parsed.feed.get("ttl") or "").strip()
    return ParsedFeed(title, tuple(entries), bozo, tuple(skipped),
                      float(ttl) if ttl.isdigit() else None)
