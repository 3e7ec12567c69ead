"""`pactwatch export`: every public view to Parquet or CSV, each file written atomically."""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import duckdb

from warehouse.db import utcnow

# Every public view (v_*) and the column --since filters on (None: exported whole). The
# export writes the views the warehouse has; a test holds this table to the same list.
SINCE: dict[str, str | None] = {
    "v_articles": "published_at", "v_article_versions": "fetched_at", "v_claims": "published_at",
    "v_new_claims": "published_at", "v_entities": "first_seen_at", "v_runs": "started_at",
    "v_failures": "occurred_at", "v_feeds": None, "v_feed_schedule": None,
    "v_digests": "created_at", "v_digest_items": "created_at", "v_framing": "published_at",
    "v_framing_changes": "detected_at",
    # the story page's views: aggregates and timelines, exported whole
    "v_claim_timelines": None, "v_coverage_daily": None, "v_framing_weekly": None,
    "v_framing_evidence": None, "v_entity_weeks": None, "v_entities_rising": None,
}
# views without an outlet column get it from their article
WITH_OUTLET = {"v_article_versions": "SELECT v.*, a.outlet FROM v_article_versions v "
                                     "LEFT JOIN v_articles a USING (article_id)"}


@dataclass(frozen=True)
class Exported:
    view: str
    path: Path
    rows: int


def public_views(con: duckdb.DuckDBPyConnection) -> list[str]:
    """The names of the warehouse's public views (`v_*`), sorted."""
    rows = con.execute("SELECT view_name FROM duckdb_views() WHERE NOT internal "
                       "AND starts_with(view_name, 'v_') ORDER BY view_name").fetchall()
    return [r[0] for r in rows]


def _query(view: str, since: date | None) -> tuple[str, list[Any]]:
    """The SELECT for `view` and its parameters; view and column names come from the
    warehouse's own catalogue and SINCE, never from the user."""
    base = WITH_OUTLET.get(view, f'SELECT * FROM "{view}"')
    column = SINCE.get(view)
    if since is None or column is None:
        return base, []
    return f'SELECT * FROM ({base}) WHERE "{column}" >= ?', [since]


def _write(con: duckdb.DuckDBPyConnection, view: str, fmt: str, since: date | None,
           target: Path) -> int:
    """Write one view to `target` (a temporary name, then renamed); returns its rows. The
    path goes to DuckDB as a value, never into SQL text."""
    sql, params = _query(view, since)
    tmp = target.with_name(f".{target.name}.{os.getpid()}.tmp")
    try:
        relation = con.sql(sql, params=params)
        if fmt == "parquet":
            relation.write_parquet(str(tmp))
        else:
            relation.write_csv(str(tmp), header=True)
        os.replace(tmp, target)
    finally:
        tmp.unlink(missing_ok=True)
    return int(con.execute(f"SELECT count(*) FROM ({sql})", params).fetchall()[0][0])


def export(con: duckdb.DuckDBPyConnection, out: Path, fmt: str,
           since: date | None = None) -> list[Exported]:
    """Write each public view to `out/<view>.<fmt>` and `out/manifest.json` last.
    Raises ValueError for an unknown format."""
    if fmt not in ("parquet", "csv"):
        raise ValueError(f"format must be parquet or csv, got {fmt!r}")
    out.mkdir(parents=True, exist_ok=True)
    done = []
    for view in public_views(con):
        target = out / f"{view}.{fmt}"
        done.append(Exported(view, target, _write(con, view, fmt, since, target)))
    manifest = {"exported_at": utcnow().isoformat(), "format": fmt,
                "since": since.isoformat() if since else None,
                "files": {e.view: {"file": e.path.name, "rows": e.rows} for e in done}}
    tmp = out / f".manifest.json.{os.getpid()}.tmp"
    tmp.write_text(json.dumps(manifest, indent=2), encoding="utf-8")
    os.replace(tmp, out / "manifest.json")
    return done
