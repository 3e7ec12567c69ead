"""The terminal: a progress bar on a terminal, plain lines otherwise, readable status tables,
and the summary each monitor run publishes to Prefect."""

from __future__ import annotations

import fcntl
import io
import logging
import os
import pty
import re
import select
import struct
import subprocess
import sys
import termios
from pathlib import Path

import pytest
from rich.console import Console

from deploy.demo import run as demo
from flows import artifacts, progress
from flows.monitor import RunSummary

ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]|\x1b\][^\x07]*\x07")


def test_plain_lines_count_pages_with_rate_and_time_left(caplog: pytest.LogCaptureFixture
                                                          ) -> None:
    log = logging.getLogger("test.progress")
    with caplog.at_level(logging.INFO, "test.progress"), progress.pages(10, log) as pages:
        assert type(pages) is progress.Pages  # no bar unless the CLI asked for one
        for stage in progress.STAGES:
            pages.advance(stage, 4)
        pages.finish(2)  # already loaded, or a failed batch: done in every stage
        pages.advance("fetched", 4)
        pages.advance("analysed", 4)
        pages.advance("loaded", 4)
    lines = [r.getMessage() for r in caplog.records]
    assert len(lines) == 3
    assert lines[0].startswith("pages fetched 4/10, analysed 4/10, loaded 4/10; ")
    assert re.search(r"\d+\.\d pages/s; about \d+ (s|min) left$", lines[0]), lines[0]
    assert lines[1].startswith("pages fetched 6/10, analysed 6/10, loaded 6/10")
    assert lines[2].startswith("pages fetched 10/10, analysed 10/10, loaded 10/10")
    assert "left" not in lines[2]  # done: no time left to estimate


def test_the_bar_draws_three_stages_with_rate_and_time_left() -> None:
    screen = io.StringIO()
    console = Console(file=screen, force_terminal=True, width=120, color_system=None)
    bar = progress.Bar(12, logging.getLogger("test.bar"), console)
    with bar.progress:
        bar.advance("fetched", 8)
        bar.advance("analysed", 6)
        bar.advance("loaded", 4)
    last = ANSI.sub("", screen.getvalue()).split("pages fetched")[-1]
    assert "8/12" in last and "analysed" in last and "6/12" in last
    assert "loaded" in last and "4/12" in last and "pages/s" in last
    assert re.search(r"pages/s, \d:\d\d:\d\d left", last)


def run_on_a_terminal(args: list[str], cwd: Path, env: dict[str, str]) -> str:
    """Run `pactwatch ARGS` with a pseudo-terminal (120 x 40) as its stdin, stdout and
    stderr; return what it wrote, without the terminal's control sequences."""
    main, child = pty.openpty()
    fcntl.ioctl(child, termios.TIOCSWINSZ, struct.pack("HHHH", 40, 120, 0, 0))
    proc = subprocess.Popen([sys.executable, "-m", "deploy.cli", *args], cwd=cwd,
                            stdin=child, stdout=child, stderr=child,
                            env={**os.environ, "TERM": "xterm-256color", **env})
    os.close(child)
    out = b""
    while True:
        ready, _w, _x = select.select([main], [], [], 1.0)
        if ready:
            try:
                data = os.read(main, 65536)
            except OSError:  # the child closed the terminal
                break
            if not data:
                break
            out += data
        elif proc.poll() is not None:
            break
    os.close(main)
    assert proc.wait(timeout=300) == 0, out.decode(errors="replace")[-3000:]
    return ANSI.sub("", out.decode(errors="replace"))


@pytest.mark.e2e
@pytest.mark.usefixtures("prefect_harness")
def test_a_pass_on_a_terminal_shows_the_bar_and_quiet_shows_lines(tmp_path: Path) -> None:
    from prefect.artifacts import Artifact
    from prefect.settings import PREFECT_API_URL

    env = {"PREFECT_API_URL": str(PREFECT_API_URL.value())}
    with demo.serve_edition(2, port=0) as server:
        outputs = {}
        for name, extra in (("bar", []), ("quiet", ["--quiet"])):
            folder = tmp_path / name
            folder.mkdir()
            config = demo.demo_config(folder, server.server_address[1])
            config.write_text(config.read_text() + "\n[run]\nbatch_size = 5\n")
            outputs[name] = run_on_a_terminal(["run", "--config", str(config), *extra],
                                              folder, env)
    bar, quiet = outputs["bar"], outputs["quiet"]
    # 24 pages (22 articles, a 404, a 500) in batches of 5: three bars reach 24/24, with a rate
    for stage in progress.STAGES:
        assert re.search(rf"pages {stage}\s+\S+\s+24/24\s+\d+\.\d pages/s", bar), (stage, bar)
    assert "pages fetched 5/24, analysed 5/24" not in bar
    assert "pages fetched 5/24, analysed 5/24, loaded 5/24; " in quiet
    assert "pages fetched 24/24, analysed 24/24, loaded 24/24; " in quiet
    assert not re.search(r"pages loaded\s+\S+\s+24/24", quiet)
    # each run left its summary on its Prefect run page
    summary = Artifact.get(artifacts.KEY)
    assert summary is not None and summary.data
    assert "| 3 | 0 | 0 | 0 | 22 | 0 |" in str(summary.data)
    data = str(summary.data)
    assert summary.flow_run_id is not None  # shown on that run's page
    assert "| page |" in data and "HTTP 404 Not Found" in data, data
    assert re.search(r"- claims judged: .*new \d+", data), data


def test_the_summary_artifact_says_counts_flags_and_failures() -> None:
    summary = RunSummary(run_id="r1", status="completed", elapsed_s=3.25,
                         claims={"new": 4, "changed": 1}, framing={"framed": 5,
                                                                   "framing_changes": 2})
    summary.bump("articles_new", 5)
    summary.failures.append(("https://x.example/a|b", "page", "HTTP 404 Not Found"))
    text = artifacts.summary_markdown(summary, [
        {"outlet": "Baltic Courier", "changed_fields": ["quantity"],
         "sentence": "North Korea has sent 3,000 troops."}])
    assert text.startswith("# pactwatch pass completed in 3.2 s")
    assert "| 0 | 0 | 0 | 0 | 5 | 0 | 0 | 0 | 0 |" in text
    assert "- claims judged: changed 1, new 4" in text
    assert "- framing changes: 2 (5 versions framed)" in text
    assert "| Baltic Courier | quantity | North Korea has sent 3,000 troops. |" in text
    assert "| page | https://x.example/a\\|b | HTTP 404 Not Found |" in text
    skipped = RunSummary(run_id="r2", status="skipped", skip_reason="another pass holds it")
    assert artifacts.summary_markdown(skipped, []) == (
        "# pactwatch pass skipped\n\nanother pass holds it\n")


def test_status_prints_tables(tmp_path: Path) -> None:
    from tests.flows.report_fixture import small_warehouse

    db = small_warehouse(tmp_path / "small.duckdb")
    out = subprocess.run([sys.executable, "-m", "deploy.cli", "status", "--db", str(db)],
                         capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    lines = [line.rstrip() for line in out.stdout.splitlines()]
    assert "last runs" in lines and "failing feeds" in lines
    header = next(line for line in lines if "consecutive_failures" in line)
    row = next(line for line in lines if "Broken Feed" in line)
    assert header.startswith("┃") and row.startswith("│") and "HTTP 404 Not Found" in row
    assert "digests: (none)" in lines
