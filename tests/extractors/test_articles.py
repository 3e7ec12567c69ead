"""What a page (or its absence) yields as an article: never nothing when the feed spoke."""

from __future__ import annotations

import pytest

from extractors.articles import (
    METHOD,
    FeedText,
    declared_canonical,
    extract_article,
    from_feed,
    html_to_text,
)
from extractors.errors import TerminalError

BRIEF = ("Russian President Vladimir Putin arrived in Pyongyang on Tuesday. "
         "He will sign a treaty with Kim Jong Un.")
LONG = ("The pact commits Russia and North Korea to aid each other if attacked. " * 6).strip()
FEED = FeedText("Putin in Pyongyang", "<p>Putin &amp; Kim meet.</p>",
                f"<p>{LONG}</p><p>Second paragraph &eacute;t&eacute;.</p>")


def page(body: str, head: str = "") -> bytes:
    return (f"<html lang='en'><head><title>T</title>{head}</head><body><article><h1>Putin "
            f"in Pyongyang</h1>{body}</article></body></html>").encode()


def test_a_two_sentence_brief_is_an_article() -> None:
    art = extract_article(page(f"<p>{BRIEF}</p>"), "https://x.example/b", "text/html",
                          FeedText("Putin in Pyongyang", BRIEF))
    assert BRIEF in art.text and art.method == METHOD and art.page_problem is None


def test_a_short_page_beside_a_full_feed_content_takes_the_feed() -> None:
    art = extract_article(page("<p>Read more in our app.</p>"), "https://x.example/c",
                          "text/html", FEED)
    assert art.page_problem == "too-little-text" and art.method.startswith("feed-content")
    assert LONG in art.text and "Second paragraph été." in art.text
    assert "Read more in our app." in art.text  # plus any text extracted


@pytest.mark.parametrize(("head", "body", "problem"), [
    ("<title>Just a moment...</title><script src='/cdn-cgi/challenge-platform/h/b/orch.js'>"
     "</script>", "<p>Checking your browser before accessing the site.</p>", "bot-challenge"),
    ("", "<form><input name=u><input type='password' name=p></form><p>Sign in.</p>", "login"),
    ("", "<p>Putin arrived.</p><div>Subscribe to continue reading.</div>", "paywall"),
])
def test_obstacle_pages_give_the_feed_text(head: str, body: str, problem: str) -> None:
    art = extract_article(page(body, head), "https://x.example/o", "text/html", FEED)
    assert art.page_problem == problem and LONG in art.text
    assert art.title == "Putin in Pyongyang" and "Checking your browser" not in art.text
    assert art.note and "stored from the feed's content:encoded" in art.note


def test_paywall_keeps_its_teaser_and_adds_the_feed_text() -> None:
    ld = ('<script type="application/ld+json">{"@type": "NewsArticle", '
          '"isAccessibleForFree": false}</script>')
    teaser = "<p>" + "Kim Jong Un welcomed Putin at the airport in the early hours. " * 4 + "</p>"
    art = extract_article(page(teaser, ld), "https://x.example/p", "text/html", FEED)
    assert art.page_problem == "paywall" and "welcomed Putin" in art.text and LONG in art.text


def test_an_article_mentioning_a_captcha_is_no_challenge() -> None:
    text = "<p>" + "Researchers said the captcha-delivery.com service was slow. " * 30 + "</p>"
    art = extract_article(page(text), "https://x.example/a", "text/html", FEED)
    assert art.page_problem is None and art.method == METHOD


def test_from_feed_uses_content_then_summary_then_title() -> None:
    assert from_feed(FEED, "refused", "HTTP 403").method == "feed-content"
    summary = from_feed(FeedText("T", "<b>Putin &amp; Kim</b> meet"), "refused", "HTTP 403")
    assert (summary.method, summary.text) == ("feed-summary", "Putin & Kim meet")
    title = from_feed(FeedText("Putin lands"), "refused", "HTTP 403")
    assert (title.method, title.text, title.page_problem) == ("feed-title", "Putin lands",
                                                              "refused")
    assert title.note == "HTTP 403; stored from the feed's title"
    with pytest.raises(TerminalError, match="no article text: HTTP 403"):
        from_feed(FeedText(), "refused", "HTTP 403")


def test_html_to_text_keeps_blocks_apart_and_decodes_entities() -> None:
    assert html_to_text("<p>One &amp; two</p><p>Three<br>four</p><script>x</script>") == \
        "One & two\nThree\nfour"
    assert html_to_text("plain   text") == "plain text"


def test_declared_canonical_is_absolute() -> None:
    html = "<html><head><link href='/a/b?id=1' rel='canonical'></head><body></body></html>"
    assert declared_canonical(html, "https://x.example/a/b?id=1&ref=rss") == \
        "https://x.example/a/b?id=1"
    assert declared_canonical("<html><head></head></html>", "https://x.example/") is None
