"""The `pactwatch` command as a user runs it: a real process, real server, real files."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

from deploy.cli.main import format_table
from deploy.demo import run as demo
from deploy.demo.server import DevServer

pytestmark = pytest.mark.e2e


def pactwatch(*args: str, cwd: Path, env: dict[str, str] | None = None
              ) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "deploy.cli", *args], cwd=cwd, text=True,
                          capture_output=True, timeout=300, env={**os.environ, **(env or {})})


@pytest.mark.parametrize(("toml", "message"), [
    ("[warehouse]\npath = 'w.duckdb'\n", "[[feeds]] must list at least one feed"),
    ("[[feeds]]\nname = 'a'\nurl = 'https://a.example/rss'\n", "[warehouse] is required"),
    ("[warehouse]\npath = 'w.duckdb'\n[fetch]\ntimeout_seconds = 'soon'\n"
     "[[feeds]]\nname = 'a'\nurl = 'https://a.example/rss'\n",
     "[fetch].timeout_seconds must be number, got 'soon'"),
    ("[warehouse]\npath = 'w.duckdb'\n[fetch]\nallow_private = true\n"
     "[[feeds]]\nname = 'a'\nurl = 'https://a.example/rss'\n",
     "[fetch].allow_private unknown key"),
    ("[warehouse]\npath = 'w.duckdb'\n[[feeds]]\nname = 'a'\nurl = 'ftp://a.example/rss'\n",
     "[feeds[0]].url must be an http(s) URL"),
    ("[warehouse\n", "not valid TOML"),
    ("[warehouse]\npath = 'w.duckdb'\n[fetch]\nretries = -1\n"
     "[[feeds]]\nname = 'a'\nurl = 'https://a.example/rss'\n",
     "[fetch].retries must be between 0 and 10, got -1"),
    ("[warehouse]\npath = 'w.duckdb'\n[framing]\nembeddings = 'yes'\n"
     "[[feeds]]\nname = 'a'\nurl = 'https://a.example/rss'\n",
     "[framing].embeddings must be bool, got 'yes'"),
    ("[warehouse]\npath = 'w.duckdb'\n[framing]\nmodel_dir = 'nowhere'\n"
     "[[feeds]]\nname = 'a'\nurl = 'https://a.example/rss'\n",
     "nowhere holds no model.safetensors"),
])
def test_bad_config_exits_2_with_one_line(tmp_path: Path, toml: str, message: str) -> None:
    (tmp_path / "c.toml").write_text(toml)
    result = pactwatch("run", "--config", "c.toml", cwd=tmp_path)
    assert result.returncode == 2
    assert result.stderr.count("\n") == 1 and message in result.stderr
    assert str(tmp_path / "c.toml") in result.stderr


def test_eval_framing_with_and_without_embeddings(tmp_path: Path) -> None:
    default = pactwatch("eval", "framing", cwd=tmp_path)
    lexicons = pactwatch("eval", "framing", "--lexicons-only", cwd=tmp_path)
    assert default.returncode == lexicons.returncode == 0
    assert ("(pactwatch.framing.v2 (lexicons + all-MiniLM-L6-v2 prototypes v1) + "
            "pactwatch.tone.v1 (all-MiniLM-L6-v2 tone prototypes))") in default.stdout
    assert "(pactwatch.framing.v1 (lexicons))" in lexicons.stdout
    assert "dominant frame right" in default.stdout and "precision" in lexicons.stdout


def test_unusable_warehouse_exits_3(tmp_path: Path) -> None:
    (tmp_path / "w.duckdb").write_bytes(b"garbage" * 1000)
    (tmp_path / "c.toml").write_text("[warehouse]\npath = 'w.duckdb'\n[[feeds]]\n"
                                     "name = 'a'\nurl = 'https://a.example/rss'\n")
    result = pactwatch("run", "--config", str(tmp_path / "c.toml"), cwd=Path("/"))
    assert result.returncode == 3 and "cannot open warehouse" in result.stderr


@pytest.mark.usefixtures("prefect_harness")
def test_run_then_status_and_sql_while_the_live_file_is_locked(tmp_path: Path) -> None:
    from prefect.settings import PREFECT_API_URL

    env = {"PREFECT_API_URL": str(PREFECT_API_URL.value())}  # the session's test server
    with demo.serve_edition(2, port=0) as server:
        config = demo.demo_config(tmp_path, server.server_address[1])
        other_dir = tmp_path / "elsewhere"
        other_dir.mkdir()
        result = pactwatch("run", "--config", str(config), cwd=other_dir, env=env)
    assert result.returncode == 0, result.stderr[-2000:]
    assert "articles new 22, updated 0" in result.stdout
    assert "failed [page]" in result.stdout and "HTTP 404" in result.stdout
    assert (tmp_path / "pactwatch.duckdb").exists()  # beside the config, not in cwd

    writer = duckdb.connect(str(tmp_path / "pactwatch.duckdb"))  # a run holding the file
    try:
        status = pactwatch("status", "--config", str(config), cwd=tmp_path)
        assert status.returncode == 0, status.stderr
        assert "completed" in status.stdout and "article_versions" in status.stdout
        sql = pactwatch("sql", "SELECT count(*) AS n FROM v_articles WHERE relevant",
                        "--config", str(config), cwd=tmp_path)
        assert sql.returncode == 0 and sql.stdout.split()[:3] == ["n", "--", "22"]
        as_csv = pactwatch("sql", "SELECT outlet, count(*) AS n FROM v_articles GROUP BY 1 "
                           "ORDER BY 1", "--csv", "--config", str(config), cwd=tmp_path)
        assert as_csv.stdout.splitlines()[0] == "outlet,n"
        bad = pactwatch("sql", "SELECT nope FROM v_articles", "--config", str(config),
                        cwd=tmp_path)
        assert bad.returncode == 1 and "query failed" in bad.stderr
        shell = subprocess.run([sys.executable, "-m", "deploy.cli", "shell", "--config",
                                str(config)], input="SELECT count(*) AS n\nFROM v_feeds;\n"
                               "SELECT nope;\n.quit\n", text=True, capture_output=True,
                               timeout=60, cwd=tmp_path)
        assert shell.returncode == 0 and "n\n-\n3" in shell.stdout and "error:" in shell.stdout
        preview = pactwatch("digest", "--config", str(config), "--preview", "d.html",
                            cwd=tmp_path)
        assert preview.returncode == 0 and "nothing sent" in preview.stdout
        assert "new claims" in (tmp_path / "d.html").read_text()
    finally:
        writer.close()


def test_format_table_cuts_long_cells() -> None:
    out = format_table(["a", "b"], [(1, "x" * 100), (None, "y")], width=10)
    assert out.splitlines() == ["a     b", "----  ----------", "1     xxxxxxxxx…",
                                "NULL  y"]


def test_feeds_discover_prints_config_blocks_for_a_page_and_a_feed(tmp_path: Path,
                                                                    server: DevServer) -> None:
    import tomllib

    from tests.conftest import DATA, write_config

    home = (DATA / "feeds" / "home_with_feeds.html").read_text()
    (server.root / "index.html").write_text(home.replace("https://ledger.example", server.base_url))
    (server.root / "rss2.xml").write_bytes((DATA / "feeds" / "rss2.xml").read_bytes())
    config = write_config(tmp_path / "c.toml", [("x", server.base_url + "/rss2.xml")])
    page = pactwatch("feeds", "discover", server.base_url + "/index.html", "--config",
                     str(config), cwd=tmp_path)
    assert page.returncode == 0, page.stderr
    assert tomllib.loads(page.stdout)["feeds"] == [
        {"name": "Ledger: World", "url": server.base_url + "/rss/world.xml"},
        {"name": "The Northern Ledger — News (Atom)", "url": server.base_url + "/atom.xml"}]
    feed = pactwatch("feeds", "discover", server.base_url + "/rss2.xml", "--config",
                     str(config), cwd=tmp_path)
    assert tomllib.loads(feed.stdout)["feeds"] == [
        {"name": "Ledger", "url": server.base_url + "/rss2.xml"}]
    # without a config the network guard refuses loopback, as for any third-party URL
    guarded = pactwatch("feeds", "discover", server.base_url + "/index.html", cwd=tmp_path)
    assert guarded.returncode == 1 and "refused '127.0.0.1'" in guarded.stderr
    assert len(server.requests) == 2
