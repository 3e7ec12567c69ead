"""Article extraction: page bytes in, text and metadata out (trafilatura), with a fallback."""

from __future__ import annotations

import codecs
import functools
import re
from dataclasses import dataclass
from datetime import UTC, datetime
from urllib.parse import urljoin

import lxml.etree
import lxml.html

from extractors.errors import TerminalError
from extractors.obstacles import find_obstacle


@functools.cache
def extraction_method() -> str:
    """The method stored with a page's text: 'trafilatura <version>'. trafilatura is
    imported on first use: a pass that fetches no page never pays for it."""
    import trafilatura

    return f"trafilatura {trafilatura.__version__}"


def __getattr__(name: str) -> str:
    """`METHOD`, computed on first use (module attribute access, PEP 562)."""
    if name == "METHOD":
        return extraction_method()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


FALLBACK_METHOD = "feed-summary"
# how an article's text came from its feed, by the part of the entry it came from
FEED_METHODS = {"content:encoded": "feed-content", "summary": FALLBACK_METHOD,
                "title": "feed-title"}
_LINK_TAG = re.compile(r"<link\b[^>]*>", re.IGNORECASE)
_REL_CANONICAL = re.compile(r"""\brel\s*=\s*["']?canonical\b""", re.IGNORECASE)
_HREF = re.compile(r"""\bhref\s*=\s*["']?([^"'\s>]+)""", re.IGNORECASE)
_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?([\w\-:.]+)""", re.IGNORECASE)
_HTML_LANG = re.compile(r"""<html[^>]*\slang\s*=\s*["']?([A-Za-z]{2,3})""", re.IGNORECASE)
_HEADER_CHARSET = re.compile(r"charset\s*=\s*[\"']?([\w\-:.]+)", re.IGNORECASE)
MIN_TEXT_CHARS = 200


@dataclass(frozen=True)
class Extracted:
    """What an article page yields. `method` says which path produced `text`."""

    title: str
    author: str | None
    published_at: datetime | None
    site_name: str | None
    language: str | None
    text: str
    method: str
    note: str | None = None
    page_problem: str | None = None   # why the text is the feed's (see from_feed)
    canonical: str | None = None      # the page's <link rel=canonical>, absolute


def _known_codec(name: str | None) -> str | None:
    if not name:
        return None
    try:
        return codecs.lookup(name).name
    except LookupError:
        return None


def decode_html(body: bytes, content_type: str = "") -> tuple[str, str | None]:
    """Decode page bytes: header charset, then <meta charset>, then UTF-8, then cp1252.

    Returns the text and a note when bytes had to be replaced or a declaration was wrong.
    """
    header = _HEADER_CHARSET.search(content_type)
    meta = _META_CHARSET.search(body[:4096])
    declared = [
        _known_codec(header.group(1) if header else None),
        _known_codec(meta.group(1).decode("ascii", "ignore") if meta else None),
    ]
    for codec in [c for c in declared if c] + ["utf-8"]:
        try:
            return body.decode(codec), None
        except UnicodeDecodeError:
            continue
    note = f"not valid in declared charset {declared[0] or declared[1] or 'utf-8'}; read as cp1252"
    return body.decode("cp1252", errors="replace"), note


HTML_TYPES = ("text/html", "application/xhtml+xml", "text/plain", "application/xml",
              "text/xml")


def check_page(body: bytes, content_type: str) -> None:
    """Refuse what is not a web page: a declared non-HTML type, or binary bytes.

    Raises TerminalError saying which.
    """
    declared = content_type.split(";", 1)[0].strip().lower()
    if declared and declared not in HTML_TYPES:
        raise TerminalError(f"not an HTML page: Content-Type {declared}")
    if b"\x00" in body[:4096]:
        raise TerminalError("binary content (NUL bytes) where an HTML page was expected")


def _date(value: str | None) -> datetime | None:
    if not value:
        return None
    try:
        return datetime.fromisoformat(value).replace(tzinfo=UTC)
    except ValueError:
        return None


@dataclass(frozen=True)
class FeedText:
    """What the feed said of an item: the article's text when its page cannot be had."""

    title: str = ""
    summary: str = ""
    content: str = ""   # content:encoded / Atom <content>, HTML


def extract_article(body: bytes, url: str, content_type: str = "",
                    feed: FeedText | None = None) -> Extracted:
    """Extract the main text and metadata of an article page.

    A page that is an obstacle (bot challenge, login, paywall) or yields no main text gives
    an article from the feed's text (`from_feed`), with `page_problem` and `note` saying
    why; a short text that the feed does not better (a two-sentence brief) is the
    article. Raises TerminalError only when neither page nor feed yields any text.
    """
    feed = feed or FeedText()
    html, decode_note = decode_html(body, content_type)
    lang = _HTML_LANG.search(html[:4096])
    language = lang.group(1).lower() if lang else None
    import trafilatura

    doc = trafilatura.bare_extraction(html, url=url, with_metadata=True, favor_precision=True)
    if isinstance(doc, dict):  # only with as_dict=True; never here
        raise TypeError("trafilatura returned a dict")
    text = (doc.text or "").strip() if doc is not None else ""
    declared = declared_canonical(html, url)
    obstacle = find_obstacle(html, text)
    if obstacle is not None:
        teaser = text if obstacle.problem == "paywall" else ""
        return from_feed(feed, obstacle.problem, f"the page is {obstacle.reason}", teaser,
                         language, declared)
    if not text or (len(text) < MIN_TEXT_CHARS and len(feed_body(feed)) > len(text)):
        reason = f"trafilatura found {len(text)} chars of main text (< {MIN_TEXT_CHARS})"
        return from_feed(feed, "too-little-text", reason, text, language, declared)
    assert doc is not None
    return Extracted(
        title=(doc.title or feed.title).strip(), author=doc.author,
        published_at=_date(doc.date), site_name=doc.sitename, language=language, text=text,
        method=extraction_method(), note=decode_note, canonical=declared)


def feed_body(feed: FeedText) -> str:
    """The feed's text of an item: its content:encoded when present, else its summary."""
    return html_to_text(feed.content) or html_to_text(feed.summary)


def from_feed(feed: FeedText, problem: str, reason: str, page_text: str = "",
              language: str | None = None, canonical: str | None = None) -> Extracted:
    """An article made of what the feed gave (content:encoded, else summary, else title)
    plus any text the page yielded, marked with `page_problem` and why.

    Raises TerminalError when there is no text at all.
    """
    source = ("content:encoded" if html_to_text(feed.content) else
              "summary" if html_to_text(feed.summary) else "title")
    body = feed_body(feed) or " ".join(feed.title.split())
    text = _combine(page_text, body)
    if not text:
        raise TerminalError(f"no article text: {reason}, and the feed gave no title or text")
    with_page = page_text and text != body
    method = FEED_METHODS[source] + (f" + {extraction_method()}" if with_page else "")
    note = f"{reason}; stored from the feed's {source}" + (
        " and the page's text" if page_text and text != body else "")
    return Extracted(title=" ".join(feed.title.split()), author=None, published_at=None,
                     site_name=None, language=language, text=text, method=method, note=note,
                     page_problem=problem, canonical=canonical)


def _flat(text: str) -> str:
    return " ".join(text.split())


def _combine(first: str, second: str) -> str:
    """Both texts, one after the other, unless one already contains the other."""
    if not first or _flat(first) in _flat(second):
        return second
    if not second or _flat(second) in _flat(first):
        return first
    return f"{first}\n\n{second}"


_BLOCKS = ("p", "div", "br", "li", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote", "tr",
           "figcaption", "section", "article")


def html_to_text(fragment: str) -> str:
    """The text of an HTML fragment (a feed's summary or content): tags dropped, entities
    decoded, one line per block element."""
    if not fragment.strip():
        return ""
    try:
        root = lxml.html.fragment_fromstring(fragment, create_parent="div")
    except (lxml.etree.ParserError, ValueError):
        return _flat(re.sub(r"<[^>]+>", " ", fragment))
    for bad in root.xpath(".//script|.//style"):
        bad.drop_tree()
    for el in root.iter(*_BLOCKS):
        el.tail = "\n" + (el.tail or "")
    lines = (_flat(line) for line in root.text_content().splitlines())
    return "\n".join(line for line in lines if line)


def declared_canonical(html: str, url: str) -> str | None:
    """The absolute URL of the page's <link rel="canonical">, or None."""
    end = html.lower().find("</head>")
    head = html[:end if end >= 0 else 65536]
    for tag in _LINK_TAG.findall(head):
        if _REL_CANONICAL.search(tag):
            href = _HREF.search(tag)
            return urljoin(url, href.group(1).strip()) if href else None
    return None
