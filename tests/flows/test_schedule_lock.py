"""A scheduled pass polls only due feeds; two passes never write at once."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

from deploy.demo.server import DevServer
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


WRITING = """
import sys, time, duckdb
from warehouse.lock import writer_lock
with writer_lock(sys.argv[1], 1):
    con = duckdb.connect(sys.argv[1])  # a scheduled pass, in the middle of a load
    print("writing", flush=True)
    time.sleep(float(sys.argv[2]))
    con.close()
"""


def _cli_run(config: Path) -> subprocess.CompletedProcess[str]:
    import os

    from prefect.settings import PREFECT_API_URL

    env = {**os.environ, "PREFECT_API_URL": str(PREFECT_API_URL.value())}
    return subprocess.run([sys.executable, "-m", "deploy.cli", "run", "--config", str(config)],
                          env=env, text=True, capture_output=True, timeout=300)


@pytest.mark.parametrize(("hold_s", "wait_s", "outcome"), [
    (60, 1, "pass skipped: another pactwatch run (pid"),
    (4, 60, "feeds polled 1"),
])
def test_pactwatch_run_while_a_scheduled_pass_writes_waits_then_skips_or_runs(
        tmp_path: Path, server: DevServer, hold_s: int, wait_s: int, outcome: str) -> None:
    (server.root / "a.xml").write_text(FEED)
    config = write_config(tmp_path / "c.toml", [("A", f"{server.base_url}/a.xml")],
                          extra=f"[run]\nwait_for_lock_seconds = {wait_s}\n")
    wh = tmp_path / "wh" / "pactwatch.duckdb"
    wh.parent.mkdir()
    other = subprocess.Popen([sys.executable, "-c", WRITING, str(wh), str(hold_s)],
                             stdout=subprocess.PIPE, text=True)
    try:
        assert other.stdout and other.stdout.readline().strip() == "writing"
        result = _cli_run(config)
    finally:
        other.kill()
        other.wait()
    assert result.returncode == 0, result.stderr[-2000:]
    assert outcome in result.stdout
    if hold_s > wait_s:
        assert server.requests == []
