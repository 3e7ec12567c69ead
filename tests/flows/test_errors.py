"""Errors are classified by their type: a word in a message decides nothing."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from prefect import flow

from flows import tasks
from tests.conftest import row
from warehouse.db import connect
from warehouse.load import Batch, load_batch
from warehouse.schemas import FailureRow

pytestmark = [pytest.mark.e2e, pytest.mark.usefixtures("prefect_harness")]


@flow
def _load_once(wh: str, batch: Batch) -> dict[str, int]:
    return tasks.load(wh, batch)


def test_a_load_error_that_mentions_a_block_is_not_retried_as_a_lock(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    wh = tmp_path / "w.duckdb"
    from warehouse.db import migrate

    con = connect(wh)
    migrate(con)
    con.close()
    batch = Batch()
    # the loader's error names the value that does not fit: "…'blocked'…"
    batch.add(row(FailureRow, failure_id="f", run_id="r", stage="page", error_class="terminal",
                  reason="x", occurred_at="blocked"))
    attempts = []

    def counted(*args: Any) -> dict[str, int]:  # the real loader, each attempt counted
        attempts.append(1)
        return load_batch(*args)

    monkeypatch.setattr(tasks, "load_batch", counted)
    with pytest.raises(Exception, match="blocked"):
        _load_once(str(wh), batch)
    # the error names 'blocked' (a value), not a held lock: it is not retried
    assert len(attempts) == 1
