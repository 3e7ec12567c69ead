"""Commands that run the pipeline: run, demo, digest, backfill, feeds discover."""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import duckdb

from deploy.cli.common import (
    EXIT_CONFIG,
    EXIT_FAILED,
    EXIT_WAREHOUSE,
    QUIET_HELP,
    Subparsers,
    check_warehouse,
    fail,
    prefect_server,
    print_summary,
    progress_bar,
    run_monitor,
)
from deploy.cli.prefect_api import api_for_flows
from flows.config import ConfigError, default_config_path, load_settings, prefect_defaults
from warehouse.db import SnapshotError, WarehouseError, open_warehouse


def cmd_run(args: argparse.Namespace) -> int:
    """One monitoring pass; exit 0 when the pass completed, even with failed feeds/pages."""
    from flows.framing_step import check_framing_model

    try:
        settings = load_settings(args.config)
        check_framing_model(settings)
        check_warehouse(settings)
    except ConfigError as exc:
        return fail(EXIT_CONFIG, str(exc))
    except WarehouseError as exc:
        return fail(EXIT_WAREHOUSE, str(exc))
    server = prefect_server()  # starts while the pass's modules are imported
    progress_bar(args)
    try:
        summary = run_monitor(settings.config_path, server, force=args.all)
    except SnapshotError as exc:
        return fail(EXIT_WAREHOUSE, f"pass completed (its rows are in the warehouse), but "
                     f"{exc}; analysts still see the previous snapshot")
    except WarehouseError as exc:
        return fail(EXIT_WAREHOUSE, f"pass failed, nothing half-written: {exc}")
    except duckdb.Error as exc:
        return fail(EXIT_WAREHOUSE, f"pass failed, nothing half-written: warehouse error: "
                     f"{exc.__class__.__name__}: {exc}")
    if summary.status == "skipped":
        print(f"pass skipped: {summary.skip_reason}")
        return 0
    print_summary(summary)
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
        return fail(EXIT_FAILED, str(exc))
    prefect = prefect_server()  # one for both editions
    with server:
        for edition in editions:
            demo.set_edition(server, edition)
            print(f"== demo: edition day{edition} of the sample corpus at {server.base_url}")
            print_summary(run_monitor(config, prefect, f"demo edition day{edition}",
                                      force=True))
    print(f"\nwarehouse: {settings.warehouse_path}\nquery it: pactwatch sql "
          "\"SELECT outlet, title, relevant FROM v_articles ORDER BY published_at\"")
    try:
        page = demo.build_page(settings.snapshot_path, workdir)
    except (WarehouseError, OSError) as exc:
        return fail(EXIT_FAILED, f"the story page could not be built: {exc}")
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


def cmd_digest(args: argparse.Namespace) -> int:
    """Build and send the digest that is due (or only write it with --preview)."""
    try:
        settings = load_settings(args.config or default_config_path())
    except ConfigError as exc:
        return fail(EXIT_CONFIG, str(exc))
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
        return fail(EXIT_CONFIG if isinstance(exc, ConfigError) else EXIT_WAREHOUSE, str(exc))
    print(f"digest created: {summary.subject or 'none (nothing new)'}; sent "
          f"{len(summary.sent)}, failed {len(summary.failed)}")
    for digest_id, error in summary.failed:
        print(f"  not sent, kept for the next run: {digest_id}: {error}")
    return EXIT_FAILED if summary.failed else 0


def cmd_backfill(args: argparse.Namespace) -> int:
    """Load history from WARC files or a sitemap."""
    if not args.warc and not args.sitemap:
        return fail(EXIT_CONFIG, "backfill needs --warc FILE... or --sitemap URL")
    try:
        settings = load_settings(args.config)
    except ConfigError as exc:
        return fail(EXIT_CONFIG, str(exc))
    server = prefect_server()
    progress_bar(args)
    from flows.backfill import backfill

    try:
        api_for_flows(server)
        summary = backfill(str(settings.config_path), args.warc, args.sitemap, args.since,
                           args.until, args.outlet)
    except SnapshotError as exc:
        return fail(EXIT_WAREHOUSE, f"backfill completed (its rows are in the warehouse), "
                     f"but {exc}; analysts still see the previous snapshot")
    except (WarehouseError, duckdb.Error) as exc:
        return fail(EXIT_WAREHOUSE, f"backfill failed, nothing half-written: {exc}")
    print_summary(summary)
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
        return fail(EXIT_CONFIG, str(exc))
    except PactwatchError as exc:
        return fail(EXIT_FAILED, f"{args.url}: {exc}")
    return 0


def add_commands(sub: Subparsers) -> None:
    """Register run, demo, digest, backfill and feeds on the `pactwatch` parser."""
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
    fd = sub.add_parser("feeds", help="feeds discover URL: the feeds a page advertises")
    fd.add_argument("action", choices=["discover"])
    fd.add_argument("url", help="a site's page (or a feed)")
    fd.add_argument("--config", type=Path, help="fetch settings from this config (network "
                    "guard, user agent)")
    fd.set_defaults(func=cmd_feeds)
