"""What the story page shows, as typed values built from the report views' rows."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from flows.report import anchors


def source_url(url: str | None) -> str | None:
    """A URL the page may link to: http(s) only (seeds' `seed://` ids and anything odd are
    shown as text, never as a link)."""
    return url if url and url.startswith(("http://", "https://")) else None


@dataclass(frozen=True)
class Change:
    field: str
    old: str
    new: str


@dataclass(frozen=True)
class Step:
    """One appearance of an assertion: where, when, in which words, and what changed."""

    step: int
    status: str
    outlet: str
    url: str | None
    published_at: datetime | None
    sentence: str
    claimant: str
    certainty: str
    is_seed: bool
    changes: tuple[Change, ...]


@dataclass(frozen=True)
class Timeline:
    """An assertion that was repeated or changed: its first appearance, then the rest."""

    origin_claim_id: str
    steps: tuple[Step, ...]

    @property
    def anchor(self) -> str:
        return anchors.claim(self.origin_claim_id)

    @property
    def first(self) -> Step:
        return self.steps[0]

    @property
    def outlets(self) -> list[str]:
        return list(dict.fromkeys(s.outlet for s in self.steps))

    @property
    def change_count(self) -> int:
        return sum(1 for s in self.steps if s.status == "changed")


def _changes(raw: list[dict[str, str]] | None) -> tuple[Change, ...]:
    return tuple(Change(c["field"], c["old"], c["new"]) for c in raw or ())


def timelines(rows: list[dict[str, Any]]) -> tuple[Timeline, ...]:
    """Rows of v_claim_timelines (ordered by timeline, then step) grouped into timelines,
    in the rows' order (latest activity first)."""
    grouped: dict[str, list[Step]] = defaultdict(list)
    for r in rows:
        grouped[r["origin_claim_id"]].append(Step(
            int(r["step"]), r["status"], r["outlet"] or "?", source_url(r["article_url"]),
            r["published_at"], r["sentence"], r["claimant"] or "", r["certainty"],
            bool(r["is_seed"]), _changes(r["changes"])))
    return tuple(Timeline(origin, tuple(steps)) for origin, steps in grouped.items())


@dataclass(frozen=True)
class Evidence:
    frame: str
    sentence: str
    url: str | None


@dataclass(frozen=True)
class FramingChange:
    """A flagged framing change with the sentences that carry the frames that moved."""

    scope: str
    outlet: str
    url: str | None
    window_start: date | None
    baseline: str
    frames_moved: tuple[str, ...]
    tone: tuple[float | None, float | None]
    magnitude: float
    p_value: float | None
    evidence: tuple[Evidence, ...]


@dataclass(frozen=True)
class OutletFraming:
    outlet: str
    changes: tuple[FramingChange, ...]

    @property
    def anchor(self) -> str:
        return anchors.outlet_framing(self.outlet)


def framing_by_outlet(changes: list[dict[str, Any]], evidence: list[dict[str, Any]],
                      per_frame: int = 2) -> tuple[OutletFraming, ...]:
    """Framing changes grouped by outlet (rows' order), each with up to `per_frame`
    evidence sentences for each frame that moved."""
    found: dict[str, list[Evidence]] = defaultdict(list)
    for e in evidence:
        same = [x for x in found[e["change_id"]] if x.frame == e["frame"]]
        if len(same) < per_frame:
            found[e["change_id"]].append(Evidence(e["frame"], e["sentence"],
                                                  source_url(e["article_url"])))
    by_outlet: dict[str, list[FramingChange]] = defaultdict(list)
    for c in changes:
        outlet = c["outlet"] or "?"
        by_outlet[outlet].append(FramingChange(
            c["scope"], outlet, source_url(c["article_url"]), c["window_start"], c["baseline"],
            tuple(c["frames_moved"]), (c["tone_before"], c["tone_after"]),
            float(c["magnitude"]), c["p_value"], tuple(found.get(c["change_id"], ()))))
    return tuple(OutletFraming(o, tuple(cs)) for o, cs in by_outlet.items())


@dataclass(frozen=True)
class Rising:
    name: str
    label: str
    mentions: int
    articles: int
    weekly_mean_before: float
    is_new: bool


@dataclass(frozen=True)
class FailingFeed:
    name: str
    url: str | None
    consecutive_failures: int
    last_polled_at: datetime | None
    last_error: str


@dataclass(frozen=True)
class Failure:
    stage: str
    error_class: str
    url: str
    reason: str
    count: int
    last_at: datetime | None


def rising(rows: list[dict[str, Any]]) -> tuple[Rising, ...]:
    return tuple(Rising(r["canonical_name"], r["label"], int(r["mention_count"]),
                        int(r["article_count"]), float(r["weekly_mean_before"]),
                        bool(r["is_new"])) for r in rows)


def failing(rows: list[dict[str, Any]]) -> tuple[FailingFeed, ...]:
    return tuple(FailingFeed(r["name"], source_url(r["url"]), int(r["consecutive_failures"]),
                             r["last_polled_at"], r["last_error"] or "") for r in rows)


def failures(rows: list[dict[str, Any]]) -> tuple[Failure, ...]:
    return tuple(Failure(r["stage"], r["error_class"], r["url"] or "", r["reason"],
                         int(r["failure_count"]), r["last_occurred_at"]) for r in rows)
