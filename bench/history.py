"""A pass against a large history (issue 15, target 3).

    nice .venv/bin/python bench/history.py [--articles 100000] [--new 200] [--keep DIR]
    nice .venv/bin/python bench/history.py --reads DIR/history.duckdb   # read by read

Writes synthetic history straight into a migrated warehouse with DuckDB bulk inserts (not
through the pipeline): `--articles` earlier articles over the past year, each with a
version, 10 sentences, 10 claims (vectors, keys, judgements), a signature and its bands,
framing rows, a feed entry and a page fetch, plus a year of feed polls every 15 minutes
(10 feeds). Claim vectors are real MiniLM vectors of 512 bench sentences with noise, so
that new claims meet close earlier ones (cosine 0.6-0.9) as they would on one story.
Then the claim index is built (timed apart: a pass finds it ready), and one `monitor` pass
of `--new` synthetic articles (bench/pipeline.py's) runs in a fresh process against an
empty warehouse and against the history. Prints the flow's time without Prefect's start,
and the peak RSS of each process:

    history: empty Xs, 100k Ys, ratio R, memory +M MB
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.pipeline import build_site, peak_mb, sentence  # noqa: E402

POOL = 512          # distinct sentences whose vectors the history's claims vary
CLAIMS = 10         # claims (and sentences) per earlier article
FEEDS = 10
CHUNK = 100_000     # claims per vector insert


def _pool() -> tuple[list[str], object]:
    import numpy as np

    from extractors.embeddings import shared_encoder

    rng = random.Random(7)
    texts = [sentence(rng) for _ in range(POOL)]
    return texts, np.asarray(shared_encoder().encode(texts), dtype=np.float32)


def _sql(con: object, sql: str, **params: object) -> None:
    con.execute(sql.format(**params))  # type: ignore[attr-defined]


ARTICLES = """
INSERT INTO articles SELECT 'h' || i, 'https://old.example/a' || i,
    'https://old.example/a' || i, 'Old ' || (i % {feeds}), 'oldfeed' || (i % {feeds}), false,
    TIMESTAMP '{start}' + INTERVAL (i * {step}) SECOND, 'hist' FROM range({n}) t(i);
INSERT INTO article_versions (version_id, article_id, content_hash, fetched_at, run_id, title,
    published_at, site_name, language, text, extraction_method, relevant, relevance_score,
    nlp_method, relevance_method, language_confidence)
SELECT 'hv' || i, 'h' || i, md5('h' || i), TIMESTAMP '{start}' + INTERVAL (i * {step}) SECOND,
    'hist', 'Old report ' || i, TIMESTAMP '{start}' + INTERVAL (i * {step}) SECOND, 'Old',
    'en', 'Old report ' || i || ' on the treaty.', 'bench', true, 0.9, 'bench', 'bench', 0.99
FROM range({n}) t(i);
INSERT INTO feed_entries SELECT 'oldfeed' || (i % {feeds}), 'https://old.example/a' || i,
    md5('e' || i), NULL, 'https://old.example/a' || i, 'Old report ' || i, NULL,
    TIMESTAMP '{start}' + INTERVAL (i * {step}) SECOND, NULL,
    TIMESTAMP '{start}' + INTERVAL (i * {step}) SECOND, 'hist', NULL FROM range({n}) t(i);
INSERT INTO fetches (fetch_id, run_id, kind, url, feed_id, requested_at, outcome, status_code,
    bytes, etag, content_hash, elapsed_ms)
SELECT 'hf' || i, 'hist', 'page', 'https://old.example/a' || i, 'oldfeed' || (i % {feeds}),
    TIMESTAMP '{start}' + INTERVAL (i * {step}) SECOND, 'ok', 200, 20000, '"e' || i || '"',
    md5('h' || i), 120 FROM range({n}) t(i);
INSERT INTO fetches (fetch_id, run_id, kind, url, feed_id, requested_at, outcome, status_code,
    bytes, etag, elapsed_ms)
SELECT 'hp' || i, 'hist', 'feed', 'https://old.example/feed' || (i % {feeds}) || '.xml',
    'oldfeed' || (i % {feeds}), TIMESTAMP '{start}' + INTERVAL (i * 90) SECOND,
    CASE WHEN i % 7 = 0 THEN 'ok' ELSE 'not_modified' END, 200, 5000, '"f' || i || '"', 80
FROM range({polls}) t(i);
INSERT INTO sentences SELECT 'hv' || a || ':' || s, 'hv' || a, 'h' || a, s, s * 100, s * 100 + 99,
    p.text FROM range({n}) t(a), range({claims}) u(s) JOIN _pool p ON p.idx = (a * 7 + s) % {pool};
"""

CLAIM_ROWS = """
INSERT INTO claims SELECT 'hv' || a || ':' || s, 'hv' || a || ':' || s, 'hv' || a, 'h' || a, s,
    s * 100, s * 100 + 99, p.text, p.text, '', [], NULL, 'asserted', p.predicate, false, p.actors,
    [], [], p.lemmas, p.verbs, 0.8, 'bench', 'hist'
FROM range({n}) t(a), range({claims}) u(s) JOIN _pool p ON p.idx = (a * 7 + s) % {pool};
INSERT INTO claim_judgements SELECT 'hj' || a || ':' || s, 'hv' || a || ':' || s, 'hist',
    TIMESTAMP '{start}' + INTERVAL (a * {step}) SECOND, 'new', NULL, 0.5, [],
    'hv' || a || ':' || s, TIMESTAMP '{start}' + INTERVAL (a * {step}) SECOND, 'bench'
FROM range({n}) t(a), range({claims}) u(s);
INSERT INTO article_signatures SELECT 'hv' || i, 'h' || i, 'hist',
    list_transform(range(64), lambda x: (hash(i, x) % 2305843009213693951)::BIGINT), 'bench'
FROM range({n}) t(i);
INSERT INTO signature_bands SELECT s.version_id, s.article_id, b.band_no,
    s.signature[b.band_no * 4 + 1 : b.band_no * 4 + 4]
FROM article_signatures s, (SELECT range::INTEGER AS band_no FROM range(16)) b
WHERE s.run_id = 'hist';
INSERT INTO duplicate_checks SELECT 'hv' || i, 'hist', TIMESTAMP '{end}' FROM range({n}) t(i);
INSERT INTO runs (run_id, started_at, finished_at, status) VALUES
    ('hist', TIMESTAMP '{start}', TIMESTAMP '{end}', 'completed');
"""

FRAMING = """
INSERT INTO framing SELECT 'hv' || a, 'h' || a, f.frame,
    CASE WHEN f.frame = 'tone' THEN ((a % 11) - 5) / 10.0 ELSE ((a + f.n) % 5) / 10.0 END,
    (a * 3 + f.n * 5) % 4, [], [], '{method}', 'hist', (a + f.n) % 3
FROM range({n}) t(a), (VALUES {frames}) f(frame, n);
INSERT INTO framing_checks SELECT 'hv' || a, 'hist', TIMESTAMP '{end}' FROM range({n}) t(a);
"""


def _pool_table(con: object, texts: list[str]) -> None:
    import pyarrow as pa

    rows = []
    for i, text in enumerate(texts):
        words = [w.strip(".,").lower() for w in text.split()]
        actors = [a for a in ("Russia", "North Korea", "Vladimir Putin", "Kim Jong Un",
                              "South Korea", "Japan", "China", "Ukraine") if a in text][:2]
        rows.append({"idx": i, "text": text, "lemmas": words, "verbs": ["send"],
                     "predicate": "send", "actors": actors})
    con.register("_pool_in", pa.Table.from_pylist(rows))  # type: ignore[attr-defined]
    con.execute("CREATE TEMP TABLE _pool AS SELECT * FROM _pool_in")  # type: ignore[attr-defined]


def _vectors(con: object, n_claims: int, pool: object, first_key: int) -> None:
    import numpy as np
    import pyarrow as pa

    rng = np.random.default_rng(15)
    base = np.asarray(pool)
    for lo in range(0, n_claims, CHUNK):
        ids = np.arange(lo, min(n_claims, lo + CHUNK))
        a, s = ids // CLAIMS, ids % CLAIMS
        v = base[(a * 7 + s) % POOL] + rng.normal(0, 0.03, (len(ids), base.shape[1])
                                                  ).astype(np.float32)
        v /= np.linalg.norm(v, axis=1, keepdims=True)
        names = [f"hv{x}:{y}" for x, y in zip(a, s, strict=True)]
        table = pa.table({
            "claim_id": names,
            "vector": pa.FixedSizeListArray.from_arrays(pa.array(v.ravel()), v.shape[1]),
            "key": ids + first_key})
        con.register("_vec_in", table)  # type: ignore[attr-defined]
        con.execute("INSERT INTO claim_vectors SELECT claim_id, vector, 'bench', "  # type: ignore[attr-defined]
                    "TIMESTAMP '2026-01-01' FROM _vec_in")
        con.execute("INSERT INTO claim_keys SELECT key, claim_id FROM _vec_in")  # type: ignore[attr-defined]
        con.unregister("_vec_in")  # type: ignore[attr-defined]


def generate(path: Path, n: int) -> dict[str, float]:
    """Write `n` earlier articles into the (seeded) warehouse at `path`; complete the claim
    index."""
    from extractors.framing import FRAMES, method_for
    from warehouse.claim_index import ClaimIndex, folder_for
    from warehouse.db import connect, migrate, transaction
    from warehouse.history import max_claim_key, vectors_after

    started = time.perf_counter()
    texts, pool = _pool()
    con = connect(path)
    migrate(con)
    _pool_table(con, texts)
    step = 365 * 86400 // max(n, 1)
    params = {"n": n, "feeds": FEEDS, "claims": CLAIMS, "pool": POOL, "step": step,
              "start": "2025-11-01 00:00:00", "end": "2026-11-01 00:00:00",
              "polls": 365 * 96 * FEEDS // 10, "method": method_for(True),
              "frames": ", ".join(f"('{f}', {k})" for k, f in enumerate([*FRAMES, "tone"]))}
    with transaction(con):
        for sql in (ARTICLES, CLAIM_ROWS, FRAMING):
            for statement in sql.format(**params).split(";\n"):
                if statement.strip():
                    con.execute(statement)
        _vectors(con, n * CLAIMS, pool, max_claim_key(con) + 1)
    con.execute("CHECKPOINT")
    generated = time.perf_counter() - started
    started = time.perf_counter()
    index = ClaimIndex(folder_for(path))
    index.sync(max_claim_key(con), lambda after: vectors_after(con, after))
    con.close()
    return {"generate_s": generated, "index_s": time.perf_counter() - started,
            "size_mb": path.stat().st_size / 2**20}


def pass_child(site_url: str, workdir: str, warehouse: str, seed_only: str = "") -> None:
    """One monitor pass into `warehouse` (run in a fresh process); prints its figures.
    `seed_only`: poll one empty feed (the pass loads the story's seed articles)."""
    from flows.monitor import monitor

    config = Path(workdir) / f"{Path(warehouse).stem}.toml"
    names = ["empty"] if seed_only else [f"feed{f}" for f in range(FEEDS)]
    feeds = "".join(f"\n[[feeds]]\nname = 'Feed {f}'\nurl = '{site_url}/{f}.xml'\n"
                    for f in names)
    config.write_text(f"[warehouse]\npath = '{warehouse}'\n[fetch]\n"
                      "allow_private_addresses = true\nper_host_concurrency = 8\n" + feeds)
    started = time.perf_counter()
    summary = monitor(str(config), force=True)
    print("RESULT " + json.dumps({
        "wall_s": time.perf_counter() - started, "flow_s": summary.elapsed_s,
        "articles": summary.counts["articles_new"], "claims": summary.claims,
        "rss_mb": peak_mb()}))


def run_pass(site_url: str, workdir: Path, warehouse: Path, seed_only: bool = False
             ) -> dict[str, float]:
    env = {**os.environ, "PREFECT_LOGGING_LEVEL": "WARNING",
           "PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS": "300",
           "PREFECT_HOME": str(workdir / "prefect"), "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
           "DO_NOT_TRACK": "1"}
    done = subprocess.run([sys.executable, __file__, "--child", site_url, str(workdir),
                           str(warehouse), "seed-only" if seed_only else ""],
                          capture_output=True, text=True, env=env)
    lines = [x for x in done.stdout.splitlines() if x.startswith("RESULT ")]
    if done.returncode or not lines:
        raise SystemExit(f"pass failed ({done.returncode}):\n{done.stderr[-4000:]}")
    return dict(json.loads(lines[-1][7:]))


def reads(path: Path) -> None:
    """Time each read a pass makes of history, on a kept warehouse (`--reads FILE`):
    where a pass against a large history spends its time, read by read."""
    from datetime import timedelta

    import numpy as np

    from extractors.framing import FRAMES, method_for
    from warehouse import state
    from warehouse.claim_index import ClaimIndex, folder_for
    from warehouse.db import connect, utcnow
    from warehouse.framing_baselines import framing_baselines
    from warehouse.history import claims_to_judge, unchecked_signatures

    con = connect(path)
    index = ClaimIndex(folder_for(path))
    queries = np.random.default_rng(1).normal(size=(2000, 384)).astype(np.float32)
    queries /= np.linalg.norm(queries, axis=1, keepdims=True)
    latest = {str(r[0]) for r in con.execute(
        "SELECT version_id FROM article_versions ORDER BY fetched_at DESC LIMIT 200").fetchall()}
    steps = {
        "claims to judge": lambda: claims_to_judge(con),
        "claim index: 2,000 queries": lambda: index.search(queries, 20),
        "unchecked signatures": lambda: unchecked_signatures(con),
        "framing history (every framing row)": lambda: state.framing_history(con),
        "framing baselines (sums for the 200 latest versions)": lambda: framing_baselines(
            con, FRAMES, latest, set()),
        "unframed versions": lambda: state.unframed_versions(con, method_for(True)),
        "feed validators (fetch log)": lambda: state.feed_validators(con),
        "unfinished entries (fetch log)": lambda: state.unfinished_entries(con),
        "feed text due (fetch log)": lambda: state.feed_text_due(
            con, utcnow() - timedelta(days=3), utcnow() - timedelta(hours=6)),
    }
    for name, step in steps.items():
        before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        started = time.perf_counter()
        step()
        after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(f"| {name} | {time.perf_counter() - started:.2f} | {after - before:+.0f} |",
              flush=True)
    con.close()


def main() -> None:
    from deploy.demo.server import DevServer
    from warehouse.claim_index import folder_for

    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--articles", type=int, default=100_000)
    parser.add_argument("--new", type=int, default=200)
    parser.add_argument("--keep", type=Path, help="work in this folder and keep it")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        work = args.keep or Path(tmp)
        work.mkdir(parents=True, exist_ok=True)
        site = work / "site"
        site.mkdir(exist_ok=True)
        build_site(site, args.new)
        (site / "empty.xml").write_text("<rss version='2.0'><channel><title>E</title>"
                                        "</channel></rss>")
        with DevServer(site) as server:
            # Both warehouses start from one that has run once (the seeds are loaded).
            run_pass(server.base_url, work, work / "seeded.duckdb", seed_only=True)
            for name in ("empty", "history"):
                shutil.copyfile(work / "seeded.duckdb", work / f"{name}.duckdb")
                if folder_for(work / "seeded.duckdb").exists():
                    shutil.copytree(folder_for(work / "seeded.duckdb"),
                                    folder_for(work / f"{name}.duckdb"))
            made = generate(work / "history.duckdb", args.articles)
            print(f"generated {args.articles:,} articles in {made['generate_s']:.0f}s "
                  f"({made['size_mb']:.0f} MB); claim index completed in "
                  f"{made['index_s']:.0f}s", flush=True)
            empty = run_pass(server.base_url, work, work / "empty.duckdb")
            full = run_pass(server.base_url, work, work / "history.duckdb")
    for name, r in (("empty", empty), ("history", full)):
        print(f"{name}: {json.dumps(r)}")
    label = f"{args.articles // 1000}k" if args.articles >= 1000 else str(args.articles)
    print(f"history: empty {empty['flow_s']:.1f}s, {label} {full['flow_s']:.1f}s, "
          f"ratio {full['flow_s'] / empty['flow_s']:.2f}, "
          f"memory {full['rss_mb'] - empty['rss_mb']:+.0f} MB")


if __name__ == "__main__":
    if sys.argv[1:2] == ["--child"]:
        pass_child(*sys.argv[2:6])
    elif sys.argv[1:2] == ["--reads"]:
        reads(Path(sys.argv[2]))
    else:
        main()
