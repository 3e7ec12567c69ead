import pytest

from extractors.urls import canonical_url, url_id


@pytest.mark.parametrize(("raw", "expected"), [
    ("HTTP://Example.COM:80/a/b/", "http://example.com/a/b"),
    ("https://example.com:443/x?utm_source=rss&utm_medium=feed", "https://example.com/x"),
    ("https://example.com/x?b=2&a=1&fbclid=abc", "https://example.com/x?a=1&b=2"),
    ("https://example.com/x#comments", "https://example.com/x"),
    ("https://example.com", "https://example.com/"),
    ("https://example.com/p%7Eq/%41", "https://example.com/p~q/A"),
    ("http://127.0.0.1:8765/a.html?utm_source=x", "http://127.0.0.1:8765/a.html"),
    ("http://[::1]:8080/x", "http://[::1]:8080/x"),
    ("https://example.com/search?q=kim+jong+un", "https://example.com/search?q=kim+jong+un"),
])
def test_canonical_url(raw: str, expected: str) -> None:
    assert canonical_url(raw) == expected


def test_same_article_two_spellings_has_one_id() -> None:
    a = canonical_url("https://News.example/world/pact/?utm_campaign=x&ref=home")
    b = canonical_url("https://news.example/world/pact")
    assert url_id(a) == url_id(b)


@pytest.mark.parametrize("bad", ["ftp://example.com/x", "mailto:a@b", "/relative", "http://"])
def test_rejects_non_http(bad: str) -> None:
    with pytest.raises(ValueError, match="not an http"):
        canonical_url(bad)
