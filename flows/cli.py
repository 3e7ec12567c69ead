"""The `pactwatch` command: run, demo, status, sql, shell."""

from __future__ import annotations

import argparse
import csv
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import duckdb

from flows.settings import ConfigError, default_config_path, load_settings, prefect_defaults
from warehouse.db import WarehouseError, connect, open_warehouse, snapshot_path

EXIT_CONFIG, EXIT_WAREHOUSE, EXIT_FAILED = 2, 3, 1


def _fail(code: int, message: str) -> int:
    print(f"pactwatch: {message}", file=sys.stderr)
    return code


def _print_summary(summary: Any) -> None:
    c = summary.counts
    print(f"\nfeeds polled {c['feeds_polled']} (not modified {c['feeds_not_modified']}, "
          f"failed {c['feeds_failed']}; not due yet {c['feeds_not_due']})")
    print(f"articles new {c['articles_new']}, updated {c['articles_updated']}, unchanged "
          f"{c['articles_unchanged']}, skipped {c['articles_skipped']}, failed "
          f"{c['articles_failed']}" + (f"; seeds loaded {summary.seeds_loaded}"
                                       if summary.seeds_loaded else ""))
    if summary.claims:
        print("claims judged: " + ", ".join(f"{k} {v}" for k, v in sorted(summary.claims.items())))
    for url, stage, reason in summary.failures:
        print(f"  failed [{stage}] {url}: {reason}")
    print(f"time {summary.elapsed_s:.1f}s; analysts' snapshot: {summary.snapshot}")


def _monitor(config: Path, note: str | None = None, force: bool = False) -> Any:
    prefect_defaults()
    from flows.monitor import with_runner

    return with_runner(load_settings(config))(str(config), note, force)


def cmd_run(args: argparse.Namespace) -> int:
    """One monitoring pass; exit 0 when the pass completed, even with failed feeds/pages."""
    from flows.framing_step import check_framing_model

    try:
        settings = load_settings(args.config)
        check_framing_model(settings)
        with open_warehouse(settings.warehouse_path):
            pass
    except ConfigError as exc:
        return _fail(EXIT_CONFIG, str(exc))
    except WarehouseError as exc:
        return _fail(EXIT_WAREHOUSE, str(exc))
    try:
        summary = _monitor(settings.config_path, force=args.all)
    except WarehouseError as exc:
        return _fail(EXIT_WAREHOUSE, f"pass failed, nothing half-written: {exc}")
    except duckdb.Error as exc:
        return _fail(EXIT_WAREHOUSE, f"pass failed, nothing half-written: warehouse error: "
                     f"{exc.__class__.__name__}: {exc}")
    if summary.status == "skipped":
        print(f"pass skipped: {summary.skip_reason}")
        return 0
    _print_summary(summary)
    return 0


def cmd_demo(args: argparse.Namespace) -> int:
    """Serve the sample corpus on loopback and run monitor on it (both editions when fresh)."""
    from flows import demo

    workdir = Path(args.dir).resolve()
    config = demo.demo_config(workdir, args.port)
    settings = load_settings(config)
    fresh = not _has_completed_run(settings.warehouse_path)
    editions = (1, 2) if fresh else (2,)
    try:
        server = demo.serve_edition(editions[0], args.port)
    except demo.DemoError as exc:
        return _fail(EXIT_FAILED, str(exc))
    with server:
        for edition in editions:
            demo.set_edition(server, edition)
            print(f"== demo: edition day{edition} of the sample corpus at {server.base_url}")
            _print_summary(_monitor(config, f"demo edition day{edition}", force=True))
    print(f"\nwarehouse: {settings.warehouse_path}\nquery it: pactwatch sql "
          "\"SELECT outlet, title, relevant FROM v_articles ORDER BY published_at\"")
    return 0


def _has_completed_run(path: Path) -> bool:
    if not path.exists():
        return False
    with open_warehouse(path) as con:
        rows = con.execute("SELECT count(*) FROM runs WHERE status = 'completed'").fetchall()
    return bool(rows[0][0])


def _reader(args: argparse.Namespace) -> Any:
    """A read-only connection to the published snapshot (never the live file)."""
    if args.db:
        return connect(args.db, read_only=True)
    settings = load_settings(args.config or default_config_path())
    return connect(snapshot_path(settings.warehouse_path), read_only=True)


def format_table(columns: Sequence[str], rows: Sequence[Sequence[Any]], width: int = 60) -> str:
    """Rows as aligned text columns; long cells are cut at `width` characters with '…'."""
    def cell(v: Any) -> str:
        s = "NULL" if v is None else str(v).replace("\n", " ")
        return s if len(s) <= width else s[: width - 1] + "…"
    table = [list(columns)] + [[cell(v) for v in r] for r in rows]
    widths = [max(len(r[i]) for r in table) for i in range(len(columns))]
    lines = ["  ".join(v.ljust(w) for v, w in zip(r, widths, strict=True)).rstrip()
             for r in table]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(lines)


def _query(con: Any, sql: str) -> tuple[list[str], list[tuple[Any, ...]]]:
    cur = con.execute(sql)
    return [d[0] for d in cur.description or []], cur.fetchall()


def cmd_sql(args: argparse.Namespace) -> int:
    """Run one query against the snapshot; print a table or CSV."""
    try:
        con = _reader(args)
        columns, rows = _query(con, args.query)
    except (ConfigError, WarehouseError) as exc:
        return _fail(EXIT_CONFIG, str(exc))
    except Exception as exc:  # duckdb's errors: show the message, not a traceback
        return _fail(EXIT_FAILED, f"query failed: {exc}")
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
        con = _reader(args)
    except (ConfigError, WarehouseError) as exc:
        return _fail(EXIT_CONFIG, str(exc))
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


def cmd_status(args: argparse.Namespace) -> int:
    """Last runs, rows per table, failing feeds and the last run's failures."""
    try:
        con = _reader(args)
    except (ConfigError, WarehouseError) as exc:
        return _fail(EXIT_CONFIG, str(exc))
    for title, sql in STATUS_SQL.items():
        columns, rows = _query(con, sql)
        print(f"\n{title}:")
        print(format_table(columns, rows) if rows else "  (none)")
    return 0


def cmd_digest(args: argparse.Namespace) -> int:
    """Build and send the digest that is due (or only write it with --preview)."""
    try:
        settings = load_settings(args.config or default_config_path())
    except ConfigError as exc:
        return _fail(EXIT_CONFIG, str(exc))
    prefect_defaults()
    from flows import digest_flow

    try:
        if args.preview:
            d = digest_flow.preview(settings, Path(args.preview))
            print(f"{d.subject}\nwrote {args.preview} ({len(d.items)} items; nothing sent)")
            return 0
        summary = digest_flow.digest(str(settings.config_path))
    except (ConfigError, WarehouseError) as exc:
        return _fail(EXIT_CONFIG if isinstance(exc, ConfigError) else EXIT_WAREHOUSE, str(exc))
    print(f"digest created: {summary.subject or 'none (nothing new)'}; sent "
          f"{len(summary.sent)}, failed {len(summary.failed)}")
    for digest_id, error in summary.failed:
        print(f"  not sent, kept for the next run: {digest_id}: {error}")
    return EXIT_FAILED if summary.failed else 0


def cmd_export(args: argparse.Namespace) -> int:
    """Export every public view from the snapshot to Parquet or CSV files."""
    from datetime import date

    from flows.export import export

    try:
        since = date.fromisoformat(args.since) if args.since else None
        con = _reader(args)
        written = export(con, Path(args.out), args.format, since)
    except (ConfigError, WarehouseError, ValueError, OSError) as exc:
        return _fail(EXIT_CONFIG, str(exc))
    for e in written:
        print(f"{e.rows:>8} rows  {e.path}")
    return 0


def cmd_backfill(args: argparse.Namespace) -> int:
    """Load history from WARC files or a sitemap."""
    if not args.warc and not args.sitemap:
        return _fail(EXIT_CONFIG, "backfill needs --warc FILE... or --sitemap URL")
    try:
        settings = load_settings(args.config)
    except ConfigError as exc:
        return _fail(EXIT_CONFIG, str(exc))
    prefect_defaults()
    from flows.backfill import backfill

    try:
        summary = backfill(str(settings.config_path), args.warc, args.sitemap, args.since,
                           args.until, args.outlet)
    except (WarehouseError, duckdb.Error) as exc:
        return _fail(EXIT_WAREHOUSE, f"backfill failed, nothing half-written: {exc}")
    _print_summary(summary)
    return 0


def cmd_eval(args: argparse.Namespace) -> int:
    """Evaluation: claims, check-worthiness, frames (SemEval) or framing (own set)."""
    from extractors.embeddings import ModelMissing
    from flows import evaluate

    embeddings = not args.lexicons_only
    if args.what == "tone":
        from flows.evaluate_tone import run as eval_tone

        return eval_tone(embeddings, args.split, args.verbose)
    try:
        if args.what == "claims":
            evaluate.report_claims(Path(args.file) if args.file else None, args.verbose)
        elif args.what == "framing":
            evaluate.report_framing(Path(args.file) if args.file else None, embeddings)
        elif args.what == "frames":
            if not args.file or not args.labels:
                return _fail(EXIT_CONFIG, "eval frames needs ARTICLES_DIR and LABELS.tsv")
            evaluate.report_frames(Path(args.file), Path(args.labels), embeddings=embeddings)
        else:
            if not args.file:
                return _fail(EXIT_CONFIG, "eval checkworthy needs a CheckThat! TSV file")
            evaluate.report_checkworthy(Path(args.file))
    except (OSError, ValueError, ModelMissing) as exc:
        return _fail(EXIT_CONFIG, str(exc))
    return 0


def cmd_train(args: argparse.Namespace) -> int:
    """Train the check-worthiness model on a CheckThat! train split."""
    from extractors import checkworthy

    try:
        examples, problems = checkworthy.read_tsv(args.train)
    except (OSError, ValueError) as exc:
        return _fail(EXIT_CONFIG, str(exc))
    for problem in problems:
        print(f"skipped malformed row: {problem}")
    model = checkworthy.train(examples)
    model.save(args.out)
    print(f"trained on {len(examples)} sentences; wrote {args.out}")
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="pactwatch", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    run = sub.add_parser("run", help="run one monitoring pass")
    run.add_argument("--config", required=True, type=Path, help="the TOML config file")
    run.add_argument("--all", action="store_true",
                     help="poll every feed now, even those not due yet")
    run.set_defaults(func=cmd_run)
    demo = sub.add_parser("demo", help="run monitor on the bundled offline sample corpus")
    demo.add_argument("--dir", default=".", help="where the warehouse goes (default: here)")
    demo.add_argument("--port", type=int, default=8765, help="loopback port (default 8765)")
    demo.set_defaults(func=cmd_demo)
    dg = sub.add_parser("digest", help="build and send the alert digest that is due")
    dg.add_argument("--config", type=Path, default=None, help="the TOML config file")
    dg.add_argument("--preview", metavar="OUT.html", help="write the HTML, send nothing")
    dg.set_defaults(func=cmd_digest)
    bf = sub.add_parser("backfill", help="load history from WARC files or a sitemap")
    bf.add_argument("--config", required=True, type=Path)
    bf.add_argument("--warc", nargs="+", metavar="FILE", help="WARC or .warc.gz files")
    bf.add_argument("--sitemap", metavar="URL", help="a sitemap or sitemap index URL")
    bf.add_argument("--since", help="from this date (YYYY-MM-DD): publication date in a "
                    "sitemap, capture date in a WARC")
    bf.add_argument("--until", help="up to this date (YYYY-MM-DD)")
    bf.add_argument("--outlet", help="outlet name (default: the site's host name)")
    bf.set_defaults(func=cmd_backfill)
    ex = sub.add_parser("export", help="export every public view to Parquet or CSV")
    ex.add_argument("--format", choices=["parquet", "csv"], default="parquet")
    ex.add_argument("--out", required=True, help="folder to write into")
    ex.add_argument("--since", help="only rows from this date (YYYY-MM-DD) on")
    ex.add_argument("--config", type=Path, help="config file (default: ./pactwatch.toml)")
    ex.add_argument("--db", help="a DuckDB file to read instead of the config's snapshot")
    ex.set_defaults(func=cmd_export)
    ev = sub.add_parser("eval", help="measure claim matching or check-worthiness")
    ev.add_argument("what", choices=["claims", "checkworthy", "frames", "framing", "tone"])
    ev.add_argument("file", nargs="?", help="claims: the set's folder (default: the "
                    "bundled tests/data/claims_eval); checkworthy: a CheckThat! TSV")
    ev.add_argument("labels", nargs="?", help="frames: the labels TSV (id<TAB>frame,frame)")
    ev.add_argument("--verbose", action="store_true", help="list every disagreement")
    ev.add_argument("--lexicons-only", action="store_true",
                    help="frames/framing/tone: as with [framing] embeddings = false")
    ev.add_argument("--split", choices=["dev", "heldout", "all"], default="all",
                    help="tone: which part of the labelled real-world set (default: all)")
    ev.set_defaults(func=cmd_eval)
    tr = sub.add_parser("train", help="train the check-worthiness model")
    tr.add_argument("what", choices=["checkworthy"])
    tr.add_argument("--train", required=True, help="CheckThat! train TSV")
    tr.add_argument("--out", default="extractors/models/checkworthy-v1.npz")
    tr.set_defaults(func=cmd_train)
    for name, func, helptext in (("status", cmd_status, "runs, row counts, failing feeds"),
                                 ("sql", cmd_sql, "query the read-only snapshot"),
                                 ("shell", cmd_shell, "interactive SQL on the snapshot")):
        p = sub.add_parser(name, help=helptext)
        if name == "sql":
            p.add_argument("query")
            p.add_argument("--csv", action="store_true", help="write CSV to stdout")
        p.add_argument("--config", type=Path, help="config file (default: ./pactwatch.toml)")
        p.add_argument("--db", help="a DuckDB file to read instead of the config's snapshot")
        p.set_defaults(func=func)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    started = time.monotonic()
    try:
        code: int = args.func(args)
    except BrokenPipeError:  # `pactwatch sql … | head`: the reader left, not an error
        sys.stderr.close()
        return 0
    if args.command in ("run", "demo", "backfill"):
        print(f"done in {time.monotonic() - started:.1f}s")
    return code


if __name__ == "__main__":
    sys.exit(main())
