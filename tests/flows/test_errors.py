"""Errors are classified by their type: a word in a message decides nothing."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from prefect import flow

from flows import tasks
from tests.conftest import row
from warehouse.db import connect
from warehouse.load import Batch
from warehouse.schemas import FailureRow

pytestmark = [pytest.mark.e2e, pytest.mark.usefixtures("prefect_harness")]


@flow
def _load_once(wh: str, batch: Batch) -> dict[str, int]:
    return tasks.load(wh, batch)


def test_a_load_error_that_mentions_a_block_is_not_retried_as_a_lock(tmp_path: Path) -> None:
    wh = tmp_path / "w.duckdb"
    from warehouse.db import migrate

    con = connect(wh)
    migrate(con)
    con.close()
    batch = Batch()
    # the loader's error names the value that does not fit: "…'blocked'…"
    batch.add(row(FailureRow, failure_id="f", run_id="r", stage="page", error_class="terminal",
                  reason="x", occurred_at="blocked"))
    started = time.monotonic()
    with pytest.raises(Exception, match="blocked"):
        _load_once(str(wh), batch)
    # a retried load waits 2 s, then 4 s, then 8 s: failing at once means no retry
    assert time.monotonic() - started < 1.9
