"""Article extraction: page bytes in, text and metadata out (trafilatura), with a fallback."""

from __future__ import annotations

import codecs
import re
from dataclasses import dataclass
from datetime import UTC, datetime

import trafilatura

from extractors.errors import TerminalError

METHOD = f"trafilatura {trafilatura.__version__}"
FALLBACK_METHOD = "feed-summary"
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


def extract_article(body: bytes, url: str, content_type: str = "",
                    fallback_title: str = "", fallback_text: str = "") -> Extracted:
    """Extract the main text and metadata of an article page.

    When trafilatura finds no main text (or less than MIN_TEXT_CHARS), falls back to the
    feed's title and summary and says why in `note`. Raises TerminalError when neither
    yields any text.
    """
    html, decode_note = decode_html(body, content_type)
    lang = _HTML_LANG.search(html[:4096])
    doc = trafilatura.bare_extraction(html, url=url, with_metadata=True, favor_precision=True)
    if isinstance(doc, dict):  # only with as_dict=True; never here
        raise TypeError("trafilatura returned a dict")
    text = (doc.text or "").strip() if doc is not None else ""
    if len(text) >= MIN_TEXT_CHARS and doc is not None:
        return Extracted(
            title=(doc.title or fallback_title).strip(), author=doc.author,
            published_at=_date(doc.date), site_name=doc.sitename,
            language=lang.group(1).lower() if lang else None, text=text, method=METHOD,
            note=decode_note)
    reason = f"trafilatura found {len(text)} chars of main text (< {MIN_TEXT_CHARS})"
    if not fallback_text.strip():
        raise TerminalError(f"no article text: {reason} and the feed has no summary")
    return Extracted(
        title=fallback_title, author=None, published_at=None, site_name=None,
        language=lang.group(1).lower() if lang else None, text=_strip_tags(fallback_text),
        method=FALLBACK_METHOD, note=f"{reason}; used the feed summary")


def _strip_tags(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html)).strip()
