"""Tables on the terminal: plain aligned text (`sql`, `shell`) and rich tables (`status`)."""

from __future__ import annotations

import sys
from collections.abc import Sequence
from datetime import datetime
from typing import Any, TextIO

from rich.console import Console
from rich.table import Table

STATUS_SQL = {
    "last runs": "SELECT started_at, status, duration_s, feeds_polled, feeds_not_modified, "
                 "feeds_failed, articles_new, articles_updated, articles_failed, failure_count "
                 "FROM v_runs LIMIT 5",
    "rows per table": "SELECT table_name, estimated_size AS row_count FROM duckdb_tables() "
                      "WHERE schema_name = 'main' ORDER BY table_name",
    "failing feeds": "SELECT name, url, consecutive_failures, last_polled_at, last_error "
                     "FROM v_feeds WHERE consecutive_failures > 0",
    "feed schedule": "SELECT name, outcome, round(interval_s / 60, 1) AS every_min, "
                     "next_poll_at, reason FROM v_feed_schedule",
    "articles by analysis": "SELECT analysis, language, count(*) AS articles FROM v_articles "
                            "GROUP BY ALL ORDER BY analysis, articles DESC",
    "digests": "SELECT created_at, status, attempts, item_count, subject, last_error "
               "FROM v_digests LIMIT 5",
    "failures in the last run": "SELECT stage, error_class, url, reason FROM v_failures "
                                "WHERE run_id = (SELECT run_id FROM v_runs LIMIT 1)",
}
NUMERIC = (int, float)


def cell(value: Any, width: int = 60) -> str:
    """A value as one line of at most `width` characters ('…' where cut; NULL for None)."""
    s = "NULL" if value is None else str(value).replace("\n", " ")
    return s if len(s) <= width else s[: width - 1] + "…"


def format_table(columns: Sequence[str], rows: Sequence[Sequence[Any]], width: int = 60) -> str:
    """Rows as aligned text columns; long cells are cut at `width` characters with '…'."""
    table = [list(columns)] + [[cell(v, width) for v in r] for r in rows]
    widths = [max(len(r[i]) for r in table) for i in range(len(columns))]
    lines = ["  ".join(v.ljust(w) for v, w in zip(r, widths, strict=True)).rstrip()
             for r in table]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(lines)


def query(con: Any, sql: str) -> tuple[list[str], list[tuple[Any, ...]]]:
    """Column names and rows of `sql`."""
    cur = con.execute(sql)
    return [d[0] for d in cur.description or []], cur.fetchall()


def rich_table(title: str, columns: Sequence[str], rows: Sequence[Sequence[Any]]) -> Table:
    """A titled rich table; numbers right-aligned, times to the second, long cells cut at
    60 characters."""
    table = Table(title=title, title_justify="left", title_style="bold", header_style="bold",
                  show_lines=False)
    for i, name in enumerate(columns):
        numeric = bool(rows) and all(isinstance(r[i], NUMERIC) for r in rows
                                     if r[i] is not None)
        table.add_column(name, justify="right" if numeric else "left", overflow="fold")
    for r in rows:
        table.add_row(*(cell(v.isoformat(" ", "seconds") if isinstance(v, datetime) else v)
                        for v in r))
    return table


def print_status(con: Any, out: TextIO | None = None) -> None:
    """The `status` tables. On a terminal they fit its width; piped, they are laid out 200
    columns wide so that nothing is folded for a script reading them."""
    out = out or sys.stdout
    console = Console(file=out, width=None if out.isatty() else 200, highlight=False)
    for title, sql in STATUS_SQL.items():
        columns, rows = query(con, sql)
        if rows:
            console.print(rich_table(title, columns, rows))
        else:
            console.print(f"[bold]{title}[/bold]: (none)")
        console.print()
