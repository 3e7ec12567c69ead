"""Bulk loading into DuckDB through warehouse.load (issue 6 target: >= 50,000 rows/s).

Run: `.venv/bin/python bench/load.py` — loads 200,000 sentence rows and 200,000 mention rows
into a new file-backed warehouse in batches of 20,000, one transaction per batch.
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from warehouse.db import open_warehouse
from warehouse.load import Batch, load_batch
from warehouse.schemas import MentionRow, SentenceRow


def rows(start: int, n: int) -> Batch:
    batch = Batch()
    for i in range(start, start + n):
        sid = f"v{i // 40}:{i % 40}"
        batch.add(SentenceRow(sentence_id=sid, version_id=f"v{i // 40}",
                              article_id=f"a{i // 40}", sentence_idx=i % 40,
                              start_char=0, end_char=120,
                              text=f"Sentence {i} about the treaty between Russia and North "
                                   "Korea, as officials in Seoul said on Monday."))
        batch.add(MentionRow(mention_id=f"{sid}:0", entity_id=f"e{i % 500}",
                             sentence_id=sid, version_id=f"v{i // 40}",
                             article_id=f"a{i // 40}", start_char=0, end_char=6,
                             text="Russia", label="GPE", nlp_method="bench"))
    return batch


def main(total: int = 200_000, size: int = 20_000) -> None:
    with tempfile.TemporaryDirectory() as tmp, open_warehouse(Path(tmp) / "b.duckdb") as con:
        started = time.perf_counter()
        for start in range(0, total, size):
            load_batch(con, rows(start, size))
        wall = time.perf_counter() - started
        again = time.perf_counter()
        load_batch(con, rows(0, size))  # a repeat: every row already there
        repeat = time.perf_counter() - again
    loaded = 2 * total
    print(f"{loaded:,} rows in {wall:.2f} s = {loaded / wall:,.0f} rows/s "
          f"(building the Python rows included); a repeated batch of {2 * size:,} rows, "
          f"all already present: {repeat:.2f} s, 0 added")


if __name__ == "__main__":
    main()
