"""Hostile text in the mailed digest: markup, quotes and ampersands from an article arrive as
text a reader sees, never as markup, through the real flow and a real SMTP server."""

from __future__ import annotations

from html.parser import HTMLParser
from pathlib import Path

import pytest

from flows.digest.flow import digest
from tests.conftest import Inbox
from tests.flows.digest.test_digest import email_config
from tests.flows.digest.test_digest_rank import Article, Claim, config, load

pytestmark = [pytest.mark.e2e, pytest.mark.usefixtures("prefect_harness")]

OUTLET = 'Wire "&" Co'
SENTENCE = ("Kremlin <script>alert(\"x\")</script> & 'friends' said North Korea sent 3,000 "
            "troops to Russia.")
CHANGED = "Officials now say <img src=x onerror=alert(1)> 5,000 troops & \"more\" went."
TAGS = {"html", "head", "meta", "title", "body", "h1", "h2", "p", "table", "tr", "td", "span",
        "a", "b", "s", "ul", "li", "pre"}


class Page(HTMLParser):
    """What a mail client makes of the HTML: its elements, its text and its links."""

    def __init__(self, html: str) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: set[str] = set()
        self.hrefs: list[str] = []
        self.text: list[str] = []
        self.feed(html)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.add(tag)
        self.hrefs += [v or "" for k, v in attrs if k == "href"]

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def test_hostile_claim_text_arrives_escaped_in_the_mailed_html(
        tmp_path: Path, inbox: tuple[Inbox, int]) -> None:
    box, port = inbox
    path = config(tmp_path, [(OUTLET, 1)], email_config(port))
    load(tmp_path / "wh" / "pactwatch.duckdb", [Article("a1", OUTLET), Article("a2", OUTLET)],
         [Claim("h1", "a1", SENTENCE),
          Claim("h2", "a2", CHANGED, status="changed", matched="h1",
                changes=(("quantity", "<b>3,000</b> & 'some'", '"5,000"'),))])
    summary = digest(str(path))
    assert summary.sent and not summary.failed
    [msg] = box.messages
    html = msg.get_body(("html",)).get_content()
    # no markup from the article survives as markup...
    assert "<script" not in html and "<img" not in html and "<b>3,000" not in html
    assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt; &amp; &#39;friends&#39;" in html
    assert "&lt;img src=x onerror=alert(1)&gt;" in html and "&amp; &#34;more&#34;" in html
    # ...and a reader sees every character of it, as written
    page = Page(html)
    text = "".join(page.text)
    assert page.tags <= TAGS, page.tags - TAGS
    for written in (SENTENCE, CHANGED, "<b>3,000</b> & 'some'", '"5,000"', OUTLET):
        assert written in text, written
    # the outlet's link still leads to its article, the quotes in the address kept
    assert 'https://wire-"&"-co.example/a1' in page.hrefs
