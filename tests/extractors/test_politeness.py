"""The pass's HostLimiter with real threads against a real loopback server."""

from __future__ import annotations

import itertools
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from http.server import BaseHTTPRequestHandler

import pytest

from deploy.demo.server import DevServer
from extractors.errors import TransientError
from extractors.http import fetch_with_retries
from extractors.politeness import MAX_SLOWDOWNS, HostClosed, HostLimiter, host_key
from tests.extractors.test_http import POLICY


class Recorder:
    """Answers `script` statuses in turn (then 200), recording start times and overlap."""

    def __init__(self, script: list[tuple[int, str | None]], delay_s: float = 0.02) -> None:
        self.script, self.delay_s = list(script), delay_s
        self.starts: list[float] = []
        self.now = self.peak = 0
        self._lock = threading.Lock()

    def __call__(self, h: BaseHTTPRequestHandler) -> None:
        with self._lock:
            self.starts.append(time.monotonic())
            self.now += 1
            self.peak = max(self.peak, self.now)
            status, retry_after = self.script.pop(0) if self.script else (200, None)
        time.sleep(self.delay_s)
        with self._lock:  # before the answer: the client's next request can only follow it
            self.now -= 1
        h.send_response(status)
        if retry_after:
            h.send_header("Retry-After", retry_after)
        h.send_header("Content-Length", "2")
        h.end_headers()
        h.wfile.write(b"ok")


def test_limit_per_host_is_shared_by_every_caller(server: DevServer) -> None:
    rec = Recorder([])
    server.routes["/p"] = rec
    limiter = HostLimiter(per_host=2, max_in_flight=8)
    with ThreadPoolExecutor(16) as pool:  # 16 threads, as two batches would bring
        list(pool.map(lambda _n: fetch_with_retries(f"{server.base_url}/p", POLICY,
                                                    limiter=limiter), range(40)))
    assert rec.peak == 2 and len(rec.starts) == 40


def test_pages_in_flight_are_bounded_across_hosts(server: DevServer) -> None:
    second = DevServer(server.root)
    with second:
        recs = [Recorder([], 0.05), Recorder([], 0.05)]
        server.routes["/p"], second.routes["/p"] = recs
        limiter = HostLimiter(per_host=4, max_in_flight=3)
        urls = [f"{s.base_url}/p" for s in (server, second)] * 10
        with ThreadPoolExecutor(12) as pool:
            list(pool.map(lambda u: fetch_with_retries(u, POLICY, limiter=limiter), urls))
    assert max(r.peak for r in recs) <= 3 and recs[0].peak + recs[1].peak >= 3


def test_a_429_slows_the_host_for_the_rest_of_the_pass(server: DevServer) -> None:
    rec = Recorder([(429, "1")])
    server.routes["/p"] = rec
    limiter = HostLimiter(per_host=4, max_in_flight=8)
    fetch_with_retries(f"{server.base_url}/p", POLICY, limiter=limiter)  # 429, then 200
    assert limiter.interval(f"{server.base_url}/x") == 1.0
    with ThreadPoolExecutor(4) as pool:  # the host allowed 4 at once before it asked
        list(pool.map(lambda _n: fetch_with_retries(f"{server.base_url}/p", POLICY,
                                                    limiter=limiter), range(3)))
    starts = sorted(rec.starts)
    gaps = [b - a for a, b in itertools.pairwise(starts[1:])]
    assert len(starts) == 5 and rec.peak == 1 and all(g >= 0.95 for g in gaps), gaps


def test_a_host_that_keeps_asking_is_closed_for_the_pass(server: DevServer) -> None:
    rec = Recorder([(503, None)] * MAX_SLOWDOWNS, delay_s=0)
    server.routes["/p"] = rec
    sleeps: list[float] = []
    limiter = HostLimiter(per_host=1, max_in_flight=1, sleep=sleeps.append)
    url = f"{server.base_url}/p"
    for _ in range(MAX_SLOWDOWNS):
        with pytest.raises(TransientError, match="503"):
            fetch_with_retries(url, POLICY.__class__(retries=0, allow_private=True),
                               limiter=limiter)
    with pytest.raises(HostClosed, match=f"asked us to slow down {MAX_SLOWDOWNS} times"):
        fetch_with_retries(url, POLICY, limiter=limiter)
    assert len(rec.starts) == MAX_SLOWDOWNS  # nothing more reached the host
    assert [round(s, 1) for s in sleeps] == [1.0, 2.0, 4.0]  # spaced out, doubling


def test_a_retry_after_beyond_the_limit_closes_the_host(server: DevServer) -> None:
    server.routes["/p"] = Recorder([(429, "3600")])
    limiter = HostLimiter(per_host=1, max_in_flight=1, max_wait_s=60)
    with pytest.raises(TransientError, match="too long"):
        fetch_with_retries(f"{server.base_url}/p", POLICY, limiter=limiter)
    with pytest.raises(HostClosed, match="asked us to wait 3600s"):
        fetch_with_retries(f"{server.base_url}/p", POLICY, limiter=limiter)


def test_host_key() -> None:
    assert host_key("HTTPS://News.Example:8443/a?b") == "https://news.example:8443"
