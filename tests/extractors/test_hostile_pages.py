"""Hostile pages and the network guard, end to end on loopback with the switch off."""

from __future__ import annotations

import socket

import pytest

from deploy.demo.server import DevServer
from extractors.articles import check_page, extract_article
from extractors.errors import BlockedAddressError, TerminalError
from extractors.http import FetchPolicy, fetch
from tests.extractors.test_http import POLICY, reply

GUARDED = FetchPolicy(timeout=2, deadline=3)  # allow_private off, as in production


def test_binary_content_is_refused(server: DevServer) -> None:
    server.routes["/img"] = reply(200, b"\x89PNG\r\n\x1a\n" + bytes(2000),
                                  Content_Type="image/png")
    server.routes["/fake"] = reply(200, b"<html>\x00\x01\x02" * 100, Content_Type="text/html")
    png = fetch(f"{server.base_url}/img", POLICY)
    with pytest.raises(TerminalError, match="not an HTML page: Content-Type image/png"):
        check_page(png.body, png.content_type)
    fake = fetch(f"{server.base_url}/fake", POLICY)
    with pytest.raises(TerminalError, match="binary content"):
        check_page(fake.body, fake.content_type)


def test_invalid_utf8_is_read_and_noted() -> None:
    body = ("<html><body><article><p>" + "Russia and North Korea signed a treaty. " * 8
            + "</p></article></body></html>").encode() .replace(b"treaty", b"tr\xffaty", 1)
    article = extract_article(body, "https://x.example/a", "text/html; charset=utf-8")
    assert "Russia and North Korea" in article.text
    assert article.note and "not valid in declared charset utf-8" in article.note


def test_redirect_to_another_scheme_is_refused(server: DevServer) -> None:
    server.routes["/to-file"] = reply(302, Location="file:///etc/passwd")
    server.routes["/to-ftp"] = reply(301, Location="ftp://x.example/feed")
    with pytest.raises(TerminalError, match="refused scheme 'file'"):
        fetch(f"{server.base_url}/to-file", POLICY)
    with pytest.raises(TerminalError, match="refused scheme 'ftp'"):
        fetch(f"{server.base_url}/to-ftp", POLICY)


def _ipv6_loopback() -> bool:
    try:
        with socket.socket(socket.AF_INET6) as s:
            s.bind(("::1", 0))
        return True
    except OSError:
        return False


@pytest.mark.parametrize("host", ["127.0.0.1", "127.1", "2130706433", "localhost", "0x7f000001",
                                  "[::1]", "[::ffff:127.0.0.1]"])
def test_loopback_spellings_are_refused_without_the_switch(server: DevServer, host: str) -> None:
    if host.startswith("[::1") and not _ipv6_loopback():
        pytest.skip("no IPv6 loopback here")
    port = server.server_address[1]
    with pytest.raises((BlockedAddressError, TerminalError)):
        fetch(f"http://{host}:{port}/feed.xml", GUARDED)
    assert server.requests == []


def test_a_redirect_hop_to_a_private_target_is_refused(server: DevServer, tmp_path) -> None:
    """The first host is allow-listed (an intranet feed); its redirect to another loopback
    port is not, and is refused before any byte is sent there."""
    with DevServer(tmp_path / "other") as other:
        (tmp_path / "other").mkdir(exist_ok=True)
        (other.root / "secret.xml").write_text("<rss/>")
        server.routes["/feed.xml"] = reply(302, Location=f"{other.base_url}/secret.xml")
        first = f"127.0.0.1:{server.server_address[1]}"
        policy = FetchPolicy(timeout=2, allowed_private_hosts=(first,))
        with pytest.raises(BlockedAddressError, match=r"127\.0\.0\.1 is loopback"):
            fetch(f"http://{first}/feed.xml", policy)
        assert server.requests == ["GET /feed.xml"] and other.requests == []
