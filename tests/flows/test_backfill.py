"""Backfill from a WARC built in the test and a sitemap served on loopback."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from deploy.demo.server import DevServer
from flows.backfill import backfill
from flows.monitor import monitor
from tests.conftest import query, write_config

pytestmark = [pytest.mark.e2e, pytest.mark.usefixtures("prefect_harness")]

CLAIM = ("Ukrainian officials said North Korea has delivered 150 self-propelled howitzers to "
         "Russia under the treaty signed by Vladimir Putin and Kim Jong Un.")


def page(title: str, day: str, text: str) -> bytes:
    return (f"<html lang='en'><head><title>{title}</title><meta property='article:published_"
            f"time' content='{day}'></head><body><article><h1>{title}</h1><p>{text}</p><p>"
            f"The {title} report on the partnership between Russia and North Korea was written "
            "from public statements.</p></article></body></html>").encode()


def warc(path: Path, pages: list[tuple[str, str, bytes]]) -> None:
    with open(path, "wb") as fh:
        writer = WARCWriter(fh, gzip=True)
        for url, captured, body in pages:
            headers = StatusAndHeaders("200 OK", [("Content-Type", "text/html; charset=utf-8")],
                                       protocol="HTTP/1.1")
            record = writer.create_warc_record(url, "response", payload=io.BytesIO(body),
                                               http_headers=headers,
                                               warc_headers_dict={"WARC-Date": captured})
            writer.write_record(record)
        image = writer.create_warc_record(
            "https://archive.example/logo.png", "response", payload=io.BytesIO(b"\x89PNG"),
            http_headers=StatusAndHeaders("200 OK", [("Content-Type", "image/png")],
                                          protocol="HTTP/1.1"))
        writer.write_record(image)



def test_warc_backfill_enters_history_in_publication_order(tmp_path: Path,
                                                           server: DevServer) -> None:
    # live coverage first: an article from November repeating the claim
    (server.root / "live.html").write_bytes(page("Live", "2024-11-20", "Officials say: " + CLAIM))
    (server.root / "feed.xml").write_text(
        "<rss version='2.0'><channel><title>T</title><item><title>Live</title>"
        "<link>/live.html</link><pubDate>Wed, 20 Nov 2024 10:00:00 GMT</pubDate></item>"
        "</channel></rss>")
    config = write_config(tmp_path / "c.toml", [("Wire", f"{server.base_url}/feed.xml")])
    monitor(str(config), force=True)
    archive = tmp_path / "news.warc.gz"
    warc(archive, [("https://archive.example/a", "2024-07-01T10:00:00Z",
                    page("Early", "2024-06-30", CLAIM)),
                   ("https://archive.example/b", "2024-07-02T10:00:00Z",
                    page("Other", "2024-07-01", "Russia and North Korea opened a road bridge "
                         "across the Tumen River, officials said on Monday."))])
    summary = backfill(str(config), warc_files=[str(archive)], outlet="Archive")
    assert summary.counts["articles_new"] == 2
    snap = tmp_path / "wh" / "pactwatch.snapshot.duckdb"
    rows = query(snap, "SELECT outlet, published_at::DATE::VARCHAR, first_seen_at::VARCHAR "
                       "FROM v_articles WHERE outlet = 'Archive' ORDER BY 2")
    assert rows == [("Archive", "2024-06-30", "2024-07-01 10:00:00"),
                    ("Archive", "2024-07-01", "2024-07-02 10:00:00")]
    # the archived article predates the live one: it is now where the claim first appeared
    [(status, origin)] = query(snap, "SELECT status, origin_outlet FROM v_claims "
                                     "WHERE claim_text LIKE '%howitzers%' AND outlet = 'Wire'")
    assert (status, origin) == ("repeated", "Archive")
    again = backfill(str(config), warc_files=[str(archive)], outlet="Archive")
    assert again.counts["articles_new"] == 0 and again.counts["articles_skipped"] == 2


def test_sitemap_backfill_is_date_filtered_and_guarded(tmp_path: Path,
                                                       server: DevServer) -> None:
    news = ("<urlset xmlns='http://www.sitemaps.org/schemas/sitemap/0.9' "
            "xmlns:news='http://www.google.com/schemas/sitemap-news/0.9'>"
            "<url><loc>{base}/s1.html</loc><news:news><news:publication_date>2024-07-05"
            "</news:publication_date><news:title>S1</news:title></news:news></url>"
            "<url><loc>{base}/s2.html</loc><lastmod>2024-08-01T00:00:00Z</lastmod></url>"
            "<url><loc>{base}/old.html</loc><lastmod>2023-01-01</lastmod></url></urlset>")
    (server.root / "news.xml").write_text(news.format(base=server.base_url))
    (server.root / "index.xml").write_text(
        "<sitemapindex xmlns='http://www.sitemaps.org/schemas/sitemap/0.9'><sitemap><loc>"
        f"{server.base_url}/news.xml</loc></sitemap></sitemapindex>")
    for name, day in (("s1", "2024-07-05"), ("s2", "2024-08-01"), ("old", "2023-01-01")):
        (server.root / f"{name}.html").write_bytes(page(name, day, CLAIM))
    config = write_config(tmp_path / "c.toml", [("Wire", f"{server.base_url}/feed.xml")])
    summary = backfill(str(config), sitemap_url=f"{server.base_url}/index.xml",
                       since="2024-06-01")
    assert summary.counts["articles_new"] == 2
    assert "GET /old.html" not in server.requests
    snap = tmp_path / "wh" / "pactwatch.snapshot.duckdb"
    published = [r[0] for r in query(snap, "SELECT published_at::DATE::VARCHAR FROM v_articles "
                                           "WHERE NOT is_seed ORDER BY 1")]
    assert published == ["2024-07-05", "2024-08-01"]
    guarded = write_config(tmp_path / "g.toml", [("Wire", f"{server.base_url}/feed.xml")])
    guarded.write_text(guarded.read_text().replace("allow_private_addresses = true",
                                                   "allow_private_addresses = false"))
    refused = backfill(str(guarded), sitemap_url=f"{server.base_url}/index.xml")
    assert refused.counts["articles_new"] == 0
    assert refused.failures and "loopback" in refused.failures[0][2]
