"""The alert digest: what was flagged since the previous one, grouped, ranked, rendered.

Pure functions: rows in, a Digest out, HTML and text out. The HTML comes from a Jinja2
template with autoescape on (templates/digest.html.j2), so every value is escaped; the
subject line carries counts only, never text from an article.
"""

from __future__ import annotations

import functools
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import jinja2

from extractors.language import language_name
from flows.digest.select import Assertion, Item, Score, Source, build_items
from flows.report import anchors
from flows.rows import digest as hash_id

DEFAULT_MAX_ITEMS = 20
SENTENCES_PER_ITEM = 3    # an event's sentences shown; the rest are counted
MAX_SOURCES = 5           # an event's articles listed; the rest are counted
PREVIEW_NOTE = " (a preview stores nothing: `pactwatch digest` stores them)"
STATUS_COLOUR = {"changed": "#b45309", "new": "#1d4ed8"}
FRAME_COLOURS = ("#1d4ed8", "#b45309", "#047857")   # an outlet's top three frames
__all__ = ["Assertion", "Digest", "FramingItem", "Item", "Score", "Source", "build",
           "build_items", "render_html", "render_text"]


@dataclass(frozen=True)
class FramingItem:
    """A framing change, with the outlet's frames per week for a small chart."""

    scope: str
    outlet: str
    url: str | None
    moved: tuple[str, ...]
    magnitude: float
    tone: tuple[float | None, float | None]
    weeks: tuple[tuple[str, tuple[tuple[str, float], ...]], ...]


@dataclass(frozen=True)
class Digest:
    covers_from: datetime | None
    covers_until: datetime
    items: tuple[Item, ...]                 # every flagged event, ranked; `shown` are mailed
    entities: tuple[tuple[str, str, int, int, bool], ...]
    failing_feeds: tuple[tuple[str, str, int, str], ...]
    failed_work: tuple[tuple[str, int, str], ...] = ()
    framing: tuple[FramingItem, ...] = ()
    max_items: int = DEFAULT_MAX_ITEMS
    not_analysed: tuple[tuple[str, int], ...] = ()   # (language code, articles) stored only
    stored: bool = True                     # False for a preview: nothing in v_digest_items

    @property
    def digest_id(self) -> str:
        """The id the digest is stored under (one digest per window end)."""
        return hash_id("digest", self.covers_until.isoformat())

    @property
    def shown(self) -> tuple[Item, ...]:
        return self.items[:self.max_items]

    @property
    def not_shown(self) -> int:
        return max(0, len(self.items) - self.max_items)

    @property
    def not_analysed_line(self) -> str:
        """"3 articles in German not analysed" (every language, most first), or ""."""
        parts = [f"{_n(n, 'article')} in {language_name(code)}"
                 for code, n in self.not_analysed]
        if not parts:
            return ""
        return (", ".join(parts) + " not analysed (stored and searchable: "
                "SELECT * FROM v_articles WHERE analysis = 'not analysed')")

    def count(self, status: str) -> int:
        """Flagged assertions with this status, over all items."""
        return sum(1 for i in self.items for a in i.assertions if a.status == status)

    @property
    def empty(self) -> bool:
        return not (self.items or self.failing_feeds or self.failed_work or self.framing
                    or self.not_analysed)

    @property
    def subject(self) -> str:
        parts = [f"{self.count('new')} new claims", f"{self.count('changed')} changed"]
        if self.framing:
            parts.append(f"{len(self.framing)} framing changes")
        if self.failing_feeds:
            parts.append(f"{len(self.failing_feeds)} failing feeds")
        return f"pactwatch: {len(self.items)} items: " + ", ".join(parts)

    @property
    def more_query(self) -> str:
        """The SQL (on the snapshot) that lists the items ranked below the cap."""
        return ("SELECT item_no, status, round(score, 2) AS score, outlets, sentence "
                f"FROM v_digest_items WHERE digest_id = '{self.digest_id}' AND NOT shown "
                "ORDER BY item_no")

    @property
    def more_note(self) -> str:
        """`... and N more items (ranked a to b), not shown.` ('' when all are shown)."""
        if not self.not_shown:
            return ""
        return (f"... and {self.not_shown} more items (ranked {self.max_items + 1} to "
                f"{len(self.items)}), not shown.")

    @property
    def more_line(self) -> str:
        """`more_note` with the query that lists them ('' when all are shown)."""
        if not self.not_shown:
            return ""
        return f"{self.more_note} List them: {self.more_query}" + (
            "" if self.stored else PREVIEW_NOTE)


def framing_items(changes: list[dict[str, Any]],
                  weeks_of: dict[str, list[dict[str, Any]]]) -> tuple[FramingItem, ...]:
    """Framing changes with each outlet's top-3 frames per week (its latest 6 weeks)."""
    out = []
    for c in changes:
        by_week: dict[str, list[tuple[str, float]]] = defaultdict(list)
        for r in weeks_of.get(c["outlet"] or "", []):
            by_week[str(r["week"])].append((r["frame"], float(r["share"])))
        weeks = tuple((w, tuple(sorted(v, key=lambda x: -x[1])[:3]))
                      for w, v in sorted(by_week.items())[-6:])
        out.append(FramingItem(c["scope"], c["outlet"] or "?", c["article_url"],
                               tuple(c["frames_moved"]), float(c["magnitude"]),
                               (c["tone_before"], c["tone_after"]), weeks))
    return tuple(out)


def build(rows: list[dict[str, Any]], entities: list[dict[str, Any]],
          failing: list[dict[str, Any]], since: datetime | None, until: datetime,
          failed_work: list[dict[str, Any]] | None = None,
          framing: tuple[FramingItem, ...] = (), weights: Mapping[str, float] | None = None,
          max_items: int = DEFAULT_MAX_ITEMS,
          not_analysed: list[dict[str, Any]] | None = None) -> Digest:
    """The digest of a window: `rows` from `claims_in_window`, ranked and grouped by
    `build_items` with the outlets' `weights`; `max_items` of them are shown."""
    return Digest(
        since, until, tuple(build_items(rows, weights)),
        tuple((e["canonical_name"], e["label"], int(e["mentions"]), int(e["articles"]),
               bool(e["is_new"])) for e in entities),
        tuple((f["name"], f["url"], int(f["consecutive_failures"]), f["last_error"] or "")
              for f in failing),
        tuple((w["stage"], int(w["failures"]), w["last_reason"]) for w in failed_work or ()),
        framing, max_items,
        tuple((r["language"] or "und", int(r["articles"])) for r in not_analysed or ()))


def _n(count: int, noun: str) -> str:
    """`1 article`, `2 articles`."""
    return f"{count} {noun}{'' if count == 1 else 's'}"


def _when(d: datetime | None) -> str:
    return d.strftime("%Y-%m-%d %H:%M") if d else "the beginning"


def _why_text(a: Assertion, indent: str) -> list[str]:
    lines = [f"{indent}Why: {a.reason}"]
    if a.earlier:
        lines.append(f"{indent}Earlier ({a.earlier.outlet} {a.earlier.url}): "
                     f"{a.earlier.sentence}")
    if a.claimant:
        lines.append(f"{indent}Attributed to: {a.claimant} ({a.certainty})")
    return lines


def _others(item: Item) -> tuple[tuple[Assertion, ...], int]:
    """The event's other sentences shown under the lead, and how many more it has."""
    rest = item.assertions[1:]
    return rest[:SENTENCES_PER_ITEM - 1], max(0, len(rest) - (SENTENCES_PER_ITEM - 1))


def _item_text(n: int, item: Item, base_url: str = "") -> list[str]:
    lines = [f"{n}. [{item.status.upper()}] {item.sentence}", *_why_text(item.lead, "   ")]
    sources = item.sources
    lines.append(f"   Sources ({_n(len(item.outlets), 'outlet')}, {_n(len(sources), 'article')}):")
    lines += [f"   - {s.outlet}: {s.url}" for s in sources[:MAX_SOURCES]]
    if len(sources) > MAX_SOURCES:
        lines.append(f"   - ... and {_n(len(sources) - MAX_SOURCES, 'more article')}")
    lines.append(f"   Rank: {item.scoring.explain()}")
    if base_url:
        lines.append("   On the story page: "
                     f"{anchors.page_link(base_url, anchors.claim(item.origin))}")
    others, more = _others(item)
    if others:
        lines.append(f"   Same event ({'; '.join(item.grouped_by)}):")
    for a in others:
        lines += [f"   * [{a.status.upper()}] {a.sentence}", *_why_text(a, "     ")]
    if more:
        lines.append(f"   * ... and {_n(more, 'more sentence')} of this event")
    return [*lines, ""]


def render_text(d: Digest, base_url: str = "") -> str:
    """The plain-text part; with `base_url` (the story page's), each item says where it is
    on the page."""
    lines = [d.subject, f"From {_when(d.covers_from)} to {_when(d.covers_until)} UTC", ""]
    if d.items:
        lines += [f"Top {len(d.shown)} of {len(d.items)} items, ranked by score = novelty × "
                  "reach × evidence (README: Ranking the digest).", ""]
    for n, item in enumerate(d.shown, 1):
        lines += _item_text(n, item, base_url)
    if d.more_line:
        lines += [d.more_line, ""]
    for f in d.framing:
        where = f.url or f"outlet {f.outlet}"
        lines.append(f"Framing changed ({f.scope}, {f.magnitude:.2f}): {where}: "
                     + "; ".join(f.moved))
    if d.entities:
        lines.append("Entities in the news: " + ", ".join(
            f"{name}{' (new)' if new else ''} x{m}" for name, _l, m, _a, new in d.entities))
    for name, url, n, error in d.failing_feeds:
        lines.append(f"Failing feed: {name} <{url}> {n} times in a row: {error}")
    for stage, n, reason in d.failed_work:
        lines.append(f"Failed {stage} work ({n} pages): {reason}")
    if d.not_analysed_line:
        lines.append(d.not_analysed_line)
    return "\n".join(lines) + "\n"


def _web(url: str) -> str:
    """A link target: the URL when it is http(s), else "#" (no javascript:, data:, file:)."""
    return url if url.startswith(("http://", "https://")) else "#"


@functools.cache
def environment() -> jinja2.Environment:
    """The digest template's environment: autoescape on, undefined names fail."""
    env = jinja2.Environment(
        loader=jinja2.PackageLoader("flows.digest", "templates"), autoescape=True,
        undefined=jinja2.StrictUndefined, trim_blocks=True, lstrip_blocks=True)
    env.filters["web"] = _web
    env.filters["when"] = _when
    env.globals.update(n=_n, others=_others, anchors=anchors, page_link=anchors.page_link,
                       colours=STATUS_COLOUR, frame_colours=FRAME_COLOURS,
                       max_sources=MAX_SOURCES, preview_note=PREVIEW_NOTE)
    return env


def render_html(d: Digest, base_url: str = "") -> str:
    """The HTML part (templates/digest.html.j2): one table, inline styles, every value
    escaped; with `base_url` (the story page's), links from each item to its place on the
    page. The base URL is the operator's (config, checked there), not a third party's, so a
    file:// page on a shared drive is linked as given."""
    return environment().get_template("digest.html.j2").render(d=d, base_url=base_url)
