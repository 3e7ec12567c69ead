"""Commands that read the published snapshot: status, sql, shell, export, report."""

from __future__ import annotations

import argparse
import csv
import sys
from pathlib import Path

from deploy.cli.common import (
    CONFIG_HELP,
    DB_HELP,
    EXIT_CONFIG,
    EXIT_FAILED,
    EXIT_WAREHOUSE,
    Subparsers,
    fail,
    reader,
)
from deploy.cli.tables import format_table, print_status
from deploy.cli.tables import query as _query
from flows.config import ConfigError
from warehouse.db import WarehouseError


def cmd_sql(args: argparse.Namespace) -> int:
    """Run one query against the snapshot; print a table or CSV."""
    try:
        con = reader(args)
        columns, rows = _query(con, args.query)
    except (ConfigError, WarehouseError) as exc:
        return fail(EXIT_CONFIG, str(exc))
    except Exception as exc:  # duckdb's errors: show the message, not a traceback
        return fail(EXIT_FAILED, f"query failed: {exc}")
    if args.csv:
        writer = csv.writer(sys.stdout)
        writer.writerow(columns)
        writer.writerows(rows)
    else:
        print(format_table(columns, rows))
        print(f"({len(rows)} rows)")
    return 0


def cmd_shell(args: argparse.Namespace) -> int:
    """An interactive SQL prompt on the snapshot; statements end with ';'."""
    try:
        con = reader(args)
    except (ConfigError, WarehouseError) as exc:
        return fail(EXIT_CONFIG, str(exc))
    print("pactwatch shell on the read-only snapshot; end statements with ';', quit with .quit")
    buffer = ""
    for line in sys.stdin:
        if line.strip() in (".quit", ".exit"):
            break
        buffer += line
        if not buffer.strip().endswith(";"):
            continue
        try:
            columns, rows = _query(con, buffer)
            print(format_table(columns, rows))
        except Exception as exc:
            print(f"error: {exc}")
        buffer = ""
    return 0


def cmd_status(args: argparse.Namespace) -> int:
    """Last runs, rows per table, failing feeds and the last run's failures."""
    try:
        con = reader(args)
    except (ConfigError, WarehouseError) as exc:
        return fail(EXIT_CONFIG, str(exc))
    print_status(con)
    return 0


def cmd_export(args: argparse.Namespace) -> int:
    """Export every public view from the snapshot to Parquet or CSV files."""
    from datetime import date

    from deploy.cli.export import export

    try:
        since = date.fromisoformat(args.since) if args.since else None
        con = reader(args)
        written = export(con, Path(args.out), args.format, since)
    except (ConfigError, WarehouseError, ValueError, OSError) as exc:
        return fail(EXIT_CONFIG, str(exc))
    for e in written:
        print(f"{e.rows:>8} rows  {e.path}")
    return 0


def cmd_report(args: argparse.Namespace) -> int:
    """Write the story page from the snapshot into --out."""
    from datetime import date

    from flows.report.build import build_report

    try:
        since = date.fromisoformat(args.since) if args.since else None
        con = reader(args)
        built = build_report(con, Path(args.out), since)
    except WarehouseError as exc:
        return fail(EXIT_WAREHOUSE, str(exc))
    except (ConfigError, ValueError, OSError) as exc:
        return fail(EXIT_CONFIG, str(exc))
    print(f"story page: {built.index} ({built.items} items new or changed, {built.timelines} "
          f"claim timelines, {len(built.charts)} charts); open {built.index.resolve().as_uri()}")
    return 0


def add_commands(sub: Subparsers) -> None:
    """Register export, report, status, sql and shell on the `pactwatch` parser."""
    ex = sub.add_parser("export", help="export every public view to Parquet or CSV")
    ex.add_argument("--format", choices=["parquet", "csv"], default="parquet")
    ex.add_argument("--out", required=True, help="folder to write into")
    ex.add_argument("--since", help="only rows from this date (YYYY-MM-DD) on")
    ex.add_argument("--config", type=Path, help=CONFIG_HELP)
    ex.add_argument("--db", help=DB_HELP)
    ex.set_defaults(func=cmd_export)
    rp = sub.add_parser("report", help="write the story page (static HTML) from the snapshot")
    rp.add_argument("--out", required=True, help="folder to write index.html and assets/ into")
    rp.add_argument("--since", help="claims, framing and coverage from this date (YYYY-MM-DD)")
    source = rp.add_mutually_exclusive_group()
    source.add_argument("--config", type=Path, help=CONFIG_HELP)
    source.add_argument("--db", help=DB_HELP)
    rp.set_defaults(func=cmd_report)
    for name, func, helptext in (("status", cmd_status, "runs, row counts, failing feeds"),
                                 ("sql", cmd_sql, "query the read-only snapshot"),
                                 ("shell", cmd_shell, "interactive SQL on the snapshot")):
        p = sub.add_parser(name, help=helptext)
        if name == "sql":
            p.add_argument("query")
            p.add_argument("--csv", action="store_true", help="write CSV to stdout")
        p.add_argument("--config", type=Path, help=CONFIG_HELP)
        p.add_argument("--db", help=DB_HELP)
        p.set_defaults(func=func)
