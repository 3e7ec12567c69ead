"""Feed discovery: the feeds an HTML page advertises, and the config blocks that use them."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from html.parser import HTMLParser
from urllib.parse import urljoin, urlsplit

FEED_TYPES = {"application/rss+xml": "RSS", "application/atom+xml": "Atom",
              "application/rdf+xml": "RDF", "application/feed+json": "JSON Feed"}
_HTML_START = re.compile(rb"^\s*(?:<\?xml[^>]*>\s*)?(?:<!--.*?-->\s*)*<(?:!doctype\s+html|html)\b",
                         re.IGNORECASE | re.DOTALL)


@dataclass(frozen=True)
class AdvertisedFeed:
    """One `<link rel="alternate">` feed of a page: absolute URL, its title, its kind."""

    url: str
    title: str
    kind: str


class _Links(HTMLParser):
    def __init__(self, base: str) -> None:
        super().__init__(convert_charrefs=True)
        self.base = base
        self.feeds: list[AdvertisedFeed] = []
        self.title = ""
        self._in_title = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k.lower(): (v or "").strip() for k, v in attrs}
        if tag == "base" and a.get("href"):
            self.base = urljoin(self.base, a["href"])
        elif tag == "title":
            self._in_title = True
        elif tag == "link" and "alternate" in a.get("rel", "").lower().split():
            kind = FEED_TYPES.get(a.get("type", "").lower().split(";")[0].strip())
            url = urljoin(self.base, a.get("href", ""))
            if kind and a.get("href") and urlsplit(url).scheme in ("http", "https"):
                self.feeds.append(AdvertisedFeed(url, a.get("title", ""), kind))

    def handle_endtag(self, tag: str) -> None:
        self._in_title = self._in_title and tag != "title"

    def handle_data(self, data: str) -> None:
        if self._in_title:
            self.title += data


def looks_like_html(body: bytes, content_type: str = "") -> bool:
    """True when the bytes are an HTML page: declared text/html or xhtml, or starting with a
    doctype or <html> element."""
    declared = content_type.split(";", 1)[0].strip().lower()
    return declared in ("text/html", "application/xhtml+xml") or bool(
        _HTML_START.match(body[:4096]))


def page_title_and_feeds(html: str, page_url: str) -> tuple[str, tuple[AdvertisedFeed, ...]]:
    """The page's <title> and the feeds it advertises, in page order, each URL once."""
    parser = _Links(page_url)
    parser.feed(html)
    parser.close()
    seen: dict[str, AdvertisedFeed] = {}
    for f in parser.feeds:
        seen.setdefault(f.url, f)
    return " ".join(parser.title.split()), tuple(seen.values())


def config_blocks(feeds: tuple[AdvertisedFeed, ...], page_title: str, host: str) -> str:
    """TOML `[[feeds]]` blocks for `feeds`, ready to paste into a config: each named by its
    own title, else the page's title with its kind, else the host."""
    blocks = []
    for f in feeds:
        name = f.title or (f"{page_title} ({f.kind})" if page_title else f"{host} ({f.kind})")
        # a JSON string is a valid TOML basic string (same escapes)
        blocks.append(f"[[feeds]]\nname = {json.dumps(name, ensure_ascii=False)}\n"
                      f"url = {json.dumps(f.url, ensure_ascii=False)}\n")
    return "\n".join(blocks)
