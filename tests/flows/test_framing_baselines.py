"""The pass's framing-change judgement from warehouse sums (warehouse/framing_baselines.py)
equals the whole-history judgement (`change_rows` on `framing_history`), on a real DuckDB
warehouse filled pass by pass: seeds, edited articles, versions without hits, late
arrivals, ties in publication time, an outlet known only by its site name, a version framed
again."""

from __future__ import annotations

import random
from dataclasses import fields
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import duckdb
import pytest

from extractors.framing import FRAMES
from flows.framing_step import change_rows, pass_change_rows
from warehouse.db import connect, migrate
from warehouse.framing_baselines import framing_baselines
from warehouse.load import insert_rows
from warehouse.schemas import ArticleRow, ArticleVersionRow, FramingChangeRow, FramingRow
from warehouse.state import framing_history

START = datetime(2025, 3, 3)             # a Monday
OUTLETS = ["Ledger", "Courier", "Herald", "Drift", None]   # None: the site name stands in
TONES = [-0.9, -0.5, -0.3, -0.1, 0.0, 0.1, 0.2, 0.5, 0.7, 0.9]


def _hits(rng: random.Random, outlet: str | None, week: int) -> dict[str, int]:
    if rng.random() < 0.08:
        return {}                                   # a version without hits
    lead = ("Economic" if outlet == "Drift" and week >= 4 else
            rng.choice(["Security_and_defense", "Political", "International_relations"]))
    hits = {lead: rng.randint(3, 12)}
    for f in rng.sample(FRAMES, rng.randint(0, 4)):
        hits[f] = hits.get(f, 0) + rng.randint(0, 3)
    if rng.random() < 0.1:
        hits = {rng.choice(FRAMES): rng.randint(5, 15)}   # a one-frame article
    return hits


def _framing(version_id: str, article_id: str, rng: random.Random, hits: dict[str, int],
             method: str = "test") -> list[FramingRow]:
    frames = [f for f in FRAMES if f in hits or rng.random() < 0.2]   # zero rows sometimes
    tone = rng.choice(TONES) if rng.random() < 0.7 else round(rng.uniform(-1, 1), 6)
    return [*(FramingRow(version_id=version_id, article_id=article_id, frame=f,
                         score=0.0, hits=hits.get(f, 0), sentence_idxs=[], terms=[],
                         method=method, run_id="r", votes=None) for f in frames),
            FramingRow(version_id=version_id, article_id=article_id, frame="tone", score=tone,
                       hits=rng.randint(0, 6), sentence_idxs=[], terms=[], method=method,
                       run_id="r", votes=None)]


def _history(seed: int) -> list[list[tuple[ArticleRow, list[ArticleVersionRow],
                                          list[FramingRow]]]]:
    """Passes of (article, its new versions, their framing rows)."""
    rng = random.Random(seed)
    passes: list[list[Any]] = [[] for _ in range(8)]
    for i in range(170):
        seed_article = i < 12
        outlet = rng.choice(OUTLETS)
        week = rng.randint(0, 7)
        # ties: many articles share a publication time; a few have none (first seen counts)
        published = START + timedelta(days=7 * week + rng.randint(0, 6), hours=rng.choice([0, 9]))
        first_seen = published + timedelta(hours=2)
        article_id = f"a{rng.randint(0, 99999):05d}-{i}"
        article = ArticleRow(article_id=article_id, canonical_url=f"https://x.example/{i}",
                             url=f"https://x.example/{i}", outlet=outlet, feed_id=None,
                             is_seed=seed_article, first_seen_at=first_seen, run_id="r")
        # seeds come first; then mostly in publication order, some arrive passes late
        arrive = 0 if seed_article else min(7, week if rng.random() < 0.8
                                            else rng.randint(week, 7))
        versions, rows = [], []
        for n in range(rng.choice([1, 1, 1, 2, 3])):
            vid = f"{article_id}-v{n}"
            hits = _hits(rng, outlet, week) if n == 0 or rng.random() < 0.5 else \
                {**_hits(rng, outlet, week + 5)}
            versions.append(ArticleVersionRow(
                version_id=vid, article_id=article_id, content_hash=vid,
                fetched_at=first_seen + timedelta(hours=n), run_id="r", title="t", author=None,
                published_at=None if rng.random() < 0.1 else published,
                site_name=f"site{i % 3}", language="en", text="x", extraction_method="test",
                extraction_note=None, relevant=True, relevance_score=None,
                relevance_reason=None, nlp_method=None, relevance_method=None,
                relevance_evidence=None, language_confidence=None, not_analysed_reason=None,
                page_problem=None))
            rows += _framing(vid, article_id, rng, hits)
        if len(versions) > 1 and rng.random() < 0.4:   # the edit arrives a pass later
            passes[arrive].append((article, versions[:1], rows_of(rows, versions[:1])))
            passes[min(7, arrive + 1)].append((None, versions[1:], rows_of(rows, versions[1:])))
        else:
            passes[arrive].append((article, versions, rows))
    return passes


def rows_of(rows: list[FramingRow], versions: list[ArticleVersionRow]) -> list[FramingRow]:
    ids = {v.version_id for v in versions}
    return [r for r in rows if r.version_id in ids]


def _key(r: FramingChangeRow) -> tuple[Any, ...]:
    return tuple(tuple(v) if isinstance(v := getattr(r, f.name), list) else v
                 for f in fields(r) if f.name != "detected_at")


def _by_scope(rows: list[FramingChangeRow], scope: str) -> set[tuple[Any, ...]]:
    return {_key(r) for r in rows if r.scope == scope}


def _old(con: duckdb.DuckDBPyConnection, fresh: set[str]) -> list[FramingChangeRow]:
    return change_rows("r", framing_history(con), fresh)


def _new(con: duckdb.DuckDBPyConnection, fresh: set[str], touched: frozenset[str] | set[str]
         = frozenset()) -> list[FramingChangeRow]:
    return pass_change_rows("r", framing_baselines(con, FRAMES, fresh, set(touched)), fresh)


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_pass_sums_equal_the_whole_history(tmp_path: Path, seed: int) -> None:
    con = connect(tmp_path / "w.duckdb")
    migrate(con)
    rng = random.Random(seed + 100)
    stored_old: dict[str, tuple[Any, ...]] = {}   # change_id → row, as the insert dedupes
    stored_new: dict[str, tuple[Any, ...]] = {}
    totals = {"article": 0, "version": 0, "outlet": 0}
    for n, batch in enumerate(_history(seed)):
        insert_rows(con, ArticleRow, [a for a, _v, _r in batch if a is not None])
        insert_rows(con, ArticleVersionRow, [v for _a, vs, _r in batch for v in vs])
        insert_rows(con, FramingRow, [r for _a, _v, rs in batch for r in rs])
        fresh = {v.version_id for _a, vs, _r in batch for v in vs}
        touched: set[str] = set()
        if n == 5:      # an old first version framed again: its outlet's weeks move
            old_v = con.execute("SELECT version_id, article_id FROM v_article_versions "
                                "WHERE version_no = 1 AND version_id NOT IN (SELECT unnest(?))"
                                " ORDER BY version_id LIMIT 1", [sorted(fresh)]).fetchall()[0]
            con.execute("DELETE FROM framing WHERE version_id = ?", [old_v[0]])
            insert_rows(con, FramingRow, _framing(old_v[0], old_v[1], rng,
                                                  {"Economic": 20, "Morality": 9}))
            touched = {old_v[0]}
        old, new = _old(con, fresh), _new(con, fresh, touched)
        for scope in ("article", "version"):
            assert _by_scope(new, scope) == _by_scope(old, scope), (n, scope)
            totals[scope] += len(_by_scope(old, scope))
        # outlet weeks: the pass judges only the weeks that can have changed, each as the
        # whole history does; what is stored after the pass is the same
        assert _by_scope(new, "outlet") <= _by_scope(old, "outlet"), n
        for stored, rows in ((stored_old, old), (stored_new, new)):
            for r in rows:
                if r.scope == "outlet":
                    stored.setdefault(r.change_id, _key(r))
        assert stored_new == stored_old, n
        totals["outlet"] = len(stored_old)
    assert all(totals.values()), totals     # every scope was exercised
    # any set of fresh versions, late ones and seeds included, on the full warehouse
    ids = [r[0] for r in con.execute("SELECT version_id FROM framing GROUP BY 1 ORDER BY 1")
           .fetchall()]
    for size in (1, 5, 40, len(ids)):
        fresh = set(rng.sample(ids, size))
        old, new = _old(con, fresh), _new(con, fresh)
        for scope in ("article", "version"):
            assert _by_scope(new, scope) == _by_scope(old, scope), (size, scope)
        assert _by_scope(new, "outlet") <= _by_scope(old, "outlet")
    # every week of every outlet judged again (all versions touched) is the whole history's
    assert _by_scope(_new(con, set(), set(ids)), "outlet") == _by_scope(_old(con, set()),
                                                                         "outlet")
