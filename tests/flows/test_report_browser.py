"""The story page as people see it: built from the demo warehouse (two editions of the
sample corpus, then a pass in which one feed fails), opened from disk in headless Chromium
on a laptop and a phone, read back with OCR."""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pytest

from deploy.demo import run as demo
from flows.config import load_settings
from flows.digest.flow import preview
from flows.monitor import monitor
from flows.report.build import build_report
from tests.flows.cdp import Tab, chromium
from tests.flows.digest.test_digest_browser import CHROMIUM, TESSERACT, _tools

pytestmark = [pytest.mark.e2e, pytest.mark.usefixtures("prefect_harness")]
SECTIONS = [["new", "What is new"], ["timelines", "Claim timelines"], ["framing", "Framing"],
            ["coverage", "Coverage"]]


@dataclass(frozen=True)
class Demo:
    config: Path
    page: Path
    digest: str


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory, prefect_harness: None) -> Iterator[Demo]:
    """`pactwatch demo` as `make run` runs it, then a pass in which one feed fails."""
    from prefect.settings import PREFECT_API_URL

    _tools()
    work, port = tmp_path_factory.mktemp("demo"), free_port()
    run = subprocess.run([sys.executable, "-m", "deploy.cli", "demo", "--dir", str(work),
                          "--port", str(port)], capture_output=True, text=True, timeout=600,
                         env={**os.environ, "PREFECT_API_URL": str(PREFECT_API_URL.value())})
    assert run.returncode == 0, run.stderr[-3000:]
    # the demo ends by saying where the story page is
    assert run.stdout.rstrip().splitlines()[-2:] == [
        f"the story page: {(work / 'story' / 'index.html').as_uri()}",
        "(open it in a browser; rebuild it with `pactwatch report --out story`)"]
    config = work / "pactwatch-demo.toml"
    with demo.serve_edition(2, port) as server:
        server.routes["/pacific-monitor/index.rdf"] = demo._fail_500  # a feed breaks
        monitor(str(config), force=True)
    settings = load_settings(config)
    con = duckdb.connect(str(settings.snapshot_path), read_only=True)
    try:
        page = build_report(con, work / demo.PAGE_DIR).index
    finally:
        con.close()
    preview(settings, work / "digest.html")  # links to the page ([report].base_url)
    yield Demo(config, page, (work / "digest.html").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def tab(built: Demo, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Tab]:
    assert CHROMIUM
    with chromium(CHROMIUM, tmp_path_factory.mktemp("profile")) as t:
        t.open(built.page.as_uri(), 1100, 900)
        yield t


def ocr(png: Path) -> str:
    assert TESSERACT and png.stat().st_size > 10_000
    text = subprocess.run([TESSERACT, str(png), "-", "--psm", "3"], check=True,
                          capture_output=True, text=True, timeout=120).stdout
    return " ".join(text.split())


def test_every_section_is_there_and_nothing_else_is_loaded(built: Demo, tab: Tab) -> None:
    assert tab.js("[...document.querySelectorAll('main > section')]"
                  ".map(s => [s.id, s.querySelector('h2').textContent])") == SECTIONS
    assert tab.js("document.querySelectorAll('article.timeline').length") >= 10
    assert tab.js("document.querySelectorAll('ol.items > li').length") >= 10
    # the page and its own files, nothing from the network
    assert tab.requests and all(u.startswith("file://") for u in tab.requests), tab.requests
    assert {u.rsplit("/", 1)[-1] for u in tab.requests} >= {
        "index.html", "style.css", "coverage.svg", "frames-by-outlet.svg", "rising.svg",
        "tone-by-outlet.svg"}
    assert tab.errors == []
    assert tab.js("getComputedStyle(document.body).fontFamily").startswith("system-ui")


def test_charts_render(tab: Tab) -> None:
    images = tab.js("[...document.images].map(i => [i.getAttribute('src'), i.complete, "
                    "i.naturalWidth, i.getBoundingClientRect().width])")
    assert len(images) == 4
    for src, complete, natural, shown in images:
        assert complete and natural > 300 and shown > 500, (src, natural, shown)


def test_links_inside_the_page_resolve(built: Demo, tab: Tab) -> None:
    internal = tab.js("[...document.querySelectorAll('a[href^=\"#\"]')]"
                      ".map(a => a.getAttribute('href').slice(1))")
    assert len(internal) > 10
    assert tab.js(f"{internal!r}.filter(id => !document.getElementById(id))") == []
    # and so do the digest's links to the page
    base = built.page.parent.as_uri()
    targets = re.findall(r'href="' + re.escape(base) + r'/index.html#([^"]+)"', built.digest)
    assert len(targets) >= 10 and "failing" in targets
    assert tab.js(f"{targets!r}.filter(id => !document.getElementById(id))") == []


def test_a_failing_feed_is_shown_with_what_failed(tab: Tab) -> None:
    failing = tab.js("document.getElementById('failing').nextElementSibling.innerText")
    assert "Pacific Monitor: failed 1 time in a row" in failing and "HTTP 500" in failing
    failures = tab.js("[...document.querySelectorAll('#coverage table')].pop().innerText")
    assert "HTTP 404 Not Found" in failures


def test_the_page_reads_right_on_a_laptop_and_a_phone(tab: Tab, tmp_path: Path) -> None:
    tab.open(tab.js("location.href"), 1100, 900)
    top = ocr(tab.screenshot(tmp_path / "laptop.png"))
    squeezed = top.replace(" ", "")  # OCR may drop a space between words ("Claimtimelines")
    for expected in ("pactwatch: the story page", "What is new", "Claim timelines",
                     "flagged because", "Sources"):
        assert expected.replace(" ", "") in squeezed, (expected, top)
    chart = tab.js("(() => { const r = document.querySelector('#framing img')"
                   ".getBoundingClientRect(); return {x: r.x, y: r.y + scrollY, "
                   "width: r.width, height: r.height}; })()")
    words = ocr(tab.screenshot(tmp_path / "chart.png", chart))
    for expected in ("Frames by outlet by week", "Eurasia Wire", "mean share"):
        assert expected in words, (expected, words)
    tab.open(tab.js("location.href"), 390, 844, mobile=True)
    # the page is no wider than the phone; a chart keeps legible text (at least 600 px
    # wide) and scrolls sideways inside its own frame
    assert tab.js("document.documentElement.scrollWidth") <= 390
    frames = tab.js("[...document.querySelectorAll('figure.chart')].map(f => ["
                    "f.getBoundingClientRect().right, f.scrollWidth > f.clientWidth, "
                    "f.querySelector('img').getBoundingClientRect().width])")
    assert len(frames) == 4
    assert all(r <= 390 and scrolls and w >= 600 for r, scrolls, w in frames), frames
    phone = ocr(tab.screenshot(tmp_path / "phone.png"))
    assert "What is new" in phone and "Coverage" in phone, phone
    assert tab.errors == []
