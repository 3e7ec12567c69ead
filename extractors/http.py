"""A small HTTP client for third-party URLs: guarded addresses, timeouts, size cap, redirects.

Built on http.client so that every limit is ours: the socket connects to the address the
network guard checked, each read has a timeout and the whole response a deadline, the body
(and its gzip expansion) is capped, and redirects are followed by hand, each hop re-checked.
"""

from __future__ import annotations

import contextlib
import email.utils
import hashlib
import http.client
import random
import socket
import ssl
import threading
import time
import zlib
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from urllib.parse import urljoin, urlsplit

from extractors import netguard
from extractors.errors import PactwatchError, TerminalError, TransientError
from extractors.politeness import HostClosed, HostLimiter

REDIRECTS = {301, 302, 303, 307, 308}
CHUNK = 65536


@dataclass(frozen=True)
class FetchPolicy:
    """Limits for one request. `timeout` is per socket operation, `deadline` per response."""

    timeout: float = 10.0
    deadline: float = 30.0
    max_bytes: int = 5_000_000
    max_redirects: int = 5
    allow_private: bool = False
    allowed_private_hosts: tuple[str, ...] = ()
    retries: int = 2
    backoff: float = 0.5
    max_retry_after: float = 60.0
    user_agent: str = "pactwatch/0.1 (news monitor)"


@dataclass(frozen=True)
class Response:
    """A 2xx or 304 answer. `body` is decoded from any Content-Encoding."""

    url: str
    final_url: str
    status: int
    body: bytes
    elapsed: float
    headers: dict[str, str] = field(default_factory=dict)
    size: int | None = None          # set by without_body: len(body) before it was dropped
    digest: str | None = None        # set by without_body: body_hash before it was dropped

    @property
    def byte_count(self) -> int:
        return len(self.body) if self.size is None else self.size

    @property
    def body_hash(self) -> str | None:
        """First 16 hex digits of the body's SHA-256; None for an empty body."""
        if self.digest is not None or not self.body:
            return self.digest
        return hashlib.sha256(self.body).hexdigest()[:16]

    def without_body(self) -> Response:
        """This response less its body (its size and hash kept), to hold many cheaply."""
        return replace(self, body=b"", size=self.byte_count, digest=self.body_hash)

    @property
    def etag(self) -> str | None:
        return self.headers.get("etag")

    @property
    def last_modified(self) -> str | None:
        return self.headers.get("last-modified")

    @property
    def content_type(self) -> str:
        return self.headers.get("content-type", "")


class _PinnedHTTP(http.client.HTTPConnection):
    def __init__(self, host: str, port: int, ip: str, timeout: float) -> None:
        super().__init__(host, port, timeout=timeout)
        self._ip = ip

    def connect(self) -> None:
        self.sock = socket.create_connection((self._ip, self.port), self.timeout)


class _PinnedHTTPS(http.client.HTTPSConnection):
    """TLS to the checked address, with the certificate verified for the host name."""

    def __init__(self, host: str, port: int, ip: str, timeout: float) -> None:
        super().__init__(host, port, timeout=timeout)
        self._ip = ip
        self._ctx = ssl.create_default_context()

    def connect(self) -> None:
        sock = socket.create_connection((self._ip, self.port), self.timeout)
        self.sock = self._ctx.wrap_socket(sock, server_hostname=self.host)


def parse_retry_after(value: str | None, now: float | None = None) -> float | None:
    """Seconds to wait from a Retry-After header (delta-seconds or HTTP date), or None."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - (time.time() if now is None else now))


def _decode_body(raw: bytes, encoding: str, max_bytes: int) -> bytes:
    encoding = encoding.strip().lower()
    if encoding in ("", "identity"):
        return raw
    if encoding not in ("gzip", "x-gzip", "deflate"):
        raise TerminalError(f"unsupported Content-Encoding {encoding!r}")
    gz = "gzip" in encoding
    body = bytearray()
    data = raw
    # A gzip body may hold several members back to back (`cat a.gz b.gz`, streamed
    # output); each decoder stops at the end of one, so go on while another one starts.
    while data:
        decoder = zlib.decompressobj(47 if gz else 15)
        try:
            body += decoder.decompress(data, max_bytes + 1 - len(body))
        except zlib.error as exc:
            raise TerminalError(f"corrupt {encoding} body: {exc}") from exc
        if len(body) > max_bytes:
            raise TerminalError(f"decoded body larger than {max_bytes} bytes")
        data = decoder.unused_data
        if not (gz and decoder.eof and data.startswith(b"\x1f\x8b")):
            break  # trailing padding after the last member is ignored, as gzip(1) does
    return bytes(body)


def _read_capped(resp: http.client.HTTPResponse, policy: FetchPolicy, started: float) -> bytes:
    declared = resp.getheader("content-length")
    if declared and declared.isdigit() and int(declared) > policy.max_bytes:
        raise TerminalError(f"Content-Length {declared} exceeds cap of {policy.max_bytes} bytes")
    chunks: list[bytes] = []
    total = 0
    while chunk := resp.read1(CHUNK):
        total += len(chunk)
        if total > policy.max_bytes:
            raise TerminalError(f"body larger than cap of {policy.max_bytes} bytes")
        if time.monotonic() - started > policy.deadline:
            raise _past_deadline(policy)
        chunks.append(chunk)
    return b"".join(chunks)


def _status_error(status: int, reason: str, headers: dict[str, str]) -> PactwatchError:
    message = f"HTTP {status} {reason}".strip()
    error: PactwatchError
    if status in (429, 503):
        error = TransientError(message, parse_retry_after(headers.get("retry-after")))
    elif status >= 500 or status == 408:
        error = TransientError(message)
    else:
        error = TerminalError(message)
    error.status = status
    return error


def _request_once(url: str, policy: FetchPolicy, extra: dict[str, str],
                  resolver: netguard.Resolver) -> tuple[int, str, dict[str, str], bytes]:
    parts = urlsplit(url)
    if parts.scheme not in netguard.ALLOWED_SCHEMES:
        raise TerminalError(f"refused scheme {parts.scheme!r} in {url!r}")
    if not parts.hostname:
        raise TerminalError(f"no host in {url!r}")
    try:
        port = parts.port or (443 if parts.scheme == "https" else 80)
    except ValueError as exc:
        raise TerminalError(f"bad port in {url!r}") from exc
    ip = netguard.resolve(parts.hostname, port, policy.allow_private, resolver,
                          policy.allowed_private_hosts)
    cls = _PinnedHTTPS if parts.scheme == "https" else _PinnedHTTP
    # the deadline covers the whole response: connecting (its timeout is cut to it), the
    # headers and the body (a watchdog closes the socket when it passes)
    conn = cls(parts.hostname, port, ip, min(policy.timeout, policy.deadline))
    started = time.monotonic()
    expired = threading.Event()
    watchdog = threading.Timer(policy.deadline, _expire, (conn, expired))
    watchdog.daemon = True
    watchdog.start()
    try:
        path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
        headers = {"User-Agent": policy.user_agent, "Accept-Encoding": "gzip, deflate", **extra}
        conn.request("GET", path, headers=headers)
        resp = conn.getresponse()
        resp_headers = {k.lower(): v for k, v in resp.getheaders()}
        body = b"" if resp.status in REDIRECTS or resp.status == 304 else _read_capped(
            resp, policy, started)
        if expired.is_set():
            raise _past_deadline(policy)
        return resp.status, resp.reason, resp_headers, body
    except (OSError, http.client.HTTPException) as exc:
        raise _network_error(exc, policy, expired.is_set()) from exc
    finally:
        watchdog.cancel()
        conn.close()


def _expire(conn: http.client.HTTPConnection, expired: threading.Event) -> None:
    """Past the deadline: shut the socket down, which ends any read blocked on it."""
    expired.set()
    if conn.sock is not None:
        with contextlib.suppress(OSError):  # already closed: nothing left to interrupt
            # the plain socket's shutdown, also under TLS (SSLSocket's would unwrap first)
            socket.socket.shutdown(conn.sock, socket.SHUT_RDWR)


def _past_deadline(policy: FetchPolicy) -> TransientError:
    return TransientError(f"response not complete within {policy.deadline:g}s deadline")


def _network_error(exc: BaseException, policy: FetchPolicy, expired: bool) -> PactwatchError:
    """What a failed connection or read means: past the deadline, a timeout, a TLS error
    (terminal) or another network failure (transient)."""
    if expired:
        return _past_deadline(policy)
    if isinstance(exc, TimeoutError):
        return TransientError(f"timed out after {min(policy.timeout, policy.deadline):g}s")
    if isinstance(exc, ssl.SSLError):
        return TerminalError(f"TLS error: {exc}")
    return TransientError(f"connection failed: {exc.__class__.__name__}: {exc}")


def fetch(url: str, policy: FetchPolicy, etag: str | None = None,
          last_modified: str | None = None,
          resolver: netguard.Resolver = socket.getaddrinfo) -> Response:
    """GET `url` once, following redirects; conditional when etag/last_modified are given.

    Returns a Response with status 2xx or 304. Raises TransientError (timeouts, 429, 5xx,
    connection failures) or TerminalError (4xx, refused address or scheme, too large,
    too many redirects).
    """
    conditional = {}
    if etag:
        conditional["If-None-Match"] = etag
    if last_modified:
        conditional["If-Modified-Since"] = last_modified
    started = time.monotonic()
    current = url
    for _hop in range(policy.max_redirects + 1):
        status, reason, headers, body = _request_once(current, policy, conditional, resolver)
        if status in REDIRECTS:
            location = headers.get("location")
            if not location:
                raise TerminalError(f"HTTP {status} without Location at {current!r}")
            current = urljoin(current, location)
            continue
        if status == 304 or 200 <= status < 300:
            body = _decode_body(body, headers.get("content-encoding", ""), policy.max_bytes)
            return Response(url, current, status, body, time.monotonic() - started, headers)
        raise _status_error(status, reason, headers)
    raise TerminalError(f"more than {policy.max_redirects} redirects from {url!r}")


def fetch_with_retries(url: str, policy: FetchPolicy, etag: str | None = None,
                       last_modified: str | None = None,
                       resolver: netguard.Resolver = socket.getaddrinfo,
                       sleep: Callable[[float], None] = time.sleep,
                       limiter: HostLimiter | None = None) -> Response:
    """`fetch` with up to `policy.retries` retries of transient errors.

    Waits what Retry-After asks (up to `max_retry_after`; longer asks are not waited for),
    else exponential backoff with full jitter. With a `limiter`, each attempt takes a slot
    on the host, and a 429 or 503 slows the host down for every later request of the pass.
    Raises the last error when retries run out.
    """
    for attempt in range(policy.retries + 1):
        try:
            if limiter is None:
                return fetch(url, policy, etag, last_modified, resolver)
            with limiter.request(url):
                return fetch(url, policy, etag, last_modified, resolver)
        except HostClosed:
            raise  # retrying within this pass is what the host asked us not to do
        except TransientError as exc:
            if limiter is not None and exc.status in (429, 503):
                limiter.slow_down(url, exc.retry_after)
            if attempt == policy.retries:
                raise
            wait = exc.retry_after
            if wait is not None and wait > policy.max_retry_after:
                raise TransientError(f"{exc} (Retry-After {wait:g}s too long)", wait) from exc
            if wait is None:
                wait = policy.backoff * (2**attempt) * (0.5 + random.random())
            sleep(wait)
    raise AssertionError("unreachable")
