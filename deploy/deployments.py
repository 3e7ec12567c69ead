"""Create (or update) the `monitor` and `digest` deployments on a process work pool.

    PREFECT_API_URL=http://127.0.0.1:4200/api \\
        .venv/bin/python -m deploy.deployments --config /srv/pactwatch/pactwatch.toml

`monitor` runs every `[schedule].monitor_every_minutes` (default 15) and polls only the feeds
that are due; `digest` runs daily at `[schedule].digest_at` in `[schedule].timezone`. Both
have a concurrency limit of 1, and the flows take the warehouse's writer lock as well.
"""

from __future__ import annotations

import argparse
from datetime import timedelta
from pathlib import Path
from typing import Any, cast
from uuid import UUID

from prefect import Flow
from prefect.schedules import Cron

from flows.config import load_settings

SOURCE = Path(__file__).resolve().parents[1]


def _flow(entrypoint: str) -> Flow[..., Any]:
    # from_source is sync here (no running event loop); Prefect types it as maybe-async
    return cast(Flow[..., Any], Flow.from_source(source=str(SOURCE), entrypoint=entrypoint))


def deploy(config: Path, pool: str, digest: bool = True) -> dict[str, UUID]:
    """Register the deployments; returns their ids by name. Raises ConfigError on a bad
    config, and Prefect's own errors when the API or the work pool is missing."""
    settings = load_settings(config)
    params = {"config_path": str(settings.config_path)}
    monitor = _flow("flows/monitor.py:monitor")
    ids: dict[str, Any] = {"monitor": monitor.deploy(
        name="pactwatch-monitor", work_pool_name=pool, build=False, push=False,
        interval=timedelta(minutes=settings.schedule.monitor_every_minutes),
        parameters=params, concurrency_limit=1, print_next_steps=False,
        description="Poll the feeds that are due, extract, analyse, load, flag.")}
    if digest and settings.email is not None:
        hour, minute = settings.schedule.digest_at.split(":")
        flow = _flow("flows/digest/flow.py:digest")
        ids["digest"] = flow.deploy(
            name="pactwatch-digest", work_pool_name=pool, build=False, push=False,
            schedule=Cron(f"{int(minute)} {int(hour)} * * *",
                          timezone=settings.schedule.timezone),
            parameters=params, concurrency_limit=1,
            print_next_steps=False, description="Mail the alert digest that is due.")
    return {name: cast(UUID, dep_id) for name, dep_id in ids.items()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--config", required=True, type=Path)
    parser.add_argument("--pool", default="pactwatch", help="process work pool name")
    args = parser.parse_args()
    for name, dep_id in deploy(args.config, args.pool).items():
        print(f"{name}: deployment {dep_id}")


if __name__ == "__main__":
    main()
