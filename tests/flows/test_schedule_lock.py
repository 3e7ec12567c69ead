"""A scheduled pass polls only due feeds; two passes never write at once."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

from flows.devserver import DevServer
from flows.monitor import monitor
from tests.conftest import write_config
from warehouse.lock import WarehouseBusy, writer_lock

pytestmark = [pytest.mark.e2e, pytest.mark.usefixtures("prefect_harness")]

FEED = ("<?xml version='1.0'?><rss version='2.0'><channel><title>T</title><ttl>120</ttl>"
        "</channel></rss>")


def test_only_due_feeds_are_polled_and_next_poll_is_visible(tmp_path: Path,
                                                             server: DevServer) -> None:
    (server.root / "a.xml").write_text(FEED)
    config = write_config(tmp_path / "c.toml", [("A", f"{server.base_url}/a.xml"),
                                                ("B", f"{server.base_url}/missing.xml")])
    first = monitor(str(config))
    assert first.counts["feeds_polled"] == 2
    second = monitor(str(config))
    assert (second.counts["feeds_polled"], second.counts["feeds_not_due"]) == (0, 2)
    assert server.requests.count("GET /a.xml") == 1
    con = duckdb.connect(str(tmp_path / "wh" / "pactwatch.snapshot.duckdb"), read_only=True)
    rows = dict((n, (iv, r)) for n, iv, r in con.execute(
        "SELECT name, interval_s, reason FROM v_feed_schedule").fetchall())
    con.close()
    assert rows["A"] == (7200.0, "unchanged: polling less often; held to feed ttl (7200s)")
    assert rows["B"][1] == "failing (1 in a row): backing off"


HOLD = """
import sys, time
from warehouse.lock import writer_lock
with writer_lock(sys.argv[1], 1):
    print("locked", flush=True)
    time.sleep(30)
"""


def test_a_pass_that_overlaps_a_running_one_skips_with_the_reason(tmp_path: Path,
                                                                   server: DevServer) -> None:
    (server.root / "a.xml").write_text(FEED)
    config = write_config(tmp_path / "c.toml", [("A", f"{server.base_url}/a.xml")],
                          extra="[run]\nwait_for_lock_seconds = 1\n")
    wh = tmp_path / "wh" / "pactwatch.duckdb"
    other = subprocess.Popen([sys.executable, "-c", HOLD, str(wh)], stdout=subprocess.PIPE,
                             text=True)
    try:
        assert other.stdout and other.stdout.readline().strip() == "locked"
        summary = monitor(str(config))
        assert summary.status == "skipped" and f"pid {other.pid}" in summary.skip_reason
        assert server.requests == []
        with pytest.raises(WarehouseBusy), writer_lock(wh, 0.1):
            pass
    finally:
        other.kill()
        other.wait()
    assert monitor(str(config)).status == "completed"  # the lock died with its process
