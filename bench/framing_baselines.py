"""Framing changes of one pass against a large history: the whole history in memory (before
issue 15, target 3) against the warehouse's sums (warehouse/framing_baselines.py).

    nice .venv/bin/python bench/framing_baselines.py [--articles 100000] [--new 200]

Writes `--articles` earlier articles with one framed version each (bench/history.py's
articles and FRAMING statement: 15 framing rows a version, 10 outlets, over a year) into a
temporary warehouse, then `--new` new first versions: all published after the history
("latest"), or a tenth of them published mid-year ("late": their outlets' weeks from then
on are judged again). Times each way of judging them and checks that both flag the same
articles and versions (and the pass's outlet weeks among the whole history's):

    latest: whole history Xs, sums Ys (read Rs)

"whole history" is the reference the tests compare with (framing_history, then
extractors.framing_changes on every version; sums by math.fsum).
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.history import FRAMING  # noqa: E402

ARTICLES = """
INSERT INTO articles SELECT '{p}' || i, 'https://old.example/{p}' || i,
    'https://old.example/{p}' || i, 'Old ' || (i % {feeds}), 'oldfeed' || (i % {feeds}), false,
    {when}, 'hist' FROM range({n}) t(i);
INSERT INTO article_versions (version_id, article_id, content_hash, fetched_at, run_id, title,
    published_at, site_name, language, text, extraction_method, relevant, relevance_score,
    nlp_method, relevance_method, language_confidence)
SELECT '{p}v' || i, '{p}' || i, md5('{p}' || i), {when}, 'hist', 'Old report ' || i, {when},
    'Old', 'en', 'Old report ' || i || ' on the treaty.', 'bench', true, 0.9, 'bench', 'bench',
    0.99 FROM range({n}) t(i);
"""
HISTORY = "TIMESTAMP '2025-11-01' + INTERVAL (i * {step}) SECOND"
LATEST = "TIMESTAMP '2026-11-02' + INTERVAL (i * 60) SECOND"
LATE = ("CASE WHEN i % 10 = 0 THEN TIMESTAMP '2026-05-01' + INTERVAL (i * 60) SECOND "
        "ELSE TIMESTAMP '2026-11-02' + INTERVAL (i * 60) SECOND END")


# new versions: a third lean on one frame (flagged against their outlets), the rest as before
HITS = ("CASE WHEN a % 3 > 0 THEN (a * 3 + f.n * 5) % 4 WHEN f.n = a % 14 THEN 12 "
        "WHEN f.frame = 'tone' THEN 4 ELSE 0 END")
EDITS = """
INSERT INTO article_versions (version_id, article_id, content_hash, fetched_at, run_id, title,
    published_at, site_name, language, text, extraction_method, relevant, relevance_score,
    nlp_method, relevance_method, language_confidence)
SELECT 'ev' || i, 'h' || (i * 997 % {n}), md5('e' || i), TIMESTAMP '2026-11-03', 'hist',
    'Edited', NULL, 'Old', 'en', 'Edited.', 'bench', true, 0.9, 'bench', 'bench', 0.99
FROM range({k}) t(i);
INSERT INTO framing SELECT 'ev' || i, 'h' || (i * 997 % {n}), f.frame,
    CASE WHEN f.frame = 'tone' THEN 0.9 ELSE 0.1 END,
    CASE WHEN f.n = i % 14 THEN 10 WHEN f.frame = 'tone' THEN 5 ELSE 0 END, [], [], '{method}',
    'hist', NULL FROM range({k}) t(i), (VALUES {frames}) f(frame, n);
"""


def build(con: object, n: int, p: str, when: str, new: bool, n_history: int = 0) -> None:
    from extractors.framing import FRAMES, method_for

    frames = ", ".join(f"('{f}', {k})" for k, f in enumerate([*FRAMES, "tone"]))
    sql = ARTICLES.format(p=p, n=n, feeds=10, when=when) + FRAMING.format(
        n=n, frames=frames, method=method_for(True), end="2026-11-01").replace(
        "'hv' || a", f"'{p}v' || a").replace("'h' || a", f"'{p}' || a").replace(
        "(a * 3 + f.n * 5) % 4", HITS if new else "(a * 3 + f.n * 5) % 4")
    for statement in sql.split(";\n"):
        if statement.strip() and (p == "h" or "framing_checks" not in statement):
            con.execute(statement)  # type: ignore[attr-defined]
    if new:           # and edits of earlier articles
        for statement in EDITS.format(n=n_history, k=n // 10, method=method_for(True),
                                      frames=frames).split(";\n"):
            if statement.strip():
                con.execute(statement)  # type: ignore[attr-defined]


def main() -> None:
    from extractors.framing import FRAMES
    from flows.framing_step import change_rows, pass_change_rows
    from warehouse.db import connect, migrate
    from warehouse.framing_baselines import framing_baselines
    from warehouse.state import framing_history

    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--articles", type=int, default=100_000)
    parser.add_argument("--new", type=int, default=200)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        con = connect(Path(tmp) / "w.duckdb")
        migrate(con)
        started = time.perf_counter()
        build(con, args.articles, "h", HISTORY.format(step=365 * 86400 // args.articles),
              False)
        con.execute("CHECKPOINT")
        print(f"history of {args.articles:,} versions written in "
              f"{time.perf_counter() - started:.1f}s", flush=True)
        for name, when in (("latest", LATEST), ("late", LATE)):
            con.execute("BEGIN")
            build(con, args.new, "n", when, True, args.articles)
            fresh = {f"nv{i}" for i in range(args.new)} | {f"ev{i}" for i in range(args.new // 10)}
            started = time.perf_counter()
            old = change_rows("bench", framing_history(con), fresh)
            old_s = time.perf_counter() - started
            started = time.perf_counter()
            read = framing_baselines(con, FRAMES, fresh, set())
            read_s = time.perf_counter() - started
            new = pass_change_rows("bench", read, fresh)
            new_s = time.perf_counter() - started
            con.execute("ROLLBACK")

            def keys(rows: list[object], scopes: tuple[str, ...]) -> set[tuple[object, ...]]:
                return {(r.change_id, r.magnitude, r.tone_before, r.p_value)  # type: ignore[attr-defined]
                        for r in rows if r.scope in scopes}  # type: ignore[attr-defined]
            same = keys(new, ("article", "version")) == keys(old, ("article", "version")) \
                and keys(new, ("outlet",)) <= keys(old, ("outlet",))
            print(f"{name}: whole history {old_s:.2f}s ({len(old)} flags), sums {new_s:.2f}s "
                  f"(read {read_s:.2f}s, {len(new)} flags: {len(read.articles)} articles, "
                  f"{len(read.weeks)} outlet weeks judged), "
                  f"{'same flags' if same else 'FLAGS DIFFER'}", flush=True)
        con.close()


if __name__ == "__main__":
    main()
