"""The web as it is, on loopback: refusals, paywalls, briefs, HTML given as a feed, content
parameters. Every story a feed announces is stored; none is merged with another.

Real Prefect runs, a real DuckDB file, a real HTTP server; nothing under test is mocked.
"""

from __future__ import annotations

import threading
import time
from http.server import BaseHTTPRequestHandler
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import duckdb
import pytest

from deploy.demo.server import DevServer
from flows.monitor import monitor
from tests.conftest import query, write_config
from tests.extractors.test_http import reply

pytestmark = [pytest.mark.e2e, pytest.mark.usefixtures("prefect_harness")]

RELEVANT = ("Russian President Vladimir Putin and North Korean leader Kim Jong Un signed a "
            "treaty on mutual defence. The pact commits Russia and North Korea to aid each "
            "other. ")
BRIEF = ("Russia and North Korea signed the pact in Pyongyang on Wednesday. Putin and Kim "
         "Jong Un called the treaty a breakthrough.")


def page(title: str, body: str = RELEVANT * 3, head: str = "") -> str:
    return (f"<html lang='en'><head><title>{title}</title>{head}</head><body><article>"
            f"<h1>{title}</h1><p>{body}</p><p>{body}</p></article></body></html>")


def item(title: str, link: str, summary: str = "", content: str = "") -> str:
    parts = [f"<title>{title}</title><link>{link}</link>"]
    if summary:
        parts.append(f"<description>{summary}</description>")
    if content:
        parts.append(f"<content:encoded><![CDATA[{content}]]></content:encoded>")
    return f"<item>{''.join(parts)}</item>"


def rss(*items: str) -> str:
    return ("<?xml version='1.0'?><rss version='2.0' xmlns:content="
            "'http://purl.org/rss/1.0/modules/content/'><channel><title>T</title>"
            + "".join(items) + "</channel></rss>")


CHALLENGE = page("Just a moment...", "Checking your browser before accessing the site.",
                 "<script src='/cdn-cgi/challenge-platform/h/b/orch.js'></script>")
PAYWALL = page("Pact", "Kim met Putin at the airport. Subscribe to continue reading.")


def by_cid(h: BaseHTTPRequestHandler) -> None:
    """article.php?cid=N: a different article per content id, as a PHP CMS serves them."""
    cid = parse_qs(urlsplit(h.path).query).get("cid", ["?"])[0]
    body = page(f"Article {cid}", f"Story number {cid}. " + RELEVANT * 3)
    h.send_file(body.encode(), "text/html; charset=utf-8")  # type: ignore[attr-defined]


def site(server: DevServer) -> dict[str, str]:
    """Four feeds of the web as it is; returns what each announced story is about."""
    root = server.root
    for path in ("/wall/403", "/wall/401", "/wall/451"):
        server.routes[path] = reply(int(path[-3:]), b"<html>no</html>", Content_Type="text/html")
    server.routes["/wall/challenge"] = reply(200, CHALLENGE.encode(), Content_Type="text/html")
    server.routes["/wall/paywall"] = reply(200, PAYWALL.encode(), Content_Type="text/html")
    (root / "wall.xml").write_text(rss(
        item("Refused with content", "/wall/403", "Short summary.", f"<p>{RELEVANT * 3}</p>"),
        item("Refused with a summary", "/wall/401", f"<p>{RELEVANT}</p>"),
        item("Refused with a title only", "/wall/451"),
        item("Behind a challenge", "/wall/challenge", "", f"<p>{RELEVANT * 2}</p>"),
        item("Behind a paywall", "/wall/paywall", f"{RELEVANT}"),
        item("Not for robots", "/wall/robots", f"{RELEVANT}")))
    (root / "robots.txt").write_text("User-agent: *\nDisallow: /wall/robots\n")
    for n in (1, 2):
        (root / f"brief{n}.html").write_text(page(f"Brief {n}", BRIEF.replace("Wednesday",
                                                                              f"day {n}")))
    (root / "briefs.xml").write_text(rss(item("Brief 1", "/brief1.html"),
                                         item("Brief 2", "/brief2.html")))
    server.routes["/article.php"] = by_cid
    (root / "shared.html").write_text(page("One story, two feed links", head=(
        f"<link rel='canonical' href='{server.base_url}/shared.html'>")))
    (root / "cms.xml").write_text(rss(item("A 101", "/article.php?cid=101&amp;utm_source=rss"),
                                      item("A 202", "/article.php?cid=202&amp;utm_source=rss"),
                                      item("Shared", "/shared.html?ref=rss-world"),
                                      item("Shared", "/shared.html?ref=rss-asia")))
    (root / "index.html").write_text(
        "<!DOCTYPE html><html><head><title>Home</title><link rel='alternate' "
        "type='application/rss+xml' href='/wall.xml'></head><body>News</body></html>")
    return {"/wall/403": "refused", "/wall/401": "refused", "/wall/451": "refused",
            "/wall/challenge": "bot-challenge", "/wall/paywall": "paywall",
            "/wall/robots": "robots-disallowed",
            "/brief1.html": "", "/brief2.html": "", "/article.php?cid=101": "",
            "/article.php?cid=202": "", "/shared.html": ""}


def test_every_announced_story_is_stored_and_none_merged(tmp_path: Path,
                                                          server: DevServer) -> None:
    expected = site(server)
    feeds = [("wall", "/wall.xml"), ("briefs", "/briefs.xml"), ("cms", "/cms.xml"),
             ("home", "/index.html")]
    config = write_config(tmp_path / "c.toml", [(n, server.base_url + p) for n, p in feeds])
    first = monitor(str(config), force=True)
    # the two ?ref= links of one page are one article, as its canonical says
    assert first.counts["articles_new"] == len(expected)
    assert first.counts["articles_unchanged"] == 1 and first.counts["articles_failed"] == 0
    wh = tmp_path / "wh" / "pactwatch.duckdb"
    stored = {row[0].removeprefix(server.base_url): row[1:] for row in query(wh, """
        SELECT url, coalesce(page_problem, ''), extraction_method, title, text, relevant
        FROM v_articles WHERE NOT is_seed""")}
    assert {u: s[0] for u, s in stored.items()} == expected
    assert stored["/wall/403"][1] == "feed-content" and "Putin" in stored["/wall/403"][3]
    assert stored["/wall/401"][1] == "feed-summary"
    assert stored["/wall/451"][1:4] == ("feed-title", "Refused with a title only",
                                        "Refused with a title only")
    assert "Checking your browser" not in stored["/wall/challenge"][3]
    assert "airport" in stored["/wall/paywall"][3] and "treaty" in stored["/wall/paywall"][3]
    assert "breakthrough" in stored["/brief1.html"][3] and stored["/brief1.html"][1].startswith(
        "trafilatura")
    assert "Story number 101" in stored["/article.php?cid=101"][3]
    assert "Story number 202" in stored["/article.php?cid=202"][3]
    # the page's rel=canonical agreed with both feed links: one article, both links mapped
    links = query(wh, "SELECT u.url FROM article_urls u JOIN articles a USING (article_id) "
                      "WHERE a.canonical_url LIKE '%/shared.html' ORDER BY 1")
    assert [u.removeprefix(server.base_url) for (u,) in links] == [
        "/shared.html?ref=rss-asia", "/shared.html?ref=rss-world"]
    # analysed like any article: the feed's text has sentences and entities
    [(sentences,)] = query(wh, "SELECT count(*) FROM sentences s JOIN articles a USING "
                               "(article_id) WHERE a.url LIKE '%/wall/403'")
    assert sentences >= 3
    # the reasons are recorded where an analyst looks
    notes = dict(query(wh, "SELECT url, extraction_note FROM v_articles WHERE page_problem "
                           "IS NOT NULL"))
    assert notes[server.base_url + "/wall/403"] == ("HTTP 403 Forbidden; stored from the "
                                                    "feed's content:encoded")
    # robots.txt: read once, the page never asked for, the refusal in the fetch log
    assert server.requests.count("GET /robots.txt") == 1
    assert "GET /wall/robots" not in server.requests
    assert query(wh, "SELECT outcome, error FROM fetches WHERE url LIKE '%/wall/robots'") == [
        ("disallowed", f"disallowed by {server.base_url}/robots.txt for 'pactwatch'")]
    [(reason,)] = query(wh, "SELECT reason FROM v_failures WHERE stage = 'feed' "
                            "AND error_class = 'terminal'")
    assert reason.startswith(f"not a feed: an HTML page; it advertises 1 feed: "
                             f"{server.base_url}/wall.xml")

    # later the wall comes down: the full page is a new version of the same article
    server.routes["/wall/403"] = reply(200, page("Refused with content", "Full page. "
                                                 + RELEVANT * 3).encode(),
                                       Content_Type="text/html")
    second = monitor(str(config), force=True)
    assert second.counts["articles_updated"] == 0  # not retried within FEED_TEXT_RETRY
    with duckdb.connect(str(wh)) as con:  # six hours and more pass
        con.execute("UPDATE fetches SET requested_at = requested_at - INTERVAL 7 HOUR")
    third = monitor(str(config), force=True)
    assert third.counts["articles_updated"] == 1 and third.counts["articles_new"] == 0
    assert third.counts["articles_skipped"] == 0  # the feeds answered 304
    [(versions, problem, method, text)] = query(wh, """
        SELECT version_count, page_problem, extraction_method, text FROM v_articles
        WHERE url LIKE '%/wall/403'""")
    assert versions == 2 and problem is None and method.startswith("trafilatura")
    assert "Full page." in text
    assert query(wh, "SELECT count(*) FROM v_articles WHERE NOT is_seed") == [(len(expected),)]


class Concurrency:
    """A page route that records how many requests it was serving at once. A request
    counts from its arrival until just before its answer is written: a client can only
    send its next request after reading an answer, so no overlap is counted that the
    client did not cause."""

    def __init__(self, delay_s: float = 0.05) -> None:
        self.delay_s, self.now, self.peak, self.served = delay_s, 0, 0, 0
        self._lock = threading.Lock()

    def __call__(self, h: BaseHTTPRequestHandler) -> None:
        with self._lock:
            self.now += 1
            self.peak = max(self.peak, self.now)
        time.sleep(self.delay_s)
        with self._lock:
            self.now -= 1
            self.served += 1
        n = h.path.rsplit("/", 1)[-1]
        if n.startswith("feed"):  # /f/feedK: 40 items
            k = int(n.removeprefix("feed"))
            body = rss(*(item(f"N {i}", f"/p/{i}") for i in range(40 * k, 40 * k + 40)))
            h.send_file(body.encode(), "application/rss+xml")  # type: ignore[attr-defined]
            return
        text = f"Harbour notice {n}. " + "The council met and approved the budget. " * 8
        h.send_file(page(f"Notice {n}", text).encode(), "text/html")  # type: ignore[attr-defined]


def test_per_host_limit_holds_across_the_whole_pass(tmp_path: Path, server: DevServer) -> None:
    pages = Concurrency()
    server.routes.update({f"/p/{n}": pages for n in range(200)})
    server.routes.update({f"/f/feed{k}": pages for k in range(5)})  # one outlet, 5 feeds
    # our own site: robots.txt shuts crawlers out, and the config says to fetch anyway
    (server.root / "robots.txt").write_text("User-agent: *\nDisallow: /\n")
    config = write_config(tmp_path / "c.toml",
                          [(f"f{k}", f"{server.base_url}/f/feed{k}") for k in range(5)],
                          "per_host_concurrency = 3\nobey_robots = false\n"
                          "[run]\nbatch_size = 20\n")
    summary = monitor(str(config), force=True)
    assert summary.counts["articles_new"] == 200 and pages.served == 205
    # 5 feed polls and 10 batches: before issue 13 each batch had its own limit and all were
    # submitted at once; with one feed of 200 items the server saw 24 requests at once
    # (measured on the code before the fix)
    assert pages.peak == 3
    assert "GET /robots.txt" not in server.requests
