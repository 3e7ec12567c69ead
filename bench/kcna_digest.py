"""The digest of one monitor pass over the real KCNA stories about Russia (issue 12).

    nice .venv/bin/python bench/kcna_digest.py [--keep DIR] [--digest-only DIR]

Reads `../shared/eval/realworld-dev/kcna-2024.jsonl` (skips with a message when it is
absent), keeps the stories whose headline or text names Russia (one per link), serves them
as one RSS feed and their pages from a loopback server, runs one `monitor` pass into a
temporary warehouse, stores the digest that is due (not mailed), and prints it as text,
then checks on the snapshot that the digest's "N more" query returns exactly N rows.
`--keep DIR` keeps the warehouse in DIR; `--digest-only DIR` builds the digest again from
the warehouse a `--keep` run left (on a copy, without its earlier digests), without a pass.
Nothing of the stories is written into the repository.
"""

from __future__ import annotations

import argparse
import hashlib
import html
import json
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
KCNA = ROOT.parent / "shared" / "eval" / "realworld-dev" / "kcna-2024.jsonl"
OUTLET = {"name": "KCNA", "key": "kcna", "format": "rss2"}


def stories() -> list[dict[str, Any]]:
    """The stories naming Russia, first occurrence of each link, as feed items."""
    seen: dict[str, dict[str, Any]] = {}
    for line in KCNA.read_text(encoding="utf-8").splitlines():
        r = json.loads(line)
        if "russia" in f"{r['headline']} {r['story_text']}".lower():
            seen.setdefault(r["link"], r)
    return [{"slug": hashlib.sha1(link.encode()).hexdigest()[:12], "outlet": "kcna",
             "title": r["headline"], "date": f"{r['date_str']}T00:00:00Z", "author": "KCNA",
             "summary": r["headline"], "text": r["story_text"]} for link, r in seen.items()]


def page(a: dict[str, Any]) -> str:
    """A plain article page: the headline and one paragraph per line of the story."""
    paras = "".join(f"<p>{html.escape(p)}</p>\n" for p in a["text"].split("\n") if p.strip())
    return (f"<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'><title>"
            f"{html.escape(a['title'])}</title><meta property='article:published_time' "
            f"content='{a['date']}'></head><body><article><h1>{html.escape(a['title'])}</h1>"
            f"\n{paras}</article></body></html>")


def build_site(root: Path, items: list[dict[str, Any]]) -> None:
    from deploy.demo.build import render_feed

    (root / "kcna").mkdir(parents=True)
    for a in items:
        (root / "kcna" / f"{a['slug']}.html").write_text(page(a), encoding="utf-8")
    newest = sorted(items, key=lambda a: a["date"], reverse=True)
    (root / "kcna" / "feed.xml").write_text(render_feed(OUTLET, newest, ""), encoding="utf-8")


def monitor_pass(items: list[dict[str, Any]], work: Path) -> Path:
    """Serve the stories on loopback and run one pass; returns the config file."""
    from deploy.demo.server import DevServer
    from flows.monitor import monitor

    build_site(work / "site", items)
    with DevServer(work / "site") as server:
        config = work / "kcna.toml"
        config.write_text("[warehouse]\npath = 'kcna.duckdb'\n[fetch]\n"
                          "allow_private_addresses = true\nper_host_concurrency = 4\n"
                          f"[[feeds]]\nname = 'KCNA'\nurl = '{server.base_url}/kcna/feed.xml'\n",
                          encoding="utf-8")
        started = time.perf_counter()
        summary = monitor(str(config), force=True)
        print(f"pass: {summary.status}, {summary.counts.get('articles_new')} articles new, "
              f"{time.perf_counter() - started:.0f} s", file=sys.stderr)
    return config


def digest(config: Path) -> None:
    """Store the due digest (not mailed), print it, check its "N more" query on the snapshot."""
    import duckdb

    from flows.config import load_settings
    from flows.digest.flow import build_digest, store
    from flows.digest.render import render_text
    from warehouse.db import open_warehouse, publish_snapshot

    settings = load_settings(config)
    with open_warehouse(settings.warehouse_path) as con:
        d = build_digest(con, settings=settings)
        store(con, d, ())
        [(flagged, relevant)] = con.execute(
            "SELECT count(*) FILTER (WHERE status IN ('new', 'changed') AND NOT is_seed), "
            "count(DISTINCT article_id) FILTER (WHERE NOT is_seed) FROM v_claims").fetchall()
    snap = publish_snapshot(settings.warehouse_path)
    reader = duckdb.connect(str(snap), read_only=True)
    rows = reader.execute(d.more_query).fetchall()
    reader.close()
    print(render_text(d))
    print(f"SUMMARY flagged claims {flagged} from {relevant} articles; assertions "
          f"{d.count('new')} new, {d.count('changed')} changed; items {len(d.items)}; shown "
          f"{len(d.shown)}; not shown {d.not_shown}; the 'more' query returned {len(rows)} rows")
    assert len(rows) == d.not_shown, (len(rows), d.not_shown)


def without_digests(kept: Path, work: Path) -> Path:
    """A copy of a kept warehouse with its digests removed, and a config pointing at it."""
    import duckdb

    shutil.copy(kept / "kcna.duckdb", work / "kcna.duckdb")
    shutil.copy(kept / "kcna.toml", work / "kcna.toml")
    con = duckdb.connect(str(work / "kcna.duckdb"))
    for table in ("digest_deliveries", "digest_items", "digests"):
        con.execute(f"DELETE FROM {table}")
    con.close()
    return work / "kcna.toml"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--keep", type=Path, help="keep the warehouse in this folder")
    parser.add_argument("--digest-only", type=Path, help="a folder a --keep run left")
    args = parser.parse_args()
    if not KCNA.exists():
        print(f"skipped: {KCNA} is absent (the shared evaluation data; see "
              "../shared/eval/README.md)")
        return 0
    os.environ.setdefault("PREFECT_LOGGING_LEVEL", "WARNING")
    with tempfile.TemporaryDirectory(prefix="kcna-digest-") as tmp:
        os.environ.setdefault("PREFECT_HOME", str(Path(tmp) / "prefect"))
        from flows.config import prefect_defaults

        prefect_defaults()
        if args.digest_only:
            digest(without_digests(args.digest_only, Path(tmp)))
            return 0
        items = stories()
        print(f"{len(items)} stories naming Russia", file=sys.stderr)
        work = args.keep or Path(tmp)
        work.mkdir(parents=True, exist_ok=True)
        digest(monitor_pass(items, work))
    return 0


if __name__ == "__main__":
    sys.exit(main())
