"""`pactwatch feeds discover URL`: the feeds a page advertises, as config blocks."""

from __future__ import annotations

from urllib.parse import urlsplit

from extractors.discover import AdvertisedFeed, config_blocks, page_title_and_feeds
from extractors.feeds import NotAFeed, parse_feed
from extractors.http import FetchPolicy, fetch_with_retries


def discover(url: str, policy: FetchPolicy) -> str:
    """TOML `[[feeds]]` blocks for `url`: the feed itself when it is one, else every feed
    the page advertises (`<link rel="alternate" type="application/rss+xml|atom+xml">`).

    Raises PactwatchError when the URL cannot be fetched, NotAFeed when it is neither a
    feed nor a page that advertises one.
    """
    response = fetch_with_retries(url, policy)
    host = urlsplit(response.final_url).hostname or url
    try:
        feed = parse_feed(response.body, response.final_url, response.content_type)
    except NotAFeed as exc:
        if not exc.advertised:
            raise
        title, _feeds = page_title_and_feeds(response.body.decode("utf-8", "replace"),
                                             response.final_url)
        return config_blocks(exc.advertised, title, host)
    return config_blocks((AdvertisedFeed(url, feed.title, "feed"),), "", host)
