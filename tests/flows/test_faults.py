"""Faults injected into real runs: killed mid-load, a file held by an analyst, a full disk,
a failing batch. After each: nothing lost, nothing duplicated, the next run completes."""

from __future__ import annotations

import os
import resource
import signal
import subprocess
import sys
import time
from pathlib import Path

import duckdb
import pytest

from deploy.demo.server import DevServer
from flows.monitor import monitor
from tests.conftest import write_config

pytestmark = [pytest.mark.e2e, pytest.mark.usefixtures("prefect_harness")]

PARAGRAPH = ("Russian President Vladimir Putin and North Korean leader Kim Jong Un met again to "
             "discuss the treaty, officials in Seoul said on day {n}. ")


def site(server: DevServer, pages: int) -> None:
    items = "".join(f"<item><title>p{n}</title><link>/p{n}.html</link></item>"
                    for n in range(pages))
    (server.root / "feed.xml").write_text(
        f"<?xml version='1.0'?><rss version='2.0'><channel><title>T</title>{items}"
        "</channel></rss>")
    for n in range(pages):
        text = PARAGRAPH.format(n=n) * 4 + f"Page {n} reports that {n + 100} officials attended."
        (server.root / f"p{n}.html").write_text(
            f"<html lang='en'><body><article><h1>Report {n}</h1><p>{text}</p></article>"
            "</body></html>")


def cli(config: Path, **popen: object) -> subprocess.Popen[str]:
    from prefect.settings import PREFECT_API_URL

    env = {**os.environ, "PREFECT_API_URL": str(PREFECT_API_URL.value())}
    return subprocess.Popen([sys.executable, "-m", "deploy.cli", "run", "--config", str(config),
                             "--all"], env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, text=True, **popen)  # type: ignore[call-overload]


def integrity(wh: Path) -> dict[str, int]:
    con = duckdb.connect(str(wh), read_only=True)
    try:
        q = lambda sql: con.execute(sql).fetchall()[0][0]  # noqa: E731
        return {
            "articles": q("SELECT count(*) FROM articles"),
            "duplicate_urls": q("SELECT count(*) - count(DISTINCT canonical_url) FROM articles"),
            "versions": q("SELECT count(*) FROM article_versions"),
            "orphan_versions": q("SELECT count(*) FROM article_versions v WHERE NOT EXISTS "
                                 "(SELECT 1 FROM articles a WHERE a.article_id = v.article_id)"),
            "versions_without_sentences": q(
                "SELECT count(*) FROM article_versions v WHERE relevant AND NOT EXISTS "
                "(SELECT 1 FROM sentences s WHERE s.version_id = v.version_id)"),
            "unjudged_claims": q(
                "SELECT count(*) FROM claims c WHERE NOT EXISTS "
                "(SELECT 1 FROM claim_judgements j WHERE j.claim_id = c.claim_id)"),
        }
    finally:
        con.close()


def test_killed_mid_load_then_rerun_loses_and_duplicates_nothing(tmp_path: Path,
                                                                 server: DevServer) -> None:
    site(server, 24)
    config = write_config(tmp_path / "c.toml", [("Wire", f"{server.base_url}/feed.xml")],
                          extra="[run]\nbatch_size = 3\n")
    proc = cli(config)
    assert proc.stdout is not None
    for line in proc.stdout:
        if "batch 2/8" in line:
            proc.send_signal(signal.SIGKILL)
            break
    proc.wait(60)
    assert proc.returncode == -signal.SIGKILL
    wh = tmp_path / "wh" / "pactwatch.duckdb"
    partial = integrity(wh)
    assert 6 <= partial["articles"] < 24 + 2  # whole batches only (+2 seeds)
    assert partial["duplicate_urls"] == partial["orphan_versions"] == 0
    assert partial["versions_without_sentences"] == 0
    assert monitor(str(config), force=True).status == "completed"
    after = integrity(wh)
    assert after == {"articles": 26, "duplicate_urls": 0, "versions": 26, "orphan_versions": 0,
                     "versions_without_sentences": 0, "unjudged_claims": 0}
    con = duckdb.connect(str(wh), read_only=True)
    statuses = [r[0] for r in con.execute("SELECT status FROM v_runs ORDER BY started_at")
                .fetchall()]
    con.close()
    assert statuses == ["abandoned", "completed"]


HOLD = """
import sys, time, duckdb
con = duckdb.connect(sys.argv[1], read_only=True)
print("holding", flush=True)
time.sleep(float(sys.argv[2]))
"""


def test_an_analyst_holding_the_live_file_makes_the_run_wait_then_fail_clearly(
        tmp_path: Path, server: DevServer) -> None:
    site(server, 2)
    config = write_config(tmp_path / "c.toml", [("Wire", f"{server.base_url}/feed.xml")],
                          extra="[run]\nwait_for_lock_seconds = 8\n")
    assert monitor(str(config), force=True).status == "completed"
    wh = tmp_path / "wh" / "pactwatch.duckdb"
    # a short session: the run waits for it and completes
    analyst = subprocess.Popen([sys.executable, "-c", HOLD, str(wh), "2"],
                               stdout=subprocess.PIPE, text=True)
    assert analyst.stdout and analyst.stdout.readline().strip() == "holding"
    started = time.monotonic()
    assert monitor(str(config), force=True).status == "completed"
    assert time.monotonic() - started >= 1.0
    analyst.wait(30)
    # a session that stays open: the run gives up with a one-line reason naming the snapshot
    analyst = subprocess.Popen([sys.executable, "-c", HOLD, str(wh), "60"],
                               stdout=subprocess.PIPE, text=True)
    try:
        assert analyst.stdout and analyst.stdout.readline().strip() == "holding"
        proc = cli(config)
        out, _ = proc.communicate(timeout=120)
        assert proc.returncode == 3
        reason = [line for line in out.splitlines() if line.startswith("pactwatch: ")]
        assert len(reason) == 1 and "held by another process" in reason[0]
        assert "pactwatch.snapshot.duckdb" in reason[0]
    finally:
        analyst.kill()
        analyst.wait()


def _small_disk() -> None:
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
    resource.setrlimit(resource.RLIMIT_FSIZE, (3 * 1024 * 1024, 3 * 1024 * 1024))


def test_a_full_disk_fails_clearly_and_writes_nothing_half(tmp_path: Path,
                                                           server: DevServer) -> None:
    site(server, 2)
    config = write_config(tmp_path / "c.toml", [("Wire", f"{server.base_url}/feed.xml")])
    assert monitor(str(config), force=True).status == "completed"
    wh = tmp_path / "wh" / "pactwatch.duckdb"
    before = integrity(wh)
    site(server, 60)  # much more to write than the 3 MB the process may write
    proc = cli(config, preexec_fn=_small_disk)
    out, _ = proc.communicate(timeout=300)
    assert proc.returncode == 3, out[-3000:]
    reason = [line for line in out.splitlines() if line.startswith("pactwatch: ")]
    assert len(reason) == 1 and "nothing half-written" in reason[0]
    partial = integrity(wh)
    assert partial["duplicate_urls"] == partial["orphan_versions"] == 0
    assert partial["versions_without_sentences"] == 0
    assert partial["articles"] >= before["articles"]
    assert monitor(str(config), force=True).status == "completed"
    assert integrity(wh)["articles"] == 62


def test_a_failing_batch_fails_only_itself(tmp_path: Path, server: DevServer) -> None:
    site(server, 4)
    config = write_config(tmp_path / "c.toml", [("Wire", f"{server.base_url}/feed.xml")],
                          extra="[nlp]\nspacy_model = 'no_such_model'\n")
    summary = monitor(str(config), force=True)
    assert summary.status == "completed"
    con = duckdb.connect(str(tmp_path / "wh" / "pactwatch.duckdb"), read_only=True)
    stages = dict(con.execute("SELECT stage, count(*) FROM v_failures GROUP BY 1").fetchall())
    feeds = con.execute("SELECT count(*) FROM feed_entries").fetchall()[0][0]
    con.close()
    assert stages == {"seeds": 1, "batch": 4} and feeds == 4
    # the digest says so
    from flows.digest.flow import build_digest
    from flows.digest.render import render_text
    con = duckdb.connect(str(tmp_path / "wh" / "pactwatch.duckdb"), read_only=True)
    text = render_text(build_digest(con))
    con.close()
    assert "Failed batch work (4 pages): batch 1 (4 pages) failed after its retries" in text


def test_a_failed_publish_is_reported_as_that_not_as_nothing_half_written(
        tmp_path: Path, server: DevServer) -> None:
    site(server, 2)
    config = write_config(tmp_path / "c.toml", [("Wire", f"{server.base_url}/feed.xml")])
    (tmp_path / "wh").mkdir()
    (tmp_path / "wh" / "pactwatch.snapshot.duckdb").mkdir()  # in the way of the rename
    proc = cli(config)
    out, _ = proc.communicate(timeout=300)
    assert proc.returncode == 3, out[-3000:]
    [reason] = [line for line in out.splitlines() if line.startswith("pactwatch: ")]
    assert "nothing half-written" not in reason
    assert "pass completed" in reason and "snapshot not published" in reason
    assert integrity(tmp_path / "wh" / "pactwatch.duckdb")["articles"] == 4  # 2 + 2 seeds


def test_near_duplicates_loaded_by_a_killed_run_are_linked_by_the_next(
        tmp_path: Path, server: DevServer) -> None:
    site(server, 24)
    original = (server.root / "p0.html").read_text()
    (server.root / "p1.html").write_text(original.replace("Report 0", "Copy of report 0"))
    config = write_config(tmp_path / "c.toml", [("Wire", f"{server.base_url}/feed.xml")],
                          extra="[run]\nbatch_size = 3\n")
    proc = cli(config)
    assert proc.stdout is not None
    for line in proc.stdout:
        if "batch 2/8" in line:  # p0 and its copy p1 are loaded; linking never ran
            proc.send_signal(signal.SIGKILL)
            break
    proc.wait(60)
    wh = tmp_path / "wh" / "pactwatch.duckdb"
    con = duckdb.connect(str(wh), read_only=True)
    assert con.execute("SELECT count(*) FROM duplicates").fetchall() == [(0,)]
    con.close()
    assert monitor(str(config), force=True).status == "completed"
    con = duckdb.connect(str(wh), read_only=True)
    links = con.execute("""
        SELECT c.url, o.url FROM duplicates d JOIN articles c ON c.article_id = d.article_id
        JOIN articles o ON o.article_id = d.duplicate_of""").fetchall()
    con.close()
    assert links == [(f"{server.base_url}/p1.html", f"{server.base_url}/p0.html")]
