"""The alert digest: what was flagged since the previous one, grouped, ranked, rendered.

Pure functions: rows in, a Digest out, HTML and text out. Every interpolated value is
escaped; the subject line carries counts only, never text from an article.
"""

from __future__ import annotations

import html
from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from flows.report import anchors

MAX_ITEMS = 40
STATUS_COLOUR = {"changed": "#b45309", "new": "#1d4ed8"}


@dataclass(frozen=True)
class Source:
    outlet: str
    url: str
    published_at: datetime | None
    sentence: str
    status: str


@dataclass(frozen=True)
class Item:
    """One assertion flagged in the window, with every outlet that carried it."""

    status: str
    sentence: str
    claimant: str
    certainty: str
    changes: tuple[tuple[str, str, str], ...]
    earlier: Source | None
    sources: tuple[Source, ...]
    first_seen_at: datetime | None
    score: float
    origin: str = ""  # the assertion's first claim: its place on the story page

    @property
    def outlets(self) -> list[str]:
        return sorted({s.outlet for s in self.sources})


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
    items: tuple[Item, ...]
    entities: tuple[tuple[str, str, int, int, bool], ...]
    failing_feeds: tuple[tuple[str, str, int, str], ...]
    failed_work: tuple[tuple[str, int, str], ...] = ()
    framing: tuple[FramingItem, ...] = ()

    def count(self, status: str) -> int:
        return sum(1 for i in self.items if i.status == status)

    @property
    def empty(self) -> bool:
        return not (self.items or self.failing_feeds or self.failed_work or self.framing)

    @property
    def subject(self) -> str:
        parts = [f"{self.count('new')} new claims", f"{self.count('changed')} changed"]
        if self.framing:
            parts.append(f"{len(self.framing)} framing changes")
        if self.failing_feeds:
            parts.append(f"{len(self.failing_feeds)} failing feeds")
        return "pactwatch: " + ", ".join(parts)


def _source(r: dict[str, Any]) -> Source:
    return Source(r["outlet"] or "?", r["article_url"] or "", r["published_at"], r["sentence"],
                  r["status"])


def _importance(item: Item) -> tuple[Any, ...]:
    quantity = any(f == "quantity" for f, _o, _n in item.changes)
    return (-len(item.outlets), item.status != "changed", not quantity, -item.score)


def build_items(rows: list[dict[str, Any]]) -> list[Item]:
    """Group the window's claims by the assertion they make (their origin): one item per
    assertion that is new or changed in the window, with all its sources, most important
    first (most outlets, then changed numbers, then changes, then check-worthiness)."""
    groups: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for r in rows:
        if not r.get("is_seed"):  # the seeds are the baseline, not news
            groups[r["origin_claim_id"]].append(r)
    items = []
    for members in groups.values():
        flagged = [r for r in members if r["status"] in ("new", "changed")]
        if not flagged:
            continue
        lead = next((r for r in flagged if r["status"] == "changed"), flagged[0])
        earlier = None
        if lead["status"] == "changed" and lead["matched_sentence"]:
            earlier = Source(lead["matched_outlet"] or "?", lead["matched_article_url"] or "",
                             None, lead["matched_sentence"], "earlier")
        items.append(Item(
            status=lead["status"], sentence=lead["sentence"], claimant=lead["claimant"],
            certainty=lead["certainty"],
            changes=tuple((c["field"], c["old"], c["new"]) for c in lead["changes"] or ()),
            earlier=earlier,
            sources=tuple({r["article_url"]: _source(r) for r in members}.values()),
            first_seen_at=lead["first_seen_at"], score=float(lead["checkworthiness"] or 0),
            origin=lead["origin_claim_id"]))
    return sorted(items, key=_importance)


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
          framing: tuple[FramingItem, ...] = ()) -> Digest:
    return Digest(
        since, until, tuple(build_items(rows)),
        tuple((e["canonical_name"], e["label"], int(e["mentions"]), int(e["articles"]),
               bool(e["is_new"])) for e in entities),
        tuple((f["name"], f["url"], int(f["consecutive_failures"]), f["last_error"] or "")
              for f in failing),
        tuple((w["stage"], int(w["failures"]), w["last_reason"]) for w in failed_work or ()),
        framing)


def _when(d: datetime | None) -> str:
    return d.strftime("%Y-%m-%d %H:%M") if d else "the beginning"


def render_text(d: Digest, base_url: str = "") -> str:
    """The plain-text part; with `base_url` (the story page's), each item says where it is
    on the page."""
    lines = [d.subject, f"From {_when(d.covers_from)} to {_when(d.covers_until)} UTC", ""]
    for n, item in enumerate(d.items[:MAX_ITEMS], 1):
        lines.append(f"{n}. [{item.status.upper()}] {item.sentence}")
        if item.claimant:
            lines.append(f"   Attributed to: {item.claimant} ({item.certainty})")
        for field, old, new in item.changes:
            lines.append(f"   {field}: {old} -> {new}")
        if item.earlier:
            lines.append(f"   Earlier ({item.earlier.outlet}): {item.earlier.sentence}")
        for s in item.sources:
            lines.append(f"   - {s.outlet}: {s.url}")
        if base_url:
            lines.append(f"   On the story page: "
                         f"{anchors.page_link(base_url, anchors.claim(item.origin))}")
        lines.append("")
    if len(d.items) > MAX_ITEMS:
        lines.append(f"... and {len(d.items) - MAX_ITEMS} more: query v_claims.")
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
    return "\n".join(lines) + "\n"


def _e(value: object) -> str:
    return html.escape(str(value), quote=True)


def _link(url: str, label: str) -> str:
    safe = url if url.startswith(("http://", "https://")) else "#"
    return f'<a href="{_e(safe)}" style="color:#1d4ed8">{_e(label)}</a>'


def _page_link(base_url: str, anchor: str, before: str = " · ") -> str:
    """A link to `anchor` on the story page, or nothing when no page is configured."""
    if not base_url:
        return ""
    # the base URL is the operator's (config, checked there), not a third party's: file://
    # is allowed for a page on a shared drive
    href = _e(anchors.page_link(base_url, anchor))
    return f'{before}<a href="{href}" style="color:#1d4ed8">on the story page</a>'


def _item_html(n: int, item: Item, base_url: str = "") -> str:
    colour = STATUS_COLOUR.get(item.status, "#374151")
    parts = [f'<tr><td style="padding:12px 0;border-bottom:1px solid #e5e7eb">'
             f'<span style="background:{colour};color:#fff;font-size:12px;padding:2px 6px;'
             f'border-radius:3px">{_e(item.status.upper())}</span> '
             f'<span style="color:#6b7280;font-size:12px">#{n} · {len(item.outlets)} '
             f'outlet{"s" if len(item.outlets) != 1 else ""}</span>'
             f'<p style="margin:6px 0;font-size:15px">{_e(item.sentence)}</p>']
    if item.claimant:
        parts.append(f'<p style="margin:4px 0;color:#374151">Attributed to <b>'
                     f'{_e(item.claimant)}</b> ({_e(item.certainty)})</p>')
    for field, old, new in item.changes:
        parts.append(f'<p style="margin:4px 0">{_e(field)}: <s style="color:#9ca3af">'
                     f'{_e(old)}</s> &rarr; <b>{_e(new)}</b></p>')
    if item.earlier:
        parts.append(f'<p style="margin:4px 0;color:#6b7280">Earlier, '
                     f'{_link(item.earlier.url, item.earlier.outlet)}: '
                     f'&ldquo;{_e(item.earlier.sentence)}&rdquo;</p>')
    links = ", ".join(_link(s.url, s.outlet) for s in item.sources)
    parts.append(f'<p style="margin:4px 0;font-size:13px">Sources: {links}'
                 f'{_page_link(base_url, anchors.claim(item.origin))}</p></td></tr>')
    return "".join(parts)


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
    body += [_item_html(n, item, base_url) for n, item in enumerate(d.items[:MAX_ITEMS], 1)]
    body.append("</table>")
    if len(d.items) > MAX_ITEMS:
        body.append(f"<p>… and {len(d.items) - MAX_ITEMS} more: query v_claims.</p>")
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
    return ('<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">'
            f"<title>{_e(d.subject)}</title></head><body style=\"font-family:Arial,Helvetica,"
            "sans-serif;color:#111827;max-width:720px;margin:0 auto;padding:16px\">"
            + "".join(body) + "</body></html>")
