"""What a pass's framing-change judgement reads of history (issue 15): sums, not versions.

For the versions a pass judges (`fresh`) and those whose framing it wrote or rewrote
(`touched`), DuckDB sums the framing rows per version and then over the baselines:
- each fresh first version: its own frame hits and tone, and the sums (count, frame shares,
  tone, frame hits) over the earlier first versions with hits (in the order
  `(not is_seed, published_at, article_id)`), all of them and the outlet's own non-seed ones:
  each earlier version is summed into the group of the first fresh version after it (an
  ASOF join on its place in that order), and running sums over the fresh versions add up
  the groups, so the sums are as many as the fresh versions;
- each outlet week that can have changed (from the earliest week of a touched first
  version of that outlet on, seeds aside): the week's sums and the sums of all the outlet's
  earlier weeks;
- every framed version of the articles that have a fresh version (as `framing_history`
  gives them), for the version-to-version comparison.

Shares and tones (within -1 … 1) are summed as exact fixed-point integers (HUGEINT, units
of 2**-100) and divided once: each sum is the correctly rounded sum of the values, in any
order (as `math.fsum` gives it), so the judgement does not depend on the order of rows.
Exact for every share (hits over a total) and every tone of magnitude 2**-48 (4e-15) or
more; a smaller tone is rounded to 2**-100.
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


def _firsts(con: duckdb.DuckDBPyConnection, frames: Sequence[str]) -> None:
    """Temporary table `_firsts`: one row per framed first version, with its article,
    outlet, seed flag, publication time (`pos`: its place in the order of the baselines),
    week, hit total, tone and tone terms, hits per frame (h0 …) and the exact fixed-point
    tone (t) and shares (s0 …; 0 for a version without hits)."""
    n = len(frames)
    hits = "".join(f", coalesce(sum(hits) FILTER (WHERE frame = ?), 0)::BIGINT AS h{k}"
                   for k in range(n))
    shares = "".join(f", CASE WHEN total > 0 THEN CAST(h{k}::DOUBLE / total::DOUBLE * "
                     f"{_SCALE} AS HUGEINT) ELSE 0 END AS s{k}" for k in range(n))
    con.execute(f"""
        CREATE OR REPLACE TEMP TABLE _firsts AS
        WITH per AS (
            SELECT version_id,
                   coalesce(sum(hits) FILTER (WHERE frame <> 'tone'), 0)::BIGINT AS total,
                   coalesce(max(score) FILTER (WHERE frame = 'tone'), 0) AS tone,
                   coalesce(max(hits) FILTER (WHERE frame = 'tone'), 0) AS tone_terms{hits}
            FROM framing GROUP BY version_id
        ),
        framed AS (
            SELECT p.*, v.article_id, coalesce(a.outlet, v.site_name, '?') AS outlet,
                   a.is_seed, coalesce(v.published_at, a.first_seen_at,
                                       TIMESTAMP '1970-01-01') AS published_at, v.version_no
            FROM per p JOIN v_article_versions v USING (version_id)
            JOIN articles a ON a.article_id = v.article_id
            WHERE v.version_no = 1
        )
        SELECT *, CAST(date_trunc('week', published_at) AS DATE) AS week,
               CAST(tone * {_SCALE} AS HUGEINT) AS t{shares},
               row_number() OVER (ORDER BY NOT is_seed, published_at, article_id) AS pos
        FROM framed
    """, list(frames))


def _group(prefix: str, n: int, shares: bool = True) -> str:
    """Columns `{prefix}_n`, `_tone`, `_s0` …, `_h0` …: the count and the sums of the group."""
    return ", ".join([f"count(*) AS {prefix}_n", f"sum(t) AS {prefix}_tone",
                      *(f"sum(s{k}) AS {prefix}_s{k}" for k in range(n) if shares),
                      *(f"sum(h{k}) AS {prefix}_h{k}" for k in range(n))])


def _running(prefix: str, window: str, n: int, shares: bool = True) -> str:
    """The `{prefix}_…` columns summed over `window`, named `{window}_…`."""
    names = ["n", "tone", *(f"s{k}" for k in range(n) if shares), *(f"h{k}" for k in range(n))]
    return ", ".join(f"sum({prefix}_{c}) OVER {window} AS {window}_{c}" for c in names)


def _read(r: dict[str, Any], prefix: str, n: int, shares: bool = True) -> Sums:
    def exact(x: int | None) -> float:
        return int(x or 0) / SCALE
    return Sums(int(r[f"{prefix}_n"] or 0),
                tuple(exact(r[f"{prefix}_s{k}"]) for k in range(n)) if shares else (),
                exact(r[f"{prefix}_tone"]), tuple(int(r[f"{prefix}_h{k}"] or 0)
                                                  for k in range(n)))


def _article_sums(con: duckdb.DuckDBPyConnection, frames: Sequence[str], fresh: set[str]
                  ) -> list[tuple[dict[str, Any], Sums, Sums]]:
    """For each fresh first version with hits, not a seed (a mark): the version (its
    `version_id`, `article_id`, `outlet`, `is_seed`, `published_at`, `version_no`, `tone`,
    `tone_terms` and hits per frame as `hits`, a dict) and the sums over the earlier first
    versions with hits: the outlet's own non-seed ones and all of them. Each earlier version
    is summed once, in the group of the first mark after it (of its outlet, for `own`);
    running sums over the marks add the groups up."""
    n = len(frames)
    _keys(con, "_fresh", fresh)
    rows = dict_rows(con, f"""
        WITH hit AS (SELECT * FROM _firsts WHERE total > 0),
        marks AS (SELECT pos, outlet FROM hit
                  WHERE NOT is_seed AND version_id IN (SELECT k FROM _fresh)),
        every AS (SELECT m.pos AS mark, {_group("every", n)}
                  FROM hit h ASOF JOIN marks m ON h.pos < m.pos GROUP BY m.pos),
        own AS (SELECT m.pos AS mark, {_group("own", n)}
                FROM (SELECT * FROM hit WHERE NOT is_seed) h
                ASOF JOIN marks m ON h.outlet = m.outlet AND h.pos < m.pos GROUP BY m.pos),
        cum AS (
            SELECT m.pos, {_running("own", "w_own", n)}, {_running("every", "w_all", n)}
            FROM marks m LEFT JOIN every ON every.mark = m.pos LEFT JOIN own ON own.mark = m.pos
            WINDOW w_all AS (ORDER BY m.pos ROWS UNBOUNDED PRECEDING),
                   w_own AS (PARTITION BY m.outlet ORDER BY m.pos ROWS UNBOUNDED PRECEDING)
        )
        SELECT * FROM cum JOIN hit USING (pos) ORDER BY pos
    """)
    return [(_version(r, frames), _read(r, "w_own", n), _read(r, "w_all", n)) for r in rows]


def _version(r: dict[str, Any], frames: Sequence[str]) -> dict[str, Any]:
    hits = {f: int(r[f"h{k}"]) for k, f in enumerate(frames)}
    other = int(r["total"]) - sum(hits.values())
    if other:               # hits of frames not named (none today): they count in the total
        hits["?"] = other
    keep = ("version_id", "article_id", "outlet", "is_seed", "published_at", "version_no",
            "tone", "tone_terms")
    return {**{k: r[k] for k in keep}, "hits": hits}


def _week_sums(con: duckdb.DuckDBPyConnection, frames: Sequence[str], touched: set[str]
               ) -> list[tuple[str, Any, Sums, Sums]]:
    """(outlet, week, sums of the earlier weeks, sums of the week) for every week of an
    outlet from the earliest week of a `touched` first version of it on (seeds aside):
    the weeks whose judgement a new or reframed version can change. A week is Monday's
    date of its first versions' publication."""
    n = len(frames)
    _keys(con, "_touched", touched)
    rows = dict_rows(con, f"""
        WITH firsts AS (SELECT * FROM _firsts WHERE NOT is_seed),
        start AS (SELECT outlet, min(week) AS week0 FROM firsts
                  WHERE version_id IN (SELECT k FROM _touched) GROUP BY outlet),
        weeks AS (SELECT outlet, week, {_group("now", n, shares=False)}
                  FROM firsts WHERE outlet IN (SELECT outlet FROM start) GROUP BY ALL),
        cum AS (
            SELECT *, {_running("now", "w_before", n, shares=False)} FROM weeks
            WINDOW w_before AS (PARTITION BY outlet ORDER BY week {_AFTER_EARLIER})
        )
        SELECT cum.* FROM cum JOIN start USING (outlet) WHERE cum.week >= start.week0
        ORDER BY outlet, week
    """)
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
    _firsts(con, frames)
    return FramingBaselines(framed_versions(con, fresh), _article_sums(con, frames, fresh),
                            _week_sums(con, frames, touched | fresh))
