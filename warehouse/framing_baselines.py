"""What a pass's framing-change judgement reads of history (issue 15): sums, not versions.

For the versions a pass judges (`fresh`) and those whose framing it wrote or rewrote
(`touched`), DuckDB sums the framing rows per version and then over the baselines:
- each fresh first version: its own frame hits and tone, and the sums (count, frame shares,
  tone, frame hits) over the earlier first versions with hits (in the order
  `(not is_seed, published_at, article_id)`), all of them and the outlet's own non-seed ones,
  by cumulative window sums;
- each outlet week that can have changed (from the earliest week of a touched first
  version of that outlet on, seeds aside): the week's sums and the sums of all the outlet's
  earlier weeks;
- every framed version of the articles that have a fresh version (as `framing_history`
  gives them), for the version-to-version comparison.

Shares and tones (within -1 … 1) are summed as exact fixed-point integers (HUGEINT, units
of 2**-100) and divided once: each sum is the correctly rounded sum of the values, in any
order (as `math.fsum` gives it), so the judgement does not depend on the order of rows.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import duckdb
import pyarrow as pa

from warehouse.db import dict_rows

SCALE = 2**100          # fixed-point unit of the exact sums; a sum of up to 2**26 values fits
_SCALE = repr(float(SCALE))
_AFTER_EARLIER = "ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING"


@dataclass(frozen=True)
class Sums:
    """Sums over a set of framed versions, frames in the order the caller named them."""

    n: int
    shares: tuple[float, ...]
    tone: float
    hits: tuple[int, ...]


@dataclass(frozen=True)
class FramingBaselines:
    versions: list[dict[str, Any]]   # framed versions of the fresh versions' articles
    articles: list[tuple[dict[str, Any], Sums, Sums]]  # fresh first version, own, coverage
    weeks: list[tuple[str, Any, Sums, Sums]]  # outlet, week (Monday), weeks before, the week


def _keys(con: duckdb.DuckDBPyConnection, name: str, keys: Iterable[str]) -> None:
    con.execute(f"CREATE OR REPLACE TEMP TABLE {name} (k VARCHAR)")
    con.register(f"{name}_in", pa.table({"k": pa.array(sorted(set(keys)), pa.string())}))
    con.execute(f"INSERT INTO {name} SELECT k FROM {name}_in")
    con.unregister(f"{name}_in")


def _framed(n: int, where: str = "") -> str:
    """CTEs `per` (one row per framed version: hit totals, tone, hits per frame h0 …) and
    `framed` (with its article, outlet, seed flag, publication time and number)."""
    hits = "".join(f", coalesce(sum(hits) FILTER (WHERE frame = ?), 0)::BIGINT AS h{k}"
                   for k in range(n))
    return f"""
    per AS (
        SELECT version_id,
               coalesce(sum(hits) FILTER (WHERE frame <> 'tone'), 0)::BIGINT AS total,
               coalesce(max(score) FILTER (WHERE frame = 'tone'), 0) AS tone,
               coalesce(max(hits) FILTER (WHERE frame = 'tone'), 0) AS tone_terms{hits}
        FROM framing {where} GROUP BY version_id
    ),
    framed AS (
        SELECT p.*, v.article_id, coalesce(a.outlet, v.site_name, '?') AS outlet, a.is_seed,
               coalesce(v.published_at, a.first_seen_at, TIMESTAMP '1970-01-01')
                   AS published_at, v.version_no
        FROM per p JOIN v_article_versions v USING (version_id)
        JOIN articles a ON a.article_id = v.article_id
    )"""


def _sums(window: str, n: int) -> str:
    """Columns `{window}_n`, `_tone`, `_s0` … and `_h0` …: the count and the sums of tone,
    shares and hits over the window named `window`."""
    over = f" OVER {window} AS {window}"
    return ", ".join([f"count(*){over}_n", f"sum(t){over}_tone",
                      *(f"sum(s{k}){over}_s{k}" for k in range(n)),
                      *(f"sum(h{k}){over}_h{k}" for k in range(n))])


def _exact(n: int, shares: bool = True) -> str:
    """Fixed-point columns: t (tone) and s0 … (shares; 0 for a version without hits)."""
    cols = [f"CAST(tone * {_SCALE} AS HUGEINT) AS t"]
    if shares:
        cols += [f"CASE WHEN total > 0 THEN CAST(h{k}::DOUBLE / total::DOUBLE * {_SCALE} "
                 f"AS HUGEINT) ELSE 0 END AS s{k}" for k in range(n)]
    return ", ".join(cols)


def _read(r: dict[str, Any], prefix: str, n: int, shares: bool = True) -> Sums:
    def exact(x: int | None) -> float:
        return int(x or 0) / SCALE
    return Sums(int(r[f"{prefix}_n"] or 0),
                tuple(exact(r[f"{prefix}_s{k}"]) for k in range(n)) if shares else (),
                exact(r[f"{prefix}_tone"]), tuple(int(r[f"{prefix}_h{k}"] or 0)
                                                  for k in range(n)))


def article_sums(con: duckdb.DuckDBPyConnection, frames: Sequence[str], fresh: Iterable[str]
                 ) -> list[tuple[dict[str, Any], Sums, Sums]]:
    """For each fresh first version with hits, not a seed: the version (its `version_id`,
    `article_id`, `outlet`, `is_seed`, `published_at`, `version_no`, `total`, `tone`,
    `tone_terms` and hits per frame as `hits`, a dict) and the sums over the earlier first
    versions with hits, the outlet's own non-seed ones and all of them."""
    n = len(frames)
    _keys(con, "_fresh", fresh)
    own_cols, all_cols = _sums("w_own", n), _sums("w_all", n)
    rows = dict_rows(con, f"""
        WITH {_framed(n)},
        firsts AS (SELECT *, {_exact(n)} FROM framed WHERE version_no = 1 AND total > 0),
        cum AS (
            SELECT *, {own_cols}, {all_cols} FROM firsts
            WINDOW w_all AS (ORDER BY NOT is_seed, published_at, article_id {_AFTER_EARLIER}),
                   w_own AS (PARTITION BY outlet, is_seed
                             ORDER BY published_at, article_id {_AFTER_EARLIER})
        )
        SELECT * FROM cum WHERE NOT is_seed AND version_id IN (SELECT k FROM _fresh)
        ORDER BY NOT is_seed, published_at, article_id
    """, list(frames))
    return [(_version(r, frames), _read(r, "w_own", n), _read(r, "w_all", n)) for r in rows]


def _version(r: dict[str, Any], frames: Sequence[str]) -> dict[str, Any]:
    hits = {f: int(r[f"h{k}"]) for k, f in enumerate(frames)}
    other = int(r["total"]) - sum(hits.values())
    if other:               # hits of frames not named (none today): they count in the total
        hits["?"] = other
    keep = ("version_id", "article_id", "outlet", "is_seed", "published_at", "version_no",
            "tone", "tone_terms")
    return {**{k: r[k] for k in keep}, "hits": hits}


def week_sums(con: duckdb.DuckDBPyConnection, frames: Sequence[str], touched: Iterable[str]
              ) -> list[tuple[str, Any, Sums, Sums]]:
    """(outlet, week, sums of the earlier weeks, sums of the week) for every week of an
    outlet from the earliest week of a `touched` first version of it on (seeds aside):
    the weeks whose judgement a new or reframed version can change. A week is Monday's
    date of its first versions' publication."""
    n = len(frames)
    _keys(con, "_touched", touched)
    rows = dict_rows(con, f"""
        WITH {_framed(n)},
        firsts AS (SELECT *, CAST(date_trunc('week', published_at) AS DATE) AS week,
                          {_exact(n, shares=False)}
                   FROM framed WHERE version_no = 1 AND NOT is_seed),
        start AS (SELECT outlet, min(week) AS week0 FROM firsts
                  WHERE version_id IN (SELECT k FROM _touched) GROUP BY outlet),
        weeks AS (SELECT outlet, week, count(*) AS now_n, sum(t) AS t,
                         {", ".join(f"sum(h{k}) AS h{k}" for k in range(n))}
                  FROM firsts WHERE outlet IN (SELECT outlet FROM start) GROUP BY ALL),
        cum AS (
            SELECT *, sum(now_n) OVER w_before AS w_before_n,
                   sum(t) OVER w_before AS w_before_tone,
                   {", ".join(f"sum(h{k}) OVER w_before AS w_before_h{k}" for k in range(n))}
            FROM weeks
            WINDOW w_before AS (PARTITION BY outlet ORDER BY week {_AFTER_EARLIER})
        )
        SELECT cum.*, cum.t AS now_tone, {", ".join(f"cum.h{k} AS now_h{k}" for k in range(n))}
        FROM cum JOIN start USING (outlet) WHERE cum.week >= start.week0
        ORDER BY outlet, week
    """, list(frames))
    return [(r["outlet"], r["week"], _read(r, "w_before", n, shares=False),
             _read(r, "now", n, shares=False)) for r in rows]


def framed_versions(con: duckdb.DuckDBPyConnection, fresh: Iterable[str]
                    ) -> list[dict[str, Any]]:
    """Every framed version of the articles that have a version in `fresh`, with the columns
    of `warehouse.state.framing_history`."""
    _keys(con, "_fresh", fresh)
    return dict_rows(con, """
        WITH mine AS (
            SELECT version_id FROM article_versions WHERE article_id IN (
                SELECT article_id FROM article_versions
                WHERE version_id IN (SELECT k FROM _fresh))
        ),
        hits AS (
            SELECT version_id, map(list(frame), list(hits)) AS hits,
                   max(score) FILTER (WHERE frame = 'tone') AS tone,
                   max(hits) FILTER (WHERE frame = 'tone') AS tone_terms
            FROM framing WHERE version_id IN (SELECT version_id FROM mine) GROUP BY version_id
        )
        SELECT v.version_id, v.article_id, coalesce(a.outlet, v.site_name, '?') AS outlet,
               a.is_seed, coalesce(v.published_at, a.first_seen_at) AS published_at,
               v.version_no, h.hits, coalesce(h.tone, 0) AS tone, h.tone_terms
        FROM hits h JOIN v_article_versions v USING (version_id)
        JOIN articles a ON a.article_id = v.article_id
    """)


def framing_baselines(con: duckdb.DuckDBPyConnection, frames: Sequence[str],
                      fresh: set[str], touched: set[str]) -> FramingBaselines:
    """All a pass's framing-change judgement reads: see the module's docstring."""
    if not fresh and not touched:
        return FramingBaselines([], [], [])
    return FramingBaselines(framed_versions(con, fresh), article_sums(con, frames, fresh),
                            week_sums(con, frames, touched | fresh))
