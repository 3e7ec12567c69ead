"""A real Prefect server on loopback, a process work pool and worker, the deployments, a run
triggered through the API that completes and fills the warehouse."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import duckdb
import pytest

from deploy.demo import run as demo
from tests.conftest import Inbox
from tests.flows.digest.test_digest import email_config
from tests.flows.digest.test_digest_browser import screenshot_text

pytestmark = [pytest.mark.e2e, pytest.mark.deployment]
BIN = Path(sys.executable).parent

TRIGGER = """
import sys
from prefect.deployments import run_deployment
run = run_deployment(sys.argv[1], timeout=240, poll_interval=1)
print(run.state.type.value if run.state else "NONE")
"""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def prefect_server(tmp_path: Path) -> Iterator[dict[str, str]]:
    port = free_port()
    env = {**os.environ, "PREFECT_HOME": str(tmp_path / "prefect-home"),
           "PREFECT_API_URL": f"http://127.0.0.1:{port}/api",
           "PREFECT_SERVER_ANALYTICS_ENABLED": "false", "DO_NOT_TRACK": "1",
           "PREFECT_WORKER_QUERY_SECONDS": "1", "PREFECT_UI_ENABLED": "false"}
    log = open(tmp_path / "server.log", "w")  # noqa: SIM115 (closed below)
    server = subprocess.Popen([str(BIN / "prefect"), "server", "start", "--host", "127.0.0.1",
                               "--port", str(port), "--no-ui"], env=env, stdout=log,
                              stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 120
        while True:
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{port}/api/health", timeout=2)
                break
            except OSError:
                if time.monotonic() > deadline or server.poll() is not None:
                    raise RuntimeError((tmp_path / "server.log").read_text()[-3000:]) from None
                time.sleep(0.5)
        yield env
    finally:
        server.terminate()
        server.wait(30)
        log.close()


def test_scheduled_monitor_runs_through_a_worker(tmp_path: Path, inbox: tuple[Inbox, int],
                                                 prefect_server: dict[str, str]) -> None:
    env = prefect_server
    def run(*cmd: str, timeout: float = 120) -> str:
        done = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=timeout)
        assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
        return done.stdout

    run(str(BIN / "prefect"), "work-pool", "create", "pactwatch-test", "--type", "process")
    box, smtp_port = inbox
    with demo.serve_edition(2, port=0) as site:
        config = demo.demo_config(tmp_path, site.server_address[1])
        with open(config, "a") as fh:
            fh.write(email_config(smtp_port) + "send_after_monitor = true\n"
                     "[schedule]\ndigest_at = '06:30'\ntimezone = 'Asia/Seoul'\n")
        out = run(sys.executable, "-m", "deploy.deployments", "--config", str(config),
                  "--pool", "pactwatch-test")
        assert "monitor: deployment" in out and "digest: deployment" in out
        digest_dep = run(str(BIN / "prefect"), "deployment", "inspect",
                         "digest/pactwatch-digest")
        assert "30 6 * * *" in digest_dep and "Asia/Seoul" in digest_dep
        worker_log = open(tmp_path / "worker.log", "w")  # noqa: SIM115 (closed below)
        worker = subprocess.Popen([str(BIN / "prefect"), "worker", "start", "--pool",
                                   "pactwatch-test", "--type", "process"], env=env,
                                  stdout=worker_log, stderr=subprocess.STDOUT)
        try:
            state = run(sys.executable, "-c", TRIGGER, "monitor/pactwatch-monitor",
                        timeout=300).strip().splitlines()[-1]
            again = run(sys.executable, "-c", TRIGGER, "monitor/pactwatch-monitor",
                        timeout=300).strip().splitlines()[-1]
        finally:
            worker.terminate()
            worker.wait(30)
            worker_log.close()
    assert (state, again) == ("COMPLETED", "COMPLETED"), \
        (tmp_path / "worker.log").read_text()[-3000:]
    con = duckdb.connect(str(tmp_path / "pactwatch.snapshot.duckdb"), read_only=True)
    try:
        assert con.execute("SELECT count(*) FROM v_articles").fetchall() == [(24,)]
        assert con.execute("SELECT status FROM v_runs").fetchall() == [("completed",)] * 2
        assert con.execute("SELECT status FROM v_digests").fetchall() == [("sent",)]
    finally:
        con.close()
    # the scheduled pass mailed one digest; the next pass found nothing new to send
    [msg] = box.messages
    assert "new claims" in msg["Subject"]
    page = tmp_path / "received.html"
    page.write_text(msg.get_body(("html",)).get_content(), encoding="utf-8")
    words = screenshot_text(page, tmp_path, height=2400)  # the first items, scrolled
    # ranked items, each with why it is flagged (matching v2 flags no changed number on day 1)
    for expected in ("items:", "first time this assertion appears", "Sources"):
        assert expected in words, (expected, words)
    # the items name their outlets (which ones lead depends on the ranking)
    assert any(name in words for name, _key, _feed in demo.OUTLETS), words
