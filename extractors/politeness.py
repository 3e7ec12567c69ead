"""Politeness across a whole pass: a limit per host, a bound on pages in flight, and hosts
that asked us to slow down (429, 503) kept slow until the pass ends.

One HostLimiter per pass, shared by every fetch batch in the process: a per-batch limit
lets N batches send N times the limit to one host.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from extractors.errors import TransientError

# A host that asked us to slow down waits this long between requests at first, doubling
# with each further ask, up to MAX_INTERVAL_S; after MAX_SLOWDOWNS asks (or a Retry-After
# beyond what we wait) it gets nothing more this pass and its pages are retried next pass.
FIRST_INTERVAL_S = 1.0
MAX_INTERVAL_S = 30.0
MAX_SLOWDOWNS = 4


class HostClosed(TransientError):
    """The host is closed for this pass (it asked us to wait too long, or too often)."""


def host_key(url: str) -> str:
    """scheme://host:port of `url`: what a per-host limit counts."""
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc.lower()}"


@dataclass
class _Host:
    slots: threading.BoundedSemaphore
    serial: threading.Lock = field(default_factory=threading.Lock)
    interval: float = 0.0      # seconds between request starts; 0 until slowed
    not_before: float = 0.0    # monotonic time before which no request starts
    slowdowns: int = 0
    closed: str | None = None  # why this host gets no more requests this pass


class HostLimiter:
    """At most `per_host` requests at a time to one host and `max_in_flight` pages in
    flight (being fetched or extracted) in all; a slowed host one request at a time,
    spaced out."""

    def __init__(self, per_host: int, max_in_flight: int, max_wait_s: float = 60.0,
                 clock: Callable[[], float] = time.monotonic,
                 sleep: Callable[[float], None] = time.sleep) -> None:
        self.per_host, self.max_wait_s = per_host, max_wait_s
        self._pages = threading.BoundedSemaphore(max_in_flight)
        self._hosts: dict[str, _Host] = {}
        self._lock = threading.Lock()
        self._clock, self._sleep = clock, sleep

    def _host(self, url: str) -> _Host:
        with self._lock:
            key = host_key(url)
            if key not in self._hosts:
                self._hosts[key] = _Host(threading.BoundedSemaphore(self.per_host))
            return self._hosts[key]

    @contextmanager
    def page(self) -> Iterator[None]:
        """A place among the pages in flight, held while a fetched page is extracted."""
        with self._pages:
            yield

    @contextmanager
    def request(self, url: str) -> Iterator[None]:
        """A request slot on `url`'s host (after the wait a slowed host asks for), then a
        place among the pages in flight: taken last, so that no thread holds one while it
        waits for a busy or slowed host.

        Raises HostClosed (a TransientError) when the host is closed for this pass.
        """
        host = self._host(url)
        with host.slots:
            slowed = host.interval > 0
            if slowed:
                host.serial.acquire()
            try:
                self._wait_turn(host)
                with self._pages:
                    yield
            finally:
                if slowed:
                    host.serial.release()

    def _wait_turn(self, host: _Host) -> None:
        with self._lock:
            if host.closed:
                raise HostClosed(f"{host.closed}; its pages are tried next pass")
            start = max(self._clock(), host.not_before)
            host.not_before = start + host.interval
        delay = start - self._clock()
        if delay > 0:
            self._sleep(delay)

    def slow_down(self, url: str, retry_after: float | None) -> None:
        """The host answered 429 or 503: space its requests out for the rest of the pass,
        one at a time; close it after MAX_SLOWDOWNS asks or a Retry-After past max_wait_s."""
        host = self._host(url)
        with self._lock:
            host.slowdowns += 1
            host.interval = min(MAX_INTERVAL_S, max(FIRST_INTERVAL_S, host.interval * 2,
                                                    retry_after or 0.0))
            host.not_before = max(host.not_before, self._clock() + host.interval)
            if retry_after is not None and retry_after > self.max_wait_s:
                host.closed = f"{host_key(url)} asked us to wait {retry_after:g}s"
            elif host.slowdowns >= MAX_SLOWDOWNS:
                host.closed = f"{host_key(url)} asked us to slow down {host.slowdowns} times"

    def interval(self, url: str) -> float:
        """Seconds between request starts to `url`'s host now (0: not slowed)."""
        return self._host(url).interval
