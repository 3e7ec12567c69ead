"""The `pactwatch` command: run, demo, status, sql, shell."""

from __future__ import annotations

import argparse
import csv
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import duckdb

from deploy.cli.tables import format_table, print_status
from deploy.cli.tables import query as _query
from flows.config import (
    ConfigError,
    builtin_story,
    default_config_path,
    load_settings,
    prefect_defaults,
)
from warehouse.db import SnapshotError, WarehouseError, connect, open_warehouse, snapshot_path
from warehouse.lock import WarehouseBusy, writer_lock

EXIT_CONFIG, EXIT_WAREHOUSE, EXIT_FAILED = 2, 3, 1
QUIET_HELP = "no progress bar, plain log lines (as when not on a terminal, e.g. cron)"


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


def _progress_bar(args: argparse.Namespace) -> None:
    """A progress bar on a terminal; plain log lines for cron, pipes and --quiet."""
    from flows import progress

    progress.show_bar(sys.stderr.isatty() and not args.quiet)


def _monitor(config: Path, note: str | None = None, force: bool = False) -> Any:
    prefect_defaults()
    from flows.monitor import with_runner

    return with_runner(load_settings(config))(str(config), note, force)


def _check_warehouse(settings: Any) -> None:
    """Open (and migrate) the warehouse before starting Prefect, so that an unusable file
    fails in a second. While a pass is writing, leave it to the flow, which waits for it and
    then runs or skips. Raises WarehouseError."""
    try:
        with writer_lock(settings.warehouse_path, 0), \
                open_warehouse(settings.warehouse_path, settings.wait_for_lock_s):
            pass
    except WarehouseBusy:
        return


def cmd_run(args: argparse.Namespace) -> int:
    """One monitoring pass; exit 0 when the pass completed, even with failed feeds/pages."""
    from flows.framing_step import check_framing_model

    try:
        settings = load_settings(args.config)
        check_framing_model(settings)
        _check_warehouse(settings)
    except ConfigError as exc:
        return _fail(EXIT_CONFIG, str(exc))
    except WarehouseError as exc:
        return _fail(EXIT_WAREHOUSE, str(exc))
    _progress_bar(args)
    try:
        summary = _monitor(settings.config_path, force=args.all)
    except SnapshotError as exc:
        return _fail(EXIT_WAREHOUSE, f"pass completed (its rows are in the warehouse), but "
                     f"{exc}; analysts still see the previous snapshot")
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
    from deploy.demo import run as demo

    started = time.monotonic()
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
    try:
        page = demo.build_page(settings.snapshot_path, workdir)
    except (WarehouseError, OSError) as exc:
        return _fail(EXIT_FAILED, f"the story page could not be built: {exc}")
    print(f"done in {time.monotonic() - started:.1f}s")
    print(f"\nthe story page: {page.resolve().as_uri()}\n(open it in a browser; rebuild it "
          f"with `pactwatch report --out {page.parent.name}`)")
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


def cmd_status(args: argparse.Namespace) -> int:
    """Last runs, rows per table, failing feeds and the last run's failures."""
    try:
        con = _reader(args)
    except (ConfigError, WarehouseError) as exc:
        return _fail(EXIT_CONFIG, str(exc))
    print_status(con)
    return 0


def cmd_digest(args: argparse.Namespace) -> int:
    """Build and send the digest that is due (or only write it with --preview)."""
    try:
        settings = load_settings(args.config or default_config_path())
    except ConfigError as exc:
        return _fail(EXIT_CONFIG, str(exc))
    prefect_defaults()
    from flows.digest import flow as digest_flow

    try:
        if args.preview:
            d = digest_flow.preview(settings, Path(args.preview))
            print(f"{d.subject}\nwrote {args.preview} ({len(d.shown)} of {len(d.items)} items "
                  "shown; nothing sent)")
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

    from deploy.cli.export import export

    try:
        since = date.fromisoformat(args.since) if args.since else None
        con = _reader(args)
        written = export(con, Path(args.out), args.format, since)
    except (ConfigError, WarehouseError, ValueError, OSError) as exc:
        return _fail(EXIT_CONFIG, str(exc))
    for e in written:
        print(f"{e.rows:>8} rows  {e.path}")
    return 0


def cmd_report(args: argparse.Namespace) -> int:
    """Write the story page from the snapshot into --out."""
    from datetime import date

    from flows.report.build import build_report

    try:
        since = date.fromisoformat(args.since) if args.since else None
        con = _reader(args)
        built = build_report(con, Path(args.out), since)
    except WarehouseError as exc:
        return _fail(EXIT_WAREHOUSE, str(exc))
    except (ConfigError, ValueError, OSError) as exc:
        return _fail(EXIT_CONFIG, str(exc))
    print(f"story page: {built.index} ({built.items} items new or changed, {built.timelines} "
          f"claim timelines, {len(built.charts)} charts); open {built.index.resolve().as_uri()}")
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
    _progress_bar(args)
    from flows.backfill import backfill

    try:
        summary = backfill(str(settings.config_path), args.warc, args.sitemap, args.since,
                           args.until, args.outlet)
    except SnapshotError as exc:
        return _fail(EXIT_WAREHOUSE, f"backfill completed (its rows are in the warehouse), "
                     f"but {exc}; analysts still see the previous snapshot")
    except (WarehouseError, duckdb.Error) as exc:
        return _fail(EXIT_WAREHOUSE, f"backfill failed, nothing half-written: {exc}")
    _print_summary(summary)
    return 0


def cmd_eval(args: argparse.Namespace) -> int:
    """Evaluation: claims, check-worthiness, frames (SemEval) or framing (own set)."""
    from deploy.evaluate import labelled as evaluate
    from extractors.embeddings import ModelMissing

    embeddings = not args.lexicons_only
    if args.what == "tone":
        from deploy.evaluate.tone import run as eval_tone

        return eval_tone(embeddings, args.split, args.verbose)
    try:
        splits = ("dev", "heldout") if args.split == "all" else (args.split,)
        if args.what == "claims":
            evaluate.report_claims(Path(args.file) if args.file else None, args.verbose,
                                   splits)
            _realworld(lambda r: r.report_kcna_claims(splits=splits, verbose=args.verbose))
        elif args.what == "relevance":
            story = builtin_story()
            _realworld(lambda r: r.report_relevance(story, verbose=args.verbose,
                                                    splits=splits))
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


def _realworld(report: Callable[[Any], object]) -> None:
    """Run a report on the real-world labelled sets, or say why they are skipped."""
    from deploy.evaluate import realworld as evaluate_realworld

    try:
        report(evaluate_realworld)
    except evaluate_realworld.DataMissing as exc:
        print(f"skipped the real-world sets: {exc}")


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


def cmd_feeds(args: argparse.Namespace) -> int:
    """`feeds discover URL`: print the feeds at URL as `[[feeds]]` blocks for the config."""
    from extractors.errors import PactwatchError
    from extractors.http import FetchPolicy
    from flows.discovery import discover

    try:
        policy = load_settings(args.config).fetch if args.config else FetchPolicy()
        print(discover(args.url, policy), end="")
    except ConfigError as exc:
        return _fail(EXIT_CONFIG, str(exc))
    except PactwatchError as exc:
        return _fail(EXIT_FAILED, f"{args.url}: {exc}")
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="pactwatch", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    run = sub.add_parser("run", help="run one monitoring pass")
    run.add_argument("--config", required=True, type=Path, help="the TOML config file")
    run.add_argument("--all", action="store_true",
                     help="poll every feed now, even those not due yet")
    run.add_argument("--quiet", action="store_true", help=QUIET_HELP)
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
    bf.add_argument("--quiet", action="store_true", help=QUIET_HELP)
    bf.set_defaults(func=cmd_backfill)
    ex = sub.add_parser("export", help="export every public view to Parquet or CSV")
    ex.add_argument("--format", choices=["parquet", "csv"], default="parquet")
    ex.add_argument("--out", required=True, help="folder to write into")
    ex.add_argument("--since", help="only rows from this date (YYYY-MM-DD) on")
    ex.add_argument("--config", type=Path, help="config file (default: ./pactwatch.toml)")
    ex.add_argument("--db", help="a DuckDB file to read instead of the config's snapshot")
    ex.set_defaults(func=cmd_export)
    rp = sub.add_parser("report", help="write the story page (static HTML) from the snapshot")
    rp.add_argument("--out", required=True, help="folder to write index.html and assets/ into")
    rp.add_argument("--since", help="claims, framing and coverage from this date (YYYY-MM-DD)")
    source = rp.add_mutually_exclusive_group()
    source.add_argument("--config", type=Path, help="config file (default: ./pactwatch.toml)")
    source.add_argument("--db", help="a DuckDB file to read instead of the config's snapshot")
    rp.set_defaults(func=cmd_report)
    ev = sub.add_parser("eval", help="measure claim matching or check-worthiness")
    ev.add_argument("what", choices=["claims", "relevance", "checkworthy", "frames",
                                     "framing", "tone"])
    ev.add_argument("--split", choices=["dev", "heldout", "all"], default="all",
                    help="claims/relevance/tone: which part of the labelled real-world and "
                    "follow-up sets (default: all)")
    ev.add_argument("file", nargs="?", help="claims: the set's folder (default: the "
                    "bundled deploy/evaluate/data/claims_eval); checkworthy: a CheckThat! TSV")
    ev.add_argument("labels", nargs="?", help="frames: the labels TSV (id<TAB>frame,frame)")
    ev.add_argument("--verbose", action="store_true", help="list every disagreement")
    ev.add_argument("--lexicons-only", action="store_true",
                    help="frames/framing/tone: as with [framing] embeddings = false")
    ev.set_defaults(func=cmd_eval)
    fd = sub.add_parser("feeds", help="feeds discover URL: the feeds a page advertises")
    fd.add_argument("action", choices=["discover"])
    fd.add_argument("url", help="a site's page (or a feed)")
    fd.add_argument("--config", type=Path, help="fetch settings from this config (network "
                    "guard, user agent)")
    fd.set_defaults(func=cmd_feeds)
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
    if args.command in ("run", "backfill"):  # the demo says it before the page's address
        print(f"done in {time.monotonic() - started:.1f}s")
    return code


if __name__ == "__main__":
    sys.exit(main())
