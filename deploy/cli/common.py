"""What every command group shares: exit codes, the error line, the snapshot reader, the
summary of a pass, the progress bar switch and the monitor call."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any, TypeAlias

from deploy.cli.prefect_api import EarlyServer, api_for_flows, early_server
from flows.config import default_config_path, load_settings, prefect_defaults
from warehouse.db import connect, open_warehouse, snapshot_path
from warehouse.lock import WarehouseBusy, writer_lock

EXIT_CONFIG, EXIT_WAREHOUSE, EXIT_FAILED = 2, 3, 1
QUIET_HELP = "no progress bar, plain log lines (as when not on a terminal, e.g. cron)"
DB_HELP = "a DuckDB file to read instead of the config's snapshot"
CONFIG_HELP = "config file (default: ./pactwatch.toml)"
# what add_subparsers returns: each command group registers its commands on it
Subparsers: TypeAlias = "argparse._SubParsersAction[argparse.ArgumentParser]"


def fail(code: int, message: str) -> int:
    """Print `pactwatch: message` on stderr; returns `code`, the exit status."""
    print(f"pactwatch: {message}", file=sys.stderr)
    return code


def print_summary(summary: Any) -> None:
    """Print a pass's RunSummary: counts, claims judged, failures, time, snapshot."""
    c = summary.counts
    print(f"\nfeeds polled {c['feeds_polled']} (not modified {c['feeds_not_modified']}, "
          f"failed {c['feeds_failed']}; not due yet {c['feeds_not_due']})")
    print(f"articles new {c['articles_new']}, updated {c['articles_updated']}, unchanged "
          f"{c['articles_unchanged']}, skipped {c['articles_skipped']}, failed "
          f"{c['articles_failed']}" + (f"; seeds loaded {summary.seeds_loaded}"
                                       if summary.seeds_loaded else ""))
    if not (c["articles_new"] or c["articles_updated"] or summary.seeds_loaded):
        print("no new entries: nothing to analyse")
    if summary.claims:
        print("claims judged: " + ", ".join(f"{k} {v}" for k, v in sorted(summary.claims.items())))
    for url, stage, reason in summary.failures:
        print(f"  failed [{stage}] {url}: {reason}")
    print(f"time {summary.elapsed_s:.1f}s; analysts' snapshot: {summary.snapshot}")


def progress_bar(args: argparse.Namespace) -> None:
    """A progress bar on a terminal; plain log lines for cron, pipes and --quiet."""
    from flows import progress

    progress.show_bar(sys.stderr.isatty() and not args.quiet)


def prefect_server() -> EarlyServer | None:
    """Prefect's temporary server, started now (see deploy/cli/prefect_api.py) when no
    server is configured."""
    prefect_defaults()  # the server reads them too
    return early_server()


def run_monitor(config: Path, server: EarlyServer | None, note: str | None = None,
                force: bool = False) -> Any:
    """Run one `monitor` pass with the configured task runner, reporting to `server` when
    there is one; returns its RunSummary."""
    prefect_defaults()
    from flows.monitor import with_runner

    api_for_flows(server)
    return with_runner(load_settings(config))(str(config), note, force)


def check_warehouse(settings: Any) -> None:
    """Open (and migrate) the warehouse before starting Prefect, so that an unusable file
    fails in a second. While a pass is writing, leave it to the flow, which waits for it and
    then runs or skips. Raises WarehouseError."""
    try:
        with writer_lock(settings.warehouse_path, 0), \
                open_warehouse(settings.warehouse_path, settings.wait_for_lock_s):
            pass
    except WarehouseBusy:
        return


def reader(args: argparse.Namespace) -> Any:
    """A read-only connection to the published snapshot (never the live file)."""
    if args.db:
        return connect(args.db, read_only=True)
    settings = load_settings(args.config or default_config_path())
    return connect(snapshot_path(settings.warehouse_path), read_only=True)
