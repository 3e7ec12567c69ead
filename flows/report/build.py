"""Build the story page: read the snapshot, draw the charts, render the template, write
`index.html` (last) with `assets/` beside it."""

from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import date, datetime
from importlib import resources
from pathlib import Path

import duckdb
import jinja2

from flows.digest import render as digests
from flows.digest.flow import build_digest
from flows.report import anchors, charts, model
from warehouse import report_queries as q
from warehouse.db import WarehouseError, utcnow

ASSETS = ("style.css",)


@dataclass(frozen=True)
class Window:
    """The digest window What is new shows, and where it comes from."""

    since: datetime | None
    until: datetime
    source: str  # "latest digest" | "not yet mailed"


@dataclass(frozen=True)
class Page:
    """Everything the template shows."""

    built_at: datetime
    since: date | None
    last_run_at: datetime | None
    window: Window
    digest: digests.Digest
    timelines: tuple[model.Timeline, ...]
    framing: tuple[model.OutletFraming, ...]
    rising: tuple[model.Rising, ...]
    failing: tuple[model.FailingFeed, ...]
    failures: tuple[model.Failure, ...]
    charts: dict[str, charts.Chart | None]

    @property
    def items(self) -> tuple[digests.Item, ...]:
        return self.digest.shown

    @property
    def more_items(self) -> int:
        return self.digest.not_shown

    @property
    def timeline_ids(self) -> frozenset[str]:
        return frozenset(t.origin_claim_id for t in self.timelines)

    @property
    def framing_ids(self) -> frozenset[str]:
        return frozenset(o.anchor for o in self.framing)


@dataclass(frozen=True)
class Built:
    """What `build_report` wrote."""

    index: Path
    items: int
    timelines: int
    charts: tuple[str, ...]


def _window(con: duckdb.DuckDBPyConnection, now: datetime) -> Window:
    latest = q.latest_digest_window(con)
    if latest:
        return Window(latest[0], latest[1], "latest digest")
    return Window(None, q.last_completed_run(con) or now, "not yet mailed")


def read_page(con: duckdb.DuckDBPyConnection, out: Path, since: date | None = None,
              now: datetime | None = None) -> Page:
    """Read everything the page shows and draw the charts into `out/assets/charts`.
    Raises WarehouseError when the snapshot lacks the report's views (published by an
    older version)."""
    now = now or utcnow()
    chart_dir = out / "assets" / "charts"
    chart_dir.mkdir(parents=True, exist_ok=True)
    try:
        window = _window(con, now)
        weekly = q.framing_weekly(con, since)
        rising = q.entities_rising(con)
        return Page(
            built_at=now, since=since, last_run_at=q.last_completed_run(con), window=window,
            digest=build_digest(con, window=(window.since, window.until)),
            timelines=model.timelines(q.claim_timelines(con, since)),
            framing=model.framing_by_outlet(q.framing_changes(con, since),
                                            q.framing_evidence(con)),
            rising=model.rising(rising), failing=model.failing(q.failing_feeds(con)),
            failures=model.failures(q.recent_failures(con, since)),
            charts={"frames": charts.frames_by_outlet(weekly, chart_dir),
                    "tone": charts.tone_by_outlet(weekly, chart_dir),
                    "coverage": charts.coverage(q.coverage_daily(con, since), chart_dir),
                    "rising": charts.rising(rising, chart_dir)})
    except duckdb.CatalogException as exc:
        first = str(exc).splitlines()[0]
        raise WarehouseError(f"the snapshot lacks a view the story page needs ({first}); a pass "
                             "with this version (`pactwatch run`) republishes it") from exc


def _fmt(value: object, pattern: str = "%Y-%m-%d %H:%M") -> str:
    if isinstance(value, datetime | date):
        return value.strftime(pattern if isinstance(value, datetime) else "%Y-%m-%d")
    return "" if value is None else str(value)


def environment() -> jinja2.Environment:
    """The templates' environment: autoescape on for every template, undefined names fail."""
    env = jinja2.Environment(
        loader=jinja2.PackageLoader("flows.report", "templates"), autoescape=True,
        undefined=jinja2.StrictUndefined, trim_blocks=True, lstrip_blocks=True)
    env.filters["when"] = _fmt
    env.filters["day"] = lambda v: _fmt(v, "%Y-%m-%d")
    env.filters["pretty"] = lambda f: str(f).replace("_", " ")
    env.globals["anchors"] = anchors
    env.globals["source_url"] = model.source_url
    return env


def render(page: Page) -> str:
    """The page's HTML."""
    return environment().get_template("index.html.j2").render(page=page)


def _write(path: Path, data: str | bytes) -> None:
    """Write via a temporary file and rename: a reader never sees half a file."""
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    if isinstance(data, str):
        tmp.write_text(data, encoding="utf-8")
    else:
        tmp.write_bytes(data)
    tmp.replace(path)


def build_report(con: duckdb.DuckDBPyConnection, out: Path, since: date | None = None,
                 now: datetime | None = None) -> Built:
    """Write the story page into `out` (created if missing): assets first, `index.html`
    last. Raises WarehouseError for a snapshot without the report's views, OSError when
    `out` cannot be written."""
    out.mkdir(parents=True, exist_ok=True)
    page = read_page(con, out, since, now)
    for name in ASSETS:
        source = resources.files("flows.report") / "assets" / name
        _write(out / "assets" / name, source.read_bytes())
    index = out / "index.html"
    _write(index, render(page))
    drawn = tuple(c.file for c in page.charts.values() if c)
    return Built(index, len(page.items), len(page.timelines), drawn)
