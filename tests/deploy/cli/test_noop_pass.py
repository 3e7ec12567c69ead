"""A pass with nothing new (every feed answers 304), as `pactwatch run` runs it in a fresh
process with Prefect's temporary server: it says so and loads no NLP model."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from deploy.demo.server import DevServer
from flows.monitor import monitor
from tests.conftest import query, write_config

pytestmark = pytest.mark.e2e

TEXT = ("Russian President Vladimir Putin and North Korean leader Kim Jong Un signed a treaty "
        "on mutual defence in Pyongyang on June 19, 2024. Officials in Seoul said North Korea "
        "had sent 13,000 containers of munitions to Russia. ")
# what a pass would import or start only to analyse something
HEAVY = ("spacy", "trafilatura", "onnxruntime", "tokenizers", "matplotlib",
         "multiprocessing.forkserver")
PROBE = """
import json, multiprocessing, os, sys
from deploy.cli import main
code = main(sys.argv[1:])
heavy = [m for m in json.loads(os.environ["HEAVY"]) if m in sys.modules]
print("PROBE " + json.dumps({"heavy": heavy, "children": len(multiprocessing.active_children())}))
sys.exit(code)
"""


def page(title: str) -> str:
    return (f"<html lang='en'><head><title>{title}</title></head><body><article><h1>{title}"
            f"</h1><p>{TEXT * 2}</p><p>{TEXT}</p></article></body></html>")


@pytest.mark.usefixtures("prefect_harness")
def test_a_pass_with_every_feed_unchanged_loads_no_model(tmp_path: Path,
                                                         server: DevServer) -> None:
    items = "".join(f"<item><title>Report {i}</title><link>/a{i}.html</link></item>"
                    for i in range(3))
    (server.root / "feed.xml").write_text(f"<rss version='2.0'><channel><title>T</title>{items}"
                                          "</channel></rss>")
    for i in range(3):
        (server.root / f"a{i}.html").write_text(page(f"Treaty report {i}"))
    config = write_config(tmp_path / "c.toml", [("Wire", f"{server.base_url}/feed.xml")])
    first = monitor(str(config), force=True)  # analysed in this (the test's) process
    assert first.counts["articles_new"] == 3
    wh = tmp_path / "wh" / "pactwatch.duckdb"
    before = query(wh, "SELECT count(*) FROM article_versions UNION ALL "
                       "SELECT count(*) FROM claims")
    assert before[1][0] > 0  # there are claims the pass could have re-read

    env = {k: v for k, v in os.environ.items() if not k.startswith("PREFECT_API")}
    env.update(HEAVY=json.dumps(HEAVY), PREFECT_HOME=str(tmp_path / "prefect-home"))
    done = subprocess.run([sys.executable, "-c", PROBE, "run", "--config", str(config),
                           "--all", "--quiet"], capture_output=True, text=True, env=env,
                          cwd=Path(__file__).resolve().parents[3], timeout=600)
    assert done.returncode == 0, done.stderr[-3000:]
    assert "Error logging to API" not in done.stderr  # the server outlived Prefect's logs
    assert "feeds polled 1 (not modified 1, failed 0" in done.stdout
    assert "no new entries: nothing to analyse" in done.stdout
    probe = json.loads(done.stdout.split("PROBE ", 1)[1])
    assert probe == {"heavy": [], "children": 0}
    assert query(wh, "SELECT count(*) FROM article_versions UNION ALL "
                     "SELECT count(*) FROM claims") == before
    [(status,)] = query(wh, "SELECT status FROM runs ORDER BY started_at DESC LIMIT 1")
    assert status == "completed"
