"""`pactwatch export`: every public view to Parquet or CSV, each file written atomically."""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import duckdb

from warehouse.db import utcnow

# view → the column --since filters on (None: exported whole)
VIEWS: dict[str, str | None] = {
    "v_articles": "published_at", "v_article_versions": "fetched_at", "v_claims": "published_at",
    "v_new_claims": "published_at", "v_entities": "first_seen_at", "v_runs": "started_at",
    "v_failures": "occurred_at", "v_feeds": None, "v_feed_schedule": None,
    "v_digests": "created_at", "v_digest_items": "created_at",
}
# views without an outlet column get it from their article
WITH_OUTLET = {"v_article_versions": "SELECT v.*, a.outlet FROM v_article_versions v "
                                     "LEFT JOIN v_articles a USING (article_id)"}


@dataclass(frozen=True)
class Exported:
    view: str
    path: Path
    rows: int


def _query(view: str, since: date | None) -> str:
    base = WITH_OUTLET.get(view, f"SELECT * FROM {view}")
    column = VIEWS[view]
    if since is None or column is None:
        return base
    return f"SELECT * FROM ({base}) WHERE {column} >= DATE '{since.isoformat()}'"


def export(con: duckdb.DuckDBPyConnection, out: Path, fmt: str,
           since: date | None = None) -> list[Exported]:
    """Write each public view to `out/<view>.<fmt>` (a temporary name, then renamed into
    place), and `out/manifest.json` last. Raises ValueError for an unknown format."""
    if fmt not in ("parquet", "csv"):
        raise ValueError(f"format must be parquet or csv, got {fmt!r}")
    out.mkdir(parents=True, exist_ok=True)
    done = []
    for view in VIEWS:
        target = out / f"{view}.{fmt}"
        tmp = out / f".{view}.{fmt}.{os.getpid()}.tmp"
        options = "FORMAT parquet" if fmt == "parquet" else "FORMAT csv, HEADER true"
        try:
            con.execute(f"COPY ({_query(view, since)}) TO '{tmp}' ({options})")
            os.replace(tmp, target)
        finally:
            tmp.unlink(missing_ok=True)
        rows = con.execute(f"SELECT count(*) FROM ({_query(view, since)})").fetchall()[0][0]
        done.append(Exported(view, target, int(rows)))
    manifest = {"exported_at": utcnow().isoformat(), "format": fmt,
                "since": since.isoformat() if since else None,
                "files": {e.view: {"file": e.path.name, "rows": e.rows} for e in done}}
    tmp = out / f".manifest.json.{os.getpid()}.tmp"
    tmp.write_text(json.dumps(manifest, indent=2), encoding="utf-8")
    os.replace(tmp, out / "manifest.json")
    return done
