"""Archives for backfill: HTML responses from WARC files, and news/plain sitemaps."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from lxml import etree
from warcio.archiveiterator import ArchiveIterator

from extractors.errors import TerminalError

HTML = ("text/html", "application/xhtml+xml")


@dataclass(frozen=True)
class ArchivedPage:
    url: str
    captured_at: datetime
    content_type: str
    body: bytes


def _when(value: str | None) -> datetime | None:
    if not value:
        return None
    try:
        when = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    except ValueError:
        return None
    return when.replace(tzinfo=UTC) if when.tzinfo is None else when.astimezone(UTC)


def read_warc(path: str | Path, max_bytes: int = 5_000_000) -> Iterator[ArchivedPage]:
    """HTML responses with status 200 from a WARC (or .warc.gz) file, in file order.

    Raises TerminalError naming the file when it is not a readable WARC.
    """
    try:
        with open(path, "rb") as fh:
            for record in ArchiveIterator(fh):
                if record.rec_type != "response" or record.http_headers is None:
                    continue
                if record.http_headers.get_statuscode() != "200":
                    continue
                ctype = record.http_headers.get_header("Content-Type") or ""
                if ctype.split(";")[0].strip().lower() not in HTML:
                    continue
                body = record.content_stream().read(max_bytes + 1)
                if len(body) > max_bytes:
                    continue
                url = record.rec_headers.get_header("WARC-Target-URI") or ""
                when = _when(record.rec_headers.get_header("WARC-Date")) or datetime.now(UTC)
                yield ArchivedPage(url, when, ctype, body)
    except (OSError, ValueError) as exc:
        raise TerminalError(f"{path}: not a readable WARC file: {exc}") from exc


@dataclass(frozen=True)
class SitemapEntry:
    url: str
    published_at: datetime | None
    title: str


@dataclass(frozen=True)
class Sitemap:
    entries: tuple[SitemapEntry, ...]
    children: tuple[str, ...]        # sitemap index: further sitemaps to read


def _local(tag: object) -> str:
    return str(tag).rsplit("}", 1)[-1]


def parse_sitemap(body: bytes) -> Sitemap:
    """A `<urlset>` (with `<news:news>` dates and titles where present, else `<lastmod>`) or
    a `<sitemapindex>`. Entities are not resolved and nothing is fetched by the parser.

    Raises TerminalError when the document is not a sitemap.
    """
    parser = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False,
                             recover=True)
    try:
        root = etree.fromstring(body, parser)
    except etree.XMLSyntaxError as exc:
        raise TerminalError(f"not a sitemap: {exc}") from exc
    if root is None or _local(root.tag) not in ("urlset", "sitemapindex"):
        raise TerminalError("not a sitemap: no <urlset> or <sitemapindex>")
    entries, children = [], []
    for node in root:
        fields = {_local(c.tag): (c.text or "").strip() for c in node.iter()}
        if not fields.get("loc"):
            continue
        if _local(node.tag) == "sitemap":
            children.append(fields["loc"])
        else:
            when = _when(fields.get("publication_date")) or _when(fields.get("lastmod"))
            entries.append(SitemapEntry(fields["loc"], when, fields.get("title", "")))
    return Sitemap(tuple(entries), tuple(children))
