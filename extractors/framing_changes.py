"""Framing that changed: an article against its outlet's baseline (the coverage's while the
outlet has little history), an outlet between weeks, a new version of the same article."""

from __future__ import annotations

import itertools
import math
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from extractors.framing import FRAMES, moved, total_variation

ARTICLE_TV, ARTICLE_TONE = 0.35, 0.8    # an article departs from its baseline …
ARTICLE_P = 0.05                        # … and its frame counts are unlikely under it
MIN_TONE_TERMS = 3                      # a tone flag needs this much evaluative language
VERSION_TV, VERSION_TONE = 0.15, 0.4    # an edit changed the framing
OUTLET_TV, OUTLET_P = 0.2, 0.01         # a week differs from the outlet's earlier weeks
MIN_OUTLET_HISTORY, MIN_WEEK_ARTICLES = 3, 2


@dataclass(frozen=True)
class FramedVersion:
    version_id: str
    article_id: str
    outlet: str
    is_seed: bool
    published_at: datetime
    version_no: int
    hits: dict[str, int]
    tone: float
    tone_terms: int = 0

    @property
    def shares(self) -> dict[str, float]:
        total = sum(self.hits.values()) or 1
        return {f: self.hits.get(f, 0) / total for f in FRAMES}


@dataclass(frozen=True)
class FramingChange:
    scope: str
    article_id: str | None
    outlet: str | None
    window_start: date | None
    baseline: str
    frames_moved: tuple[str, ...]
    tone_before: float | None
    tone_after: float | None
    magnitude: float
    p_value: float | None


@dataclass(frozen=True)
class Baseline:
    """Sums over a set of framed versions: how many, their frame shares and tone (each sum
    correctly rounded, so that it does not depend on the order of the versions: math.fsum
    here, exact integer sums in the warehouse) and their frame hits, in FRAMES order."""

    n: int
    shares: tuple[float, ...]
    tone: float
    hits: tuple[int, ...]

    @classmethod
    def of(cls, versions: list[FramedVersion]) -> Baseline:
        shares = [v.shares for v in versions]
        return cls(len(versions), tuple(math.fsum(s[f] for s in shares) for f in FRAMES),
                   math.fsum(v.tone for v in versions),
                   tuple(sum(v.hits.get(f, 0) for v in versions) for f in FRAMES))


def article_changes(history: list[FramedVersion], fresh: set[str]) -> list[FramingChange]:
    """Flag first versions in `fresh` (version ids) that depart from their baseline: the
    outlet's earlier articles when it has MIN_OUTLET_HISTORY of them, else all earlier
    coverage (the seeds first). Whole history in memory: the reference that the pass's
    warehouse sums (`article_change` on `warehouse.framing_baselines`) must equal."""
    firsts = sorted((v for v in history if v.version_no == 1),
                    key=lambda v: (not v.is_seed, v.published_at, v.article_id))
    out = []
    for i, v in enumerate(firsts):
        if v.version_id not in fresh or v.is_seed or not sum(v.hits.values()):
            continue
        earlier = [e for e in firsts[:i] if sum(e.hits.values())]
        own = [e for e in earlier if e.outlet == v.outlet and not e.is_seed]
        mine = Baseline.of(own)      # all coverage is summed only when it is the baseline
        change = article_change(v, mine, mine if mine.n >= MIN_OUTLET_HISTORY
                                else Baseline.of(earlier))
        if change:
            out.append(change)
    return out


def article_change(v: FramedVersion, own: Baseline, coverage: Baseline
                   ) -> FramingChange | None:
    """The change a first version makes against its outlet's earlier articles (`own`) when
    there are MIN_OUTLET_HISTORY of them, else against all earlier coverage."""
    base, label = (own, f"outlet {v.outlet} ({own.n} earlier articles)") \
        if own.n >= MIN_OUTLET_HISTORY else (coverage, f"coverage ({coverage.n} "
                                                       "earlier articles)")
    if not base.n:
        return None
    mean = {f: base.shares[k] / base.n for k, f in enumerate(FRAMES)}
    tone = base.tone / base.n
    tv = total_variation(mean, v.shares)
    frames_moved = tv >= ARTICLE_TV and _unlikely(base, v) < ARTICLE_P
    tone_moved = abs(v.tone - tone) >= ARTICLE_TONE and v.tone_terms >= MIN_TONE_TERMS
    if not (frames_moved or tone_moved):
        return None
    return FramingChange("article", v.article_id, v.outlet, None, label,
                         tuple(moved(mean, v.shares)), round(tone, 3), v.tone, tv, None)


def _unlikely(base: Baseline, v: FramedVersion) -> float:
    """Chi-square p-value of the article's frame counts against its baseline's."""
    from scipy.stats import chi2_contingency

    a = list(base.hits)
    b = [v.hits.get(f, 0) for f in FRAMES]
    cols = [k for k in range(len(a)) if a[k] + b[k]]
    if len(cols) < 2:
        return 1.0
    return float(chi2_contingency([[a[k] for k in cols], [b[k] for k in cols]])[1])


def version_changes(history: list[FramedVersion], fresh: set[str]) -> list[FramingChange]:
    """Flag new versions in `fresh` whose framing or tone moved from the previous version."""
    by_article: dict[str, list[FramedVersion]] = defaultdict(list)
    for v in history:
        by_article[v.article_id].append(v)
    out = []
    for versions in by_article.values():
        versions.sort(key=lambda v: v.version_no)
        for before, after in itertools.pairwise(versions):
            if after.version_id not in fresh:
                continue
            tv = total_variation(before.shares, after.shares)
            if tv >= VERSION_TV or abs(after.tone - before.tone) >= VERSION_TONE:
                out.append(FramingChange("version", after.article_id, after.outlet, None,
                                         f"version {before.version_no}",
                                         tuple(moved(before.shares, after.shares)),
                                         before.tone, after.tone, tv, None))
    return out


def _week(d: datetime) -> date:
    day = d.date()
    return day - timedelta(days=day.weekday())


def outlet_changes(history: list[FramedVersion]) -> list[FramingChange]:
    """Flag outlet-weeks whose frame counts differ from all the outlet's earlier weeks, by
    at least OUTLET_TV in shares and a chi-square test at OUTLET_P (unlikely to be noise).
    Every week of the whole history: the reference for the pass's weeks (`week_change`)."""
    weeks: dict[str, dict[date, list[FramedVersion]]] = defaultdict(lambda: defaultdict(list))
    for v in history:
        if not v.is_seed and v.version_no == 1:
            weeks[v.outlet][_week(v.published_at)].append(v)
    out = []
    for outlet, by_week in weeks.items():
        ordered = sorted(by_week)
        for i, week in enumerate(ordered):
            before = [v for w in ordered[:i] for v in by_week[w]]
            change = week_change(outlet, week, Baseline.of(before), Baseline.of(by_week[week]))
            if change:
                out.append(change)
    return out


def week_change(outlet: str, week: date, before: Baseline, now: Baseline
                ) -> FramingChange | None:
    """The change an outlet's week (`now`: its first versions, seeds aside) makes against
    all the outlet's earlier weeks (`before`)."""
    from scipy.stats import chi2_contingency

    if before.n < MIN_OUTLET_HISTORY or now.n < MIN_WEEK_ARTICLES:
        return None
    a, b = before.hits, now.hits
    cols = [k for k in range(len(a)) if a[k] + b[k]]
    if len(cols) < 2:
        return None
    p = float(chi2_contingency([[a[k] for k in cols], [b[k] for k in cols]])[1])
    sa = {f: a[k] / sum(a) for k, f in enumerate(FRAMES)}
    sb = {f: b[k] / sum(b) for k, f in enumerate(FRAMES)}
    tv = total_variation(sa, sb)
    if not (tv >= OUTLET_TV and p < OUTLET_P):
        return None
    return FramingChange("outlet", None, outlet, week, f"{outlet}, weeks before {week}",
                         tuple(moved(sa, sb)), round(before.tone / before.n, 3),
                         round(now.tone / now.n, 3), tv, round(p, 6))
