"""The story page's charts, drawn at build time to SVG files with matplotlib (Agg).

Each function takes rows of a report view and writes one SVG, or returns None when there
is nothing to draw. Figures are plain `Figure` objects (no pyplot state); text is drawn as
paths, so a chart looks the same on any machine and needs no font from the network.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import matplotlib

matplotlib.use("Agg")  # before anything draws: no display, no GUI toolkit

from matplotlib import dates as mdates
from matplotlib.figure import Figure
from matplotlib.patches import Patch
from matplotlib.ticker import MaxNLocator

STYLE: dict[str, Any] = {"svg.hashsalt": "pactwatch", "svg.fonttype": "path", "font.size": 9,
         "axes.spines.top": False, "axes.spines.right": False, "axes.titlesize": 11,
         "axes.titleweight": "bold"}
PALETTE = ("#1d4ed8", "#b45309", "#047857", "#7c3aed", "#be123c", "#0e7490", "#4d7c0f",
           "#a16207", "#6b7280")
TOP_FRAMES = 6


@dataclass(frozen=True)
class Chart:
    """A chart written beside the page: its file (relative to the page), title and text
    alternative."""

    file: str
    title: str
    alt: str


def _styled() -> Any:
    """Our chart style for what is drawn and saved inside the block (the global rcParams
    stay as they are)."""
    return matplotlib.rc_context(STYLE)  # type: ignore[arg-type]


def _save(fig: Figure, out: Path, name: str, title: str, alt: str) -> Chart:
    path = out / name
    tmp = path.with_suffix(".svg.tmp")
    with _styled():
        fig.savefig(tmp, format="svg", metadata={"Title": title, "Date": None})
    tmp.replace(path)
    return Chart(f"assets/charts/{name}", title, alt)


def _figure(width: float, height: float) -> Figure:
    with _styled():
        return Figure(figsize=(width, height), layout="constrained")


def _date_axis(ax: Any, dates: Iterable[date]) -> None:
    low, high = min(dates), max(dates)
    if (high - low).days < 14:  # a week or two of data: widen so the ticks have days to mark
        ax.set_xlim(low - timedelta(days=7), high + timedelta(days=7))
    locator = mdates.AutoDateLocator(maxticks=6)  # type: ignore[no-untyped-call]
    ax.xaxis.set_major_locator(locator)
    ax.xaxis.set_major_formatter(
        mdates.ConciseDateFormatter(locator))  # type: ignore[no-untyped-call]


def _pretty(frame: str) -> str:
    return frame.replace("_", " ").replace(" and ", " & ")


def frames_by_outlet(rows: list[dict[str, Any]], out: Path) -> Chart | None:
    """Small multiples, one panel per outlet: mean frame shares per week (stacked bars of
    the six frames largest overall, the rest as Other)."""
    rows = [r for r in rows if r["frame"] != "tone"]
    if not rows:
        return None
    totals: dict[str, float] = defaultdict(float)
    for r in rows:
        totals[r["frame"]] += float(r["mean_score"])
    top = sorted(totals, key=lambda f: -totals[f])[:TOP_FRAMES]
    outlets = sorted({r["outlet"] for r in rows})
    with _styled():
        fig = _figure(8, 1.1 + 1.7 * len(outlets))
        axes = fig.subplots(len(outlets), 1, sharex=True, squeeze=False)[:, 0]
        for ax, outlet in zip(axes, outlets, strict=True):
            _stacked_weeks(ax, [r for r in rows if r["outlet"] == outlet], top)
            ax.set_title(outlet, loc="left", fontsize=9)
            ax.set_ylim(0, 1)
            ax.set_ylabel("mean share (0–1)")
        axes[-1].set_xlabel("week of publication (Monday)")
        _date_axis(axes[-1], [r["week"] for r in rows])
        handles = [Patch(color=PALETTE[i], label=_pretty(f))
                   for i, f in enumerate([*top, "Other"])]
        fig.legend(handles=handles, loc="outside lower center", ncols=3, frameon=False)
        fig.suptitle("Frames by outlet by week (mean share of each frame)", x=0.01,
                     ha="left", fontweight="bold", fontsize=11)
    return _save(fig, out, "frames-by-outlet.svg", "Frames by outlet by week",
                 f"Stacked bars per outlet and week of the frames {', '.join(map(_pretty, top))}"
                 " and the others, as mean shares of each article's framing (0 to 1).")


def _stacked_weeks(ax: Any, rows: list[dict[str, Any]], top: list[str]) -> None:
    weeks = sorted({r["week"] for r in rows})
    share = {(r["week"], r["frame"]): float(r["mean_score"]) for r in rows}
    bottom = [0.0] * len(weeks)
    for i, frame in enumerate([*top, "Other"]):
        if frame == "Other":
            values = [sum(v for (w, f), v in share.items() if w == week and f not in top)
                      for week in weeks]
        else:
            values = [share.get((week, frame), 0.0) for week in weeks]
        ax.bar(weeks, values, bottom=bottom, width=5, color=PALETTE[i], align="edge")
        bottom = [b + v for b, v in zip(bottom, values, strict=True)]


def tone_by_outlet(rows: list[dict[str, Any]], out: Path) -> Chart | None:
    """One line per outlet: mean tone toward the pact per week."""
    rows = [r for r in rows if r["frame"] == "tone"]
    if not rows:
        return None
    with _styled():
        fig = _figure(8, 3.4)
        ax = fig.subplots()
        for i, outlet in enumerate(sorted({r["outlet"] for r in rows})):
            mine = sorted((r["week"], float(r["mean_score"])) for r in rows
                          if r["outlet"] == outlet)
            ax.plot([w for w, _ in mine], [v for _, v in mine], marker="o", markersize=4,
                    color=PALETTE[i % len(PALETTE)], label=outlet)
        ax.axhline(0, color="#9ca3af", linewidth=0.8)
        ax.set_ylim(-1.08, 1.08)  # room for the markers at the ends of the scale
        ax.set_ylabel("mean tone (−1 negative … +1 positive)")
        ax.set_xlabel("week of publication (Monday)")
        _date_axis(ax, [r["week"] for r in rows])
        ax.legend(loc="upper left", bbox_to_anchor=(1, 1), frameon=False)
        ax.set_title("Tone toward the pact per outlet, by week", loc="left")
    return _save(fig, out, "tone-by-outlet.svg", "Tone toward the pact per outlet",
                 "Lines per outlet of the mean tone of its articles toward the pact each week, "
                 "from -1 (negative) to +1 (positive).")


def coverage(rows: list[dict[str, Any]], out: Path) -> Chart | None:
    """Stacked bars: the story's (relevant) articles per outlet per day."""
    rows = [r for r in rows if r["relevant_count"]]
    if not rows:
        return None
    days = sorted({r["day"] for r in rows})
    with _styled():
        fig = _figure(8, 3.2)
        ax = fig.subplots()
        bottom = dict.fromkeys(days, 0)
        for i, outlet in enumerate(sorted({r["outlet"] for r in rows})):
            counts = {r["day"]: int(r["relevant_count"]) for r in rows if r["outlet"] == outlet}
            ax.bar(days, [counts.get(d, 0) for d in days], bottom=[bottom[d] for d in days],
                   width=_bar_width(days), color=PALETTE[i % len(PALETTE)], label=outlet)
            for d in days:
                bottom[d] += counts.get(d, 0)
        ax.set_ylabel("articles per day")
        ax.set_xlabel("day of publication")
        ax.yaxis.set_major_locator(MaxNLocator(integer=True))
        _date_axis(ax, days)
        ax.legend(loc="upper left", bbox_to_anchor=(1, 1), frameon=False)
        ax.set_title("Articles on the story per outlet per day", loc="left")
    return _save(fig, out, "coverage.svg", "Articles per outlet per day",
                 f"Stacked bars of the story's articles per outlet per day, {days[0]} to "
                 f"{days[-1]}.")


def _bar_width(days: Iterable[date]) -> float:
    span = (max(days) - min(days)) if days else timedelta(0)
    return max(0.8, span.days / 120)  # at least a day; visible on a months-long axis


def rising(rows: list[dict[str, Any]], out: Path) -> Chart | None:
    """Horizontal bars: each rising entity's mentions in the latest week against the mean
    week of the four before."""
    if not rows:
        return None
    rows = list(reversed(rows))  # the largest rise on top
    names = [r["canonical_name"] for r in rows]
    with _styled():
        fig = _figure(8, 1.2 + 0.32 * len(rows))
        ax = fig.subplots()
        y = range(len(rows))
        ax.barh([i + 0.2 for i in y], [r["mention_count"] for r in rows], height=0.4,
                color=PALETTE[0], label=f"week of {rows[0]['week']}")
        ax.barh([i - 0.2 for i in y], [float(r["weekly_mean_before"]) for r in rows],
                height=0.4, color=PALETTE[8], label="mean week of the 4 before")
        ax.set_yticks(list(y), names)
        ax.set_xlabel("mentions per week")
        ax.legend(loc="lower right", frameon=False)
        ax.set_title("Entities rising this week", loc="left")
    return _save(fig, out, "rising.svg", "Entities rising this week",
                 "Bars of mentions in the week of " + str(rows[0]["week"]) + " against the "
                 "mean week of the four before, for " + ", ".join(names[::-1]) + ".")
