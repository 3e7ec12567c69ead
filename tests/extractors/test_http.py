"""The HTTP client against a real loopback server: status codes, limits, redirects, gzip."""

from __future__ import annotations

import gzip
import socket
import time
from http.server import BaseHTTPRequestHandler

import pytest

from deploy.demo.server import DevServer
from extractors.articles import extract_article
from extractors.errors import BlockedAddressError, TerminalError, TransientError
from extractors.http import FetchPolicy, fetch, fetch_with_retries, parse_retry_after

POLICY = FetchPolicy(allow_private=True, timeout=1.0, deadline=2.0, retries=2, backoff=0.01)


def reply(status: int, body: bytes = b"", **headers: str):
    def route(h: BaseHTTPRequestHandler) -> None:
        h.send_response(status)
        for k, v in headers.items():
            h.send_header(k.replace("_", "-"), v)
        h.send_header("Content-Length", str(len(body)))
        h.end_headers()
        h.wfile.write(body)
    return route


def test_200_gzip_then_304_with_etag(server: DevServer) -> None:
    (server.root / "feed.xml").write_bytes(b"<rss>" + b"x" * 5000 + b"</rss>")
    first = fetch(f"{server.base_url}/feed.xml", POLICY)
    assert first.status == 200 and first.body.startswith(b"<rss>") and len(first.body) == 5011
    assert first.headers["content-encoding"] == "gzip"  # decoded for us
    again = fetch(f"{server.base_url}/feed.xml", POLICY, etag=first.etag)
    assert again.status == 304 and again.body == b""


def test_404_is_terminal_and_not_retried(server: DevServer) -> None:
    with pytest.raises(TerminalError, match="HTTP 404"):
        fetch_with_retries(f"{server.base_url}/missing", POLICY)
    assert server.requests == ["GET /missing"]


def test_500_is_transient_and_retried(server: DevServer) -> None:
    server.routes["/boom"] = reply(500, b"oops")
    with pytest.raises(TransientError, match="HTTP 500"):
        fetch_with_retries(f"{server.base_url}/boom", POLICY)
    assert server.requests == ["GET /boom"] * 3


def test_429_retry_after_is_honoured(server: DevServer) -> None:
    calls = []

    def limited(h: BaseHTTPRequestHandler) -> None:
        calls.append(1)
        (reply(429, Retry_After="1") if len(calls) == 1 else reply(200, b"ok"))(h)

    server.routes["/limited"] = limited
    waits: list[float] = []
    response = fetch_with_retries(f"{server.base_url}/limited", POLICY, sleep=waits.append)
    assert response.body == b"ok" and waits == [1.0]


def test_retry_after_longer_than_allowed_gives_up(server: DevServer) -> None:
    server.routes["/later"] = reply(503, Retry_After="3600")
    with pytest.raises(TransientError, match="too long"):
        fetch_with_retries(f"{server.base_url}/later", POLICY, sleep=lambda s: None)


def test_parse_retry_after_http_date() -> None:
    assert parse_retry_after("Wed, 21 Oct 2015 07:28:10 GMT", now=1445412480.0) == 10.0
    assert parse_retry_after("soon") is None


def test_slow_response_times_out(server: DevServer) -> None:
    def slow(h: BaseHTTPRequestHandler) -> None:
        time.sleep(2.5)
        reply(200, b"late")(h)

    server.routes["/slow"] = slow
    started = time.monotonic()
    with pytest.raises(TransientError, match="timed out"):
        fetch(f"{server.base_url}/slow", POLICY)
    assert time.monotonic() - started < 2.0


def test_slow_drip_hits_the_deadline(server: DevServer) -> None:
    def drip(h: BaseHTTPRequestHandler) -> None:
        h.send_response(200)
        h.send_header("Content-Length", "1000")
        h.end_headers()
        for _ in range(100):
            h.wfile.write(b"x")
            h.wfile.flush()
            time.sleep(0.1)

    server.routes["/drip"] = drip
    with pytest.raises(TransientError, match="deadline"):
        fetch(f"{server.base_url}/drip", POLICY)


def test_redirect_chain_is_followed(server: DevServer) -> None:
    server.routes["/a"] = reply(301, Location="/b")
    server.routes["/b"] = reply(302, Location=f"{server.base_url}/c")
    server.routes["/c"] = reply(200, b"final")
    response = fetch(f"{server.base_url}/a", POLICY)
    assert response.body == b"final" and response.final_url == f"{server.base_url}/c"


def test_endless_redirects_stop(server: DevServer) -> None:
    server.routes["/loop"] = reply(302, Location="/loop")
    with pytest.raises(TerminalError, match="more than 5 redirects"):
        fetch(f"{server.base_url}/loop", POLICY)
    assert len(server.requests) == 6


def test_body_over_the_cap_is_refused(server: DevServer) -> None:
    server.routes["/big"] = reply(200, b"x" * 200_000)
    small = FetchPolicy(allow_private=True, max_bytes=100_000)
    with pytest.raises(TerminalError, match="exceeds cap"):
        fetch(f"{server.base_url}/big", small)


def test_gzip_bomb_is_capped(server: DevServer) -> None:
    bomb = gzip.compress(b"\0" * 5_000_000)
    server.routes["/bomb"] = reply(200, bomb, Content_Encoding="gzip")
    small = FetchPolicy(allow_private=True, max_bytes=1_000_000)
    with pytest.raises(TerminalError, match="decoded body larger"):
        fetch(f"{server.base_url}/bomb", small)


def test_non_utf8_page_is_decoded_from_its_charset(server: DevServer) -> None:
    text = "Pyongyang à Moscou : le traité de défense mutuelle entre la Russie et la Corée. " * 5
    page = f"<html><body><article><p>{text}</p></article></body></html>".encode("iso-8859-1")
    server.routes["/latin1"] = reply(200, page, Content_Type="text/html; charset=iso-8859-1")
    response = fetch(f"{server.base_url}/latin1", POLICY)
    article = extract_article(response.body, response.final_url, response.content_type)
    assert "Pyongyang à Moscou" in article.text and "défense" in article.text
    assert article.note is None


def test_loopback_is_refused_without_the_switch(server: DevServer) -> None:
    (server.root / "x.html").write_text("hello")
    with pytest.raises(BlockedAddressError, match=r"127\.0\.0\.1 is loopback"):
        fetch(f"{server.base_url}/x.html", FetchPolicy())
    assert server.requests == []


def test_other_schemes_are_refused() -> None:
    with pytest.raises(TerminalError, match="refused scheme 'file'"):
        fetch("file:///etc/passwd", POLICY)


def test_a_multi_member_gzip_body_is_decoded_whole(server: DevServer) -> None:
    # what `cat a.gz b.gz` and some streaming servers send: two gzip members back to back
    parts = [b"<html><body><p>first half of the article. </p>", b"<p>second half.</p></body>"
             b"</html>"]
    server.routes["/two"] = reply(200, b"".join(gzip.compress(p) for p in parts),
                                  Content_Encoding="gzip")
    assert fetch(f"{server.base_url}/two", POLICY).body == b"".join(parts)
    # the cap holds across members: 20 members of 100 kB each is 2 MB decoded
    many = b"".join(gzip.compress(b"\0" * 100_000) for _ in range(20))
    server.routes["/many"] = reply(200, many, Content_Encoding="gzip")
    small = FetchPolicy(allow_private=True, max_bytes=1_000_000)
    with pytest.raises(TerminalError, match="decoded body larger"):
        fetch(f"{server.base_url}/many", small)


def test_the_deadline_covers_headers_that_drip(server: DevServer) -> None:
    def drip_headers(h: BaseHTTPRequestHandler) -> None:
        h.wfile.write(b"HTTP/1.1 200 OK\r\nX-Slow: ")
        for _ in range(60):  # each byte well inside the 1 s read timeout; 12 s in all
            h.wfile.write(b"x")
            h.wfile.flush()
            time.sleep(0.2)
        h.wfile.write(b"\r\nContent-Length: 2\r\n\r\nok")

    server.routes["/drip-headers"] = drip_headers
    started = time.monotonic()
    with pytest.raises(TransientError, match="deadline"):
        fetch(f"{server.base_url}/drip-headers", POLICY)
    assert time.monotonic() - started < POLICY.deadline + 0.5


def test_the_deadline_covers_connecting() -> None:
    # a listener whose accept queue is full: the kernel drops further SYNs, connect() hangs
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen(0)
        port = listener.getsockname()[1]
        queued = []
        for _ in range(4):
            s = socket.socket()
            s.setblocking(False)
            s.connect_ex(("127.0.0.1", port))
            queued.append(s)
        time.sleep(0.1)
        policy = FetchPolicy(allow_private=True, timeout=3.0, deadline=0.5, retries=0)
        started = time.monotonic()
        try:
            with pytest.raises(TransientError):
                fetch(f"http://127.0.0.1:{port}/", policy)
            assert time.monotonic() - started < 1.5
        finally:
            for s in queued:
                s.close()
