"""The monitor flow on a local Dask cluster gets the same rows as the default runner."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from deploy.demo import run as demo
from flows.config import load_settings
from flows.monitor import monitor, with_runner

pytestmark = [pytest.mark.e2e, pytest.mark.usefixtures("prefect_harness")]

ROWS = """
    SELECT (SELECT count(*) FROM v_articles), (SELECT count(*) FROM v_articles WHERE relevant),
           (SELECT count(*) FROM sentences), (SELECT count(*) FROM mentions),
           (SELECT list(status ORDER BY status) FROM (SELECT status FROM v_claims)),
           (SELECT count(*) FROM v_failures WHERE stage = 'page')
"""


def rows(path: Path) -> tuple:
    con = duckdb.connect(str(path), read_only=True)
    try:
        return con.execute(ROWS).fetchall()[0]
    finally:
        con.close()


def test_dask_runner_gives_the_same_rows(tmp_path: Path, monkeypatch) -> None:
    from prefect.settings import PREFECT_API_URL

    # Dask workers are processes: point them at the session's Prefect server too
    monkeypatch.setenv("PREFECT_API_URL", str(PREFECT_API_URL.value()))
    plain_dir, dask_dir = tmp_path / "plain", tmp_path / "dask"
    plain_dir.mkdir()
    dask_dir.mkdir()
    with demo.serve_edition(2, port=0) as site:
        plain = demo.demo_config(plain_dir, site.server_address[1])
        on_dask = demo.demo_config(dask_dir, site.server_address[1])
        with open(on_dask, "a") as fh:
            fh.write("\n[run]\ntask_runner = 'dask'\n")
        assert monitor(str(plain)).status == "completed"
        flow = with_runner(load_settings(on_dask))
        assert flow.task_runner.__class__.__name__ == "DaskTaskRunner"
        assert flow(str(on_dask)).status == "completed"
    expected = rows(plain_dir / "pactwatch.snapshot.duckdb")
    assert expected[0] == 24
    assert rows(dask_dir / "pactwatch.snapshot.duckdb") == expected
