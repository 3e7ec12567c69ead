"""The story page's builder on a small real DuckDB file (tests/flows/report_fixture.py)."""

from __future__ import annotations

import re
import subprocess
import sys
from datetime import date, datetime
from html.parser import HTMLParser
from pathlib import Path
from xml.etree import ElementTree

import duckdb
import pytest

from flows.config import ConfigError, load_settings
from flows.digest.flow import build_digest
from flows.digest.render import render_html, render_text
from flows.report import anchors
from flows.report.build import build_report
from tests.conftest import write_config
from tests.flows.report_fixture import HOSTILE, T0, small_warehouse
from warehouse.db import WarehouseError

NOW = datetime(2024, 11, 10, 12, 0)


class Page(HTMLParser):
    """The parts of a page a test looks at: ids, links, images, text per element id."""

    def __init__(self, html: str) -> None:
        super().__init__()
        self.ids: set[str] = set()
        self.hrefs: list[str] = []
        self.images: list[str] = []
        self.scripts = 0
        self.text: list[str] = []  # the text of the section being read
        self.sections: dict[str, list[str]] = {}
        self.feed(html)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if a.get("id"):
            self.ids.add(str(a["id"]))
        if tag == "a" and a.get("href"):
            self.hrefs.append(str(a["href"]))
        if tag == "img":
            self.images.append(str(a["src"]))
        self.scripts += tag == "script"
        if tag == "section":
            self.text = self.sections.setdefault(str(a["id"]), [])

    def handle_data(self, data: str) -> None:
        self.text.append(data)

    def section(self, name: str) -> str:
        return " ".join("".join(self.sections[name]).split())

    @property
    def words(self) -> str:
        return " ".join("".join(t for part in self.sections.values() for t in part).split())


@pytest.fixture
def snapshot(tmp_path: Path) -> duckdb.DuckDBPyConnection:
    path = small_warehouse(tmp_path / "small.duckdb")
    con = duckdb.connect(str(path), read_only=True)
    yield con
    con.close()


def build(con: duckdb.DuckDBPyConnection, out: Path, since: date | None = None) -> Page:
    built = build_report(con, out, since, now=NOW)
    assert built.index == out / "index.html"
    return Page(built.index.read_text(encoding="utf-8"))


def test_page_has_every_section_and_the_claims_timeline(snapshot, tmp_path: Path) -> None:
    page = build(snapshot, tmp_path / "page")
    assert {"new", "timelines", "framing", "coverage", "rising", "failing"} <= page.ids
    # the timeline: first appearance, then each outlet in date order, the change's values
    timeline = page.section("timelines")
    assert "1 assertions that were repeated or changed" in timeline
    order = [timeline.index(o) for o in ("Harbour Times", "Steppe Review", "Baltic Courier")]
    assert order == sorted(order)
    assert "first appearance" in timeline and "quantity: 1,500 troop → 3,000 troop" in timeline
    assert "3 appearances in 3 outlets; 1 change" in timeline
    assert anchors.claim("va1:0") in page.ids
    assert {"https://a1.example/story", "https://a2.example/story",
            "https://a3.example/story"} <= set(page.hrefs)
    # what is new: everything so far (no digest yet), each with why it is flagged
    new = page.section("new")
    assert "no digest mailed yet" in new and "flagged because quantity changed" in new
    assert "1 new and 1 changed assertions" in new


def test_values_from_articles_are_text_never_markup(snapshot, tmp_path: Path) -> None:
    page = build(snapshot, tmp_path / "page")
    html = (tmp_path / "page" / "index.html").read_text(encoding="utf-8")
    assert HOSTILE in page.words  # shown as written
    assert page.scripts == 0 and "<script>alert" not in html
    assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt; &amp; friends" in html


def test_every_link_inside_the_page_resolves_and_nothing_is_fetched(snapshot,
                                                                      tmp_path: Path) -> None:
    out = tmp_path / "page"
    page = build(snapshot, out)
    internal = [h[1:] for h in page.hrefs if h.startswith("#")]
    assert internal and set(internal) <= page.ids
    assert all(h.startswith(("#", "https://", "assets/charts/")) for h in page.hrefs)
    html = (out / "index.html").read_text(encoding="utf-8")
    # the only resources the page loads are its own files beside it
    loaded = re.findall(r'(?:src|href)="([^"#][^"]*)"', html)
    local = [u for u in loaded if not u.startswith("https://")]
    assert local and all((out / u).is_file() for u in local), local
    assert not re.search(r'<(?:script|link|img)[^>]+(?:src|href)="(?:https?:)?//', html)


def test_charts_are_svg_with_titles_axes_and_units(snapshot, tmp_path: Path) -> None:
    out = tmp_path / "page"
    page = build(snapshot, out)
    assert sorted(page.images) == ["assets/charts/coverage.svg",
                                   "assets/charts/frames-by-outlet.svg",
                                   "assets/charts/rising.svg",
                                   "assets/charts/tone-by-outlet.svg"]
    expected = {"coverage.svg": ("Articles on the story per outlet per day", "articles per day",
                                 "day of publication"),
                "frames-by-outlet.svg": ("Frames by outlet by week", "mean share (0–1)",
                                         "week of publication (Monday)", "Baltic Courier"),
                "tone-by-outlet.svg": ("Tone toward the pact", "mean tone (−1 negative",
                                       "Steppe Review"),
                "rising.svg": ("Entities rising this week", "mentions per week", "Kursk")}
    for name, labels in expected.items():
        svg = (out / "assets" / "charts" / name).read_text(encoding="utf-8")
        root = ElementTree.fromstring(svg)
        assert root.tag.endswith("svg") and float(root.attrib["width"].rstrip("pt")) > 300
        # text is drawn as paths; matplotlib keeps each string as a comment beside it
        comments = " ".join(re.findall(r"<!-- (.*?) -->", svg))
        for label in labels:
            assert label in comments, (name, label)


def test_since_leaves_out_earlier_timelines_and_days(snapshot, tmp_path: Path) -> None:
    page = build(snapshot, tmp_path / "later", since=date(2024, 11, 30))
    assert "No claim has been repeated or changed yet." in page.words
    assert "coverage.svg" not in " ".join(page.images)
    assert "No articles on the story yet." in page.words
    # What is new still shows the digest window; its links point only at what is there
    assert "flagged because quantity changed" in page.section("new")
    assert {h[1:] for h in page.hrefs if h.startswith("#")} <= page.ids


def test_what_is_new_shows_the_latest_digest_window(tmp_path: Path) -> None:
    path = small_warehouse(tmp_path / "small.duckdb")
    con = duckdb.connect(str(path))
    # a digest covered the first two days: the page shows that window, not what came later
    con.execute("INSERT INTO digests VALUES ('d1', ?, NULL, ?, 's', 't', 'h', ['a@x.example'], 1)",
                [T0, T0.replace(day=T0.day + 3)])
    con.close()
    con = duckdb.connect(str(path), read_only=True)
    page = build(con, tmp_path / "page")
    new = page.section("new")
    assert "the window of the latest digest" in new and "1 new and 0 changed" in new
    assert "North Korea has sent 1,500 troops" in new and "3,000" not in new


def test_failing_feeds_and_what_failed(snapshot, tmp_path: Path) -> None:
    coverage = build(snapshot, tmp_path / "page").section("coverage")
    assert "Broken Feed: failed 1 time in a row" in coverage and "HTTP 404 Not Found" in coverage
    assert "https://gone.example/a" in coverage and "HTTP 410 Gone" in coverage


def test_framing_changes_come_with_their_evidence(snapshot, tmp_path: Path) -> None:
    page = build(snapshot, tmp_path / "page")
    assert anchors.outlet_framing("Baltic Courier") in page.ids
    framing = page.section("framing")
    assert "Security and defense 0.30→0.90" in framing
    assert "Security and defense: North Korea has now sent 3,000 troops to Russia." in framing


def test_digest_links_land_on_the_page(snapshot, tmp_path: Path) -> None:
    out = tmp_path / "page"
    page = build(snapshot, out)
    base = out.as_uri()
    d = build_digest(snapshot, until=NOW)
    html = render_html(d, base)
    links = re.findall(r'href="' + re.escape(base) + r'/index.html#([^"]+)"', html)
    # each item (the digest groups the two flagged assertions into one event, led by the
    # changed one), the framing change's outlet and the failing feeds: all on the page
    assert links == [anchors.claim("va1:0"), anchors.outlet_framing("Baltic Courier"),
                     anchors.FAILING]
    assert set(links) <= page.ids
    assert f"On the story page: {base}/index.html#{anchors.claim('va1:0')}" in render_text(
        d, base)
    assert "story page" not in render_html(d) + render_text(d)  # not configured: no links


def test_a_snapshot_without_the_views_is_a_clear_error(tmp_path: Path) -> None:
    old = tmp_path / "old.duckdb"
    duckdb.connect(str(old)).close()
    with pytest.raises(WarehouseError, match=r"lacks a view the story page needs.*pactwatch run"):
        build_report(duckdb.connect(str(old), read_only=True), tmp_path / "page")
    cli = subprocess.run([sys.executable, "-m", "deploy.cli", "report", "--db", str(old), "--out",
                          str(tmp_path / "page")], capture_output=True, text=True, timeout=120)
    assert cli.returncode == 3 and "lacks a view the story page needs" in cli.stderr
    assert "Traceback" not in cli.stderr


def test_report_base_url_is_checked(tmp_path: Path) -> None:
    feeds = [("F", "https://f.example/rss")]
    good = write_config(tmp_path / "ok.toml", feeds, '[report]\nbase_url = "https://x.example/p/"\n')
    assert load_settings(good).report_base_url == "https://x.example/p/"
    assert load_settings(write_config(tmp_path / "none.toml", feeds)).report_base_url == ""
    bad = write_config(tmp_path / "bad.toml", feeds, '[report]\nbase_url = "javascript:x"\n')
    with pytest.raises(ConfigError, match=r"\[report\]\.base_url must be an http\(s\) or file"):
        load_settings(bad)
