"""The alert digest: what was flagged since the previous one, grouped, ranked, rendered.

Pure functions: rows in, a Digest out, HTML and text out. Every interpolated value is
escaped; the subject line carries counts only, never text from an article.
"""

from __future__ import annotations

import html
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from extractors.language import language_name
from flows.digest.select import Assertion, Item, Score, Source, build_items
from flows.report import anchors
from flows.rows import digest as hash_id

DEFAULT_MAX_ITEMS = 20
SENTENCES_PER_ITEM = 3    # an event's sentences shown; the rest are counted
MAX_SOURCES = 5           # an event's articles listed; the rest are counted
PREVIEW_NOTE = " (a preview stores nothing: `pactwatch digest` stores them)"
STATUS_COLOUR = {"changed": "#b45309", "new": "#1d4ed8"}
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


def _e(value: object) -> str:
    return html.escape(str(value), quote=True)


def _link(url: str, label: str) -> str:
    safe = url if url.startswith(("http://", "https://")) else "#"
    return f'<a href="{_e(safe)}" style="color:#1d4ed8">{_e(label)}</a>'


def _badge(status: str) -> str:
    colour = STATUS_COLOUR.get(status, "#374151")
    return (f'<span style="background:{colour};color:#fff;font-size:12px;padding:2px 6px;'
            f'border-radius:3px">{_e(status.upper())}</span>')


def _why_html(a: Assertion) -> str:
    parts = [f'<p style="margin:4px 0">Why: {_e(a.status)}']
    if a.status != "changed":
        parts.append(" &mdash; first time this assertion appears</p>")
    for field, old, new in a.changes:
        parts.append(f'</p><p style="margin:4px 0">{_e(field)}: <s style="color:#9ca3af">'
                     f'{_e(old)}</s> &rarr; <b>{_e(new)}</b></p>')
    if a.earlier:
        parts.append(f'<p style="margin:4px 0;color:#6b7280">Earlier, '
                     f'{_link(a.earlier.url, a.earlier.outlet)}: '
                     f'&ldquo;{_e(a.earlier.sentence)}&rdquo;</p>')
    if a.claimant:
        parts.append(f'<p style="margin:4px 0;color:#374151">Attributed to <b>'
                     f'{_e(a.claimant)}</b> ({_e(a.certainty)})</p>')
    return "".join(parts)


def _others_html(item: Item) -> str:
    others, more = _others(item)
    if not others:
        return ""
    rows = "".join(f'<li style="margin:4px 0">{_badge(a.status)} {_e(a.sentence)}'
                   f"{_why_html(a)}</li>" for a in others)
    if more:
        rows += f"<li>… and {_n(more, 'more sentence')} of this event</li>"
    return (f'<p style="margin:6px 0 2px;font-size:13px">Same event '
            f'({_e("; ".join(item.grouped_by))}):</p><ul style="margin:0">{rows}</ul>')


def _page_link(base_url: str, anchor: str, before: str = " · ") -> str:
    """A link to `anchor` on the story page, or nothing when no page is configured."""
    if not base_url:
        return ""
    # the base URL is the operator's (config, checked there), not a third party's: file://
    # is allowed for a page on a shared drive
    href = _e(anchors.page_link(base_url, anchor))
    return f'{before}<a href="{href}" style="color:#1d4ed8">on the story page</a>'


def _item_html(n: int, item: Item, base_url: str = "") -> str:
    sources = item.sources
    links = ", ".join(_link(s.url, s.outlet) for s in sources[:MAX_SOURCES])
    if len(sources) > MAX_SOURCES:
        links += f" and {_n(len(sources) - MAX_SOURCES, 'more article')}"
    return (f'<tr><td style="padding:12px 0;border-bottom:1px solid #e5e7eb">'
            f'{_badge(item.status)} <span style="color:#6b7280;font-size:12px">#{n} · '
            f"{_n(len(item.outlets), 'outlet')} · score {item.score:.2f}</span>"
            f'<p style="margin:6px 0;font-size:15px">{_e(item.sentence)}</p>'
            f"{_why_html(item.lead)}"
            f'<p style="margin:4px 0;font-size:13px">Sources: {links}'
            f'{_page_link(base_url, anchors.claim(item.origin))}</p>'
            f'<p style="margin:4px 0;font-size:12px;color:#6b7280">'
            f"{_e(item.scoring.explain())}</p>{_others_html(item)}</td></tr>")


def _framing_html(f: FramingItem, base_url: str = "") -> str:
    head = _link(f.url, f.outlet) if f.url else _e(f.outlet)
    moved = "; ".join(_e(m) for m in f.moved)
    tone = "" if f.tone[0] is None else f" · tone {f.tone[0]:+.2f} &rarr; {f.tone[1]:+.2f}"
    bars = "".join(
        f'<tr><td style="font-size:11px;color:#6b7280;padding-right:6px">{_e(week)}</td><td>'
        + "".join(f'<span title="{_e(frame)}" style="display:inline-block;height:8px;'
                  f'width:{max(2, int(share * 120))}px;background:{FRAME_COLOURS[k]}"></span>'
                  for k, (frame, share) in enumerate(top))
        + f'<span style="font-size:11px;color:#6b7280"> {_e(top[0][0]) if top else ""}'
          f"</span></td></tr>" for week, top in f.weeks)
    return (f'<p style="margin:8px 0 2px"><b>{_e(f.scope)}</b> {head}: {moved} '
            f'(magnitude {f.magnitude:.2f}{tone})'
            f'{_page_link(base_url, anchors.outlet_framing(f.outlet))}</p><table cellpadding="0" '
            f'cellspacing="0">{bars}</table>')


FRAME_COLOURS = ("#1d4ed8", "#b45309", "#047857")


def render_html(d: Digest, base_url: str = "") -> str:
    """The HTML part: one table, inline styles, every value escaped; with `base_url` (the
    story page's), links from each item to its place on the page."""
    body = [f'<h1 style="font-size:20px;margin:0 0 4px">{_e(d.subject)}</h1>'
            f'<p style="color:#6b7280;margin:0 0 12px">From {_e(_when(d.covers_from))} to '
            f'{_e(_when(d.covers_until))} UTC</p><table width="100%" cellpadding="0" '
            f'cellspacing="0" style="border-collapse:collapse">']
    body += [_item_html(n, item, base_url) for n, item in enumerate(d.shown, 1)]
    body.append("</table>")
    if d.more_line:
        body.append(f'<p style="font-size:13px">{_e(d.more_note)} List them'
                    f'{_e(PREVIEW_NOTE) if not d.stored else ""}:</p>'
                    f'<pre style="white-space:pre-wrap;font-size:12px">{_e(d.more_query)}</pre>')
    if d.framing:
        body.append('<h2 style="font-size:16px">Framing changes</h2>')
        body += [_framing_html(f, base_url) for f in d.framing]
    if d.entities:
        names = ", ".join(f"{_e(n)}{' <b>(new)</b>' if new else ''} ×{m}"
                          for n, _l, m, _a, new in d.entities)
        body.append(f'<h2 style="font-size:16px">Entities in the news</h2><p>{names}</p>')
    if d.failing_feeds:
        rows = "".join(f"<li>{_link(u, n)}: {k} failures in a row — {_e(err)}</li>"
                       for n, u, k, err in d.failing_feeds)
        body.append(f'<h2 style="font-size:16px;color:#b91c1c">Failing feeds</h2><ul>{rows}'
                    f"</ul>{_page_link(base_url, anchors.FAILING, '')}")
    if d.failed_work:
        rows = "".join(f"<li>{_e(stage)}: {n} pages — {_e(reason)}</li>"
                       for stage, n, reason in d.failed_work)
        body.append(f'<h2 style="font-size:16px;color:#b91c1c">Failed work</h2><ul>{rows}</ul>')
    if d.not_analysed_line:
        body.append(f'<p style="font-size:13px;color:#6b7280">{_e(d.not_analysed_line)}</p>')
    return ('<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">'
            f"<title>{_e(d.subject)}</title></head><body style=\"font-family:Arial,Helvetica,"
            "sans-serif;color:#111827;max-width:720px;margin:0 auto;padding:16px\">"
            + "".join(body) + "</body></html>")
