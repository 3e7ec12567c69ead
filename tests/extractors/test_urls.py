import pytest

from extractors.urls import agreed_canonical, canonical_url, url_id


@pytest.mark.parametrize(("raw", "expected"), [
    ("HTTP://Example.COM:80/a/b/", "http://example.com/a/b"),
    ("https://example.com:443/x?utm_source=rss&utm_medium=feed", "https://example.com/x"),
    ("https://example.com/x?b=2&a=1&fbclid=abc", "https://example.com/x?a=1&b=2"),
    ("https://example.com/x#comments", "https://example.com/x"),
    ("https://example.com", "https://example.com/"),
    ("https://example.com/p%7eq/%41", "https://example.com/p~q/A"),
    ("http://127.0.0.1:8765/a.html?utm_source=x", "http://127.0.0.1:8765/a.html"),
    ("http://[::1]:8080/x", "http://[::1]:8080/x"),
    ("https://example.com/search?q=kim+jong+un", "https://example.com/search?q=kim+jong+un"),
])
def test_canonical_url(raw: str, expected: str) -> None:
    assert canonical_url(raw) == expected


# Link shapes as real outlets put them in their feeds (2023-2024 captures).
@pytest.mark.parametrize(("raw", "expected"), [
    # BBC: AT Internet campaign markers are tracking
    ("https://www.bbc.com/news/articles/c0kkl1x8n81o?at_medium=RSS&at_campaign=rss",
     "https://www.bbc.com/news/articles/c0kkl1x8n81o"),
    # Yonhap: the section parameter is kept (unknown, so never dropped)
    ("https://en.yna.co.kr/view/AEN20240619006351315?section=nk/nk",
     "https://en.yna.co.kr/view/AEN20240619006351315?section=nk%2Fnk"),
    # Joomla: every parameter selects the article
    ("https://news.example/index.php?option=com_content&view=article&id=123:pact&catid=9",
     "https://news.example/index.php?catid=9&id=123%3Apact&option=com_content&view=article"),
    # WordPress short links and ASP.NET ids
    ("https://blog.example/?p=4821&utm_source=rss", "https://blog.example/?p=4821"),
    ("https://www.example.kr/news/view.aspx?NewsID=12345&fbclid=x",
     "https://www.example.kr/news/view.aspx?NewsID=12345"),
    # NYT-style feed markers are not known tracking: kept until the page's canonical agrees
    ("https://www.nytimes.com/2024/06/19/world/asia/putin-kim.html?partner=rss&emc=rss",
     "https://www.nytimes.com/2024/06/19/world/asia/putin-kim.html?emc=rss&partner=rss"),
    # a hash-bang route selects content
    ("https://spa.example/#!/article/77", "https://spa.example/#!/article/77"),
    # %2F inside a segment is not a path separator
    ("https://example.com/tag/a%2fb/c", "https://example.com/tag/a%2Fb/c"),
])
def test_real_url_shapes(raw: str, expected: str) -> None:
    assert canonical_url(raw) == expected


@pytest.mark.parametrize("param", ["cid", "id", "p", "article", "src", "ref", "share",
                                   "feature", "rss", "source", "gallery", "page"])
def test_content_parameters_never_merge_two_articles(param: str) -> None:
    a = canonical_url(f"https://example.ru/article.php?{param}=101")
    b = canonical_url(f"https://example.ru/article.php?{param}=202")
    assert a != b and url_id(a) != url_id(b)


def test_encoded_slash_is_not_decoded() -> None:
    assert canonical_url("https://x.example/a%2Fb") != canonical_url("https://x.example/a/b")


def test_same_article_two_spellings_has_one_id() -> None:
    a = canonical_url("https://News.example/world/pact/?utm_campaign=x&fbclid=home")
    b = canonical_url("https://news.example/world/pact")
    assert url_id(a) == url_id(b)


@pytest.mark.parametrize("bad", ["ftp://example.com/x", "mailto:a@b", "/relative", "http://"])
def test_rejects_non_http(bad: str) -> None:
    with pytest.raises(ValueError, match="not an http"):
        canonical_url(bad)


LINK = canonical_url("https://www.nytimes.com/2024/06/19/world/putin-kim.html?partner=rss&emc=rss")


@pytest.mark.parametrize(("declared", "expected"), [
    # the page drops the feed markers: agreed, identity without them
    ("https://www.nytimes.com/2024/06/19/world/putin-kim.html",
     "https://www.nytimes.com/2024/06/19/world/putin-kim.html"),
    ("http://nytimes.com/2024/06/19/world/putin-kim.html/",
     "http://nytimes.com/2024/06/19/world/putin-kim.html"),
    ("https://www.nytimes.com/", None),                      # the home page
    ("https://wire.example/2024/06/19/world/putin-kim.html", None),  # syndication partner
    ("https://www.nytimes.com/2024/06/19/world/other.html", None),   # another article
    ("https://www.nytimes.com/2024/06/19/world/putin-kim.html?partner=rss&emc=rss&x=1", None),
    ("not a url", None),
    (None, None),
])
def test_page_canonical_used_only_when_it_agrees(declared: str | None,
                                                 expected: str | None) -> None:
    assert agreed_canonical(LINK, declared) == expected


def test_page_canonical_cannot_drop_a_content_parameter() -> None:
    link = canonical_url("https://example.ru/article.php?cid=101")
    assert agreed_canonical(link, "https://example.ru/article.php") is None
