"""What the digest shows, and in what order: flagged claims grouped into events, ranked.

Pure functions on `v_claims` rows (`warehouse.digest_queries.claims_in_window`); no I/O.
The rule, also in the README ("Ranking the digest"):

- An **assertion** is the window's claims that share an origin (the matcher judged them the
  same assertion): flagged when one of them is `new` or `changed`; the others (`repeated`)
  are more sources.
- An **event** (one digest item) joins assertions (1) whose flagged claims are in the same
  article, and (2) across articles, whose flagged claims name the same actors, the same
  date (a date written in both; when one writes none, the same publication day) and share
  at least half of their content words (Jaccard). Joins are transitive.
- **score = novelty × reach × evidence** of the item's best assertion, where novelty is 3
  for a changed number, 2 for another change, 1 for a new assertion; reach is
  log2(1 + W), W the summed `[[feeds]].weight` of the distinct outlets that carried any of
  the event's claims in the window (one outlet of weight 1: 1.0; three: 2.0); evidence is
  the mean of the claim's check-worthiness and its concreteness (0.5 × min(actors, 2) / 2
  + 0.5 if it states a figure or a date).
"""

from __future__ import annotations

import math
import re
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from itertools import combinations
from typing import Any

FLAGGED = ("new", "changed")
NOVELTY = {"quantity": 3.0, "changed": 2.0, "new": 1.0}
NOVELTY_LABEL = {3.0: "changed number", 2.0: "changed", 1.0: "new"}
SAME_WORDING = 0.5        # Jaccard of content words for two sentences to tell one event
SAME_ARTICLE = "same article"
SAME_EVENT = "same actors, date and wording"
STOPWORDS = frozenset({"the", "and", "for", "that", "with", "from", "this", "was", "were",
    "has", "have", "had", "its", "his", "her", "their", "they", "said", "says", "will",
    "would", "are", "been", "also", "not", "but", "which", "who", "whom", "into", "over",
    "under", "about", "after", "before", "than", "then", "there", "these", "those", "such",
    "between", "during", "while", "other", "more", "most", "some", "any"})


@dataclass(frozen=True)
class Source:
    outlet: str
    url: str
    published_at: datetime | None
    sentence: str
    status: str


@dataclass(frozen=True)
class Assertion:
    """One assertion flagged in the window, with every outlet that carried it."""

    status: str                                   # new | changed
    claim_id: str                                 # the flagged claim shown
    sentence: str
    claimant: str
    certainty: str
    changes: tuple[tuple[str, str, str], ...]     # (field, old, new)
    earlier: Source | None                        # the sentence it changes
    sources: tuple[Source, ...]
    first_seen_at: datetime | None
    checkworthiness: float
    concreteness: float
    claim_ids: tuple[str, ...]                    # every claim of the window making it
    origin: str = ""                              # where the assertion first appeared

    @property
    def novelty(self) -> float:
        if any(f == "quantity" for f, _o, _n in self.changes):
            return NOVELTY["quantity"]
        return NOVELTY.get(self.status, 1.0)

    @property
    def evidence(self) -> float:
        return (self.checkworthiness + self.concreteness) / 2

    @property
    def reason(self) -> str:
        """Why it is flagged, in one line (the earlier sentence is shown beside it)."""
        if self.status != "changed":
            return "new: first time this assertion appears"
        return "changed " + "; ".join(f"{f}: {o} -> {n}" for f, o, n in self.changes)


@dataclass(frozen=True)
class Score:
    """The parts of an item's score, so that a reader can see why it ranks where it does."""

    novelty: float
    checkworthiness: float
    concreteness: float
    outlet_count: int
    outlet_weight: float      # W: summed weights of the distinct outlets

    @property
    def reach(self) -> float:
        return math.log2(1 + self.outlet_weight)

    @property
    def evidence(self) -> float:
        return (self.checkworthiness + self.concreteness) / 2

    @property
    def total(self) -> float:
        return self.novelty * self.reach * self.evidence

    def explain(self) -> str:
        """`score 2.40 = novelty 3 (changed number) × reach 1.00 (1 outlet, weight 1) × …`"""
        n = self.outlet_count
        return (f"score {self.total:.2f} = novelty {self.novelty:g} "
                f"({NOVELTY_LABEL.get(self.novelty, '?')}) × reach {self.reach:.2f} "
                f"({n} outlet{'s' if n != 1 else ''}, weight {self.outlet_weight:g}) × "
                f"evidence {self.evidence:.2f} (check-worthiness {self.checkworthiness:.2f}, "
                f"concreteness {self.concreteness:.2f})")


@dataclass(frozen=True)
class Item:
    """One event: its assertions (best first), all their sources, and its score."""

    assertions: tuple[Assertion, ...]
    scoring: Score
    grouped_by: tuple[str, ...]       # the rules that joined its assertions; () when one

    @property
    def lead(self) -> Assertion:
        return self.assertions[0]

    @property
    def origin(self) -> str:
        """The lead assertion's first claim: its place on the story page."""
        return self.lead.origin

    @property
    def status(self) -> str:
        return self.lead.status

    @property
    def sentence(self) -> str:
        return self.lead.sentence

    @property
    def claimant(self) -> str:
        return self.lead.claimant

    @property
    def certainty(self) -> str:
        return self.lead.certainty

    @property
    def changes(self) -> tuple[tuple[str, str, str], ...]:
        return self.lead.changes

    @property
    def earlier(self) -> Source | None:
        return self.lead.earlier

    @property
    def first_seen_at(self) -> datetime | None:
        return self.lead.first_seen_at

    @property
    def score(self) -> float:
        return self.scoring.total

    @property
    def sources(self) -> tuple[Source, ...]:
        """Every article of the event, once, the lead assertion's first."""
        seen: dict[str, Source] = {}
        for a in self.assertions:
            for s in a.sources:
                seen.setdefault(s.url, s)
        return tuple(seen.values())

    @property
    def outlets(self) -> list[str]:
        return sorted({s.outlet for s in self.sources})

    @property
    def claim_ids(self) -> tuple[str, ...]:
        return tuple(c for a in self.assertions for c in a.claim_ids)


@dataclass(frozen=True)
class _Unit:
    """An assertion with what grouping needs from its shown claim."""

    assertion: Assertion
    article: str
    actors: frozenset[str]
    dates: frozenset[str]     # as written in the claim
    day: str | None           # its article's publication day
    words: frozenset[str]

    def same_date(self, other: _Unit) -> bool:
        """A date written in both; or, when one of them writes none, the same day."""
        if self.dates and other.dates:
            return bool(self.dates & other.dates)
        return self.day is not None and self.day == other.day


def concreteness(row: Mapping[str, Any]) -> float:
    """0.5 × min(actors, 2) / 2, plus 0.5 when the claim states a figure or a date."""
    actors = len(set(row.get("actors") or ()))
    figure = bool(row.get("quantities") or row.get("dates"))
    return 0.5 * min(actors, 2) / 2 + (0.5 if figure else 0.0)


def _source(r: Mapping[str, Any]) -> Source:
    return Source(r["outlet"] or "?", r["article_url"] or "", r["published_at"], r["sentence"],
                  r["status"])


def _lead_key(r: Mapping[str, Any]) -> tuple[int, int]:
    fields = {c["field"] for c in r["changes"] or ()}
    return (0 if "quantity" in fields else 1, 0 if r["status"] == "changed" else 1)


def _assertion(members: list[Mapping[str, Any]]) -> Assertion | None:
    flagged = [r for r in members if r["status"] in FLAGGED]
    if not flagged:
        return None
    lead = min(flagged, key=_lead_key)  # stable: the earliest among equals
    earlier = None
    if lead["status"] == "changed" and lead["matched_sentence"]:
        earlier = Source(lead["matched_outlet"] or "?", lead["matched_article_url"] or "",
                         None, lead["matched_sentence"], "earlier")
    return Assertion(
        status=lead["status"], claim_id=lead["claim_id"], sentence=lead["sentence"],
        claimant=lead["claimant"], certainty=lead["certainty"],
        changes=tuple((c["field"], c["old"], c["new"]) for c in lead["changes"] or ()),
        earlier=earlier, sources=tuple({r["article_url"]: _source(r) for r in members}.values()),
        first_seen_at=lead["first_seen_at"],
        checkworthiness=float(lead["checkworthiness"] or 0), concreteness=concreteness(lead),
        claim_ids=tuple(r["claim_id"] for r in members), origin=lead["origin_claim_id"])


def _words(text: str) -> frozenset[str]:
    return frozenset(w for w in re.findall(r"[a-z0-9]+", text.lower())
                     if len(w) > 2 and w not in STOPWORDS)


def _unit(a: Assertion, lead: Mapping[str, Any]) -> _Unit:
    day = lead["published_at"].date().isoformat() if lead.get("published_at") else None
    return _Unit(a, str(lead.get("article_id") or lead["article_url"]),
                 frozenset(lead.get("actors") or ()),
                 frozenset(str(d).lower() for d in lead.get("dates") or ()), day,
                 _words(a.sentence))


def assertions(rows: Iterable[Mapping[str, Any]]) -> list[_Unit]:
    """The window's flagged assertions (seeds are the baseline, not news), in row order."""
    groups: dict[str, list[Mapping[str, Any]]] = defaultdict(list)
    for r in rows:
        if not r.get("is_seed"):
            groups[r["origin_claim_id"]].append(r)
    units = []
    for members in groups.values():
        a = _assertion(members)
        if a is not None:
            lead = next(r for r in members if r["claim_id"] == a.claim_id)
            units.append(_unit(a, lead))
    return units


def same_event(a: _Unit, b: _Unit) -> bool:
    """Two assertions from different articles tell one event: the same actors (some), the
    same date, and at least half of their content words in common."""
    if not a.actors or a.actors != b.actors or not a.same_date(b):
        return False
    union = len(a.words | b.words)
    return union > 0 and len(a.words & b.words) / union >= SAME_WORDING


class _Joins:
    """Union-find over unit indexes, remembering which rule joined each component."""

    def __init__(self, n: int) -> None:
        self.parent = list(range(n))
        self.edges: list[tuple[int, str]] = []

    def find(self, i: int) -> int:
        while self.parent[i] != i:
            self.parent[i] = self.parent[self.parent[i]]
            i = self.parent[i]
        return i

    def join(self, i: int, j: int, rule: str) -> None:
        self.parent[self.find(i)] = self.find(j)
        self.edges.append((i, rule))

    def components(self) -> list[tuple[list[int], tuple[str, ...]]]:
        members: dict[int, list[int]] = defaultdict(list)
        for i in range(len(self.parent)):
            members[self.find(i)].append(i)
        rules: dict[int, set[str]] = defaultdict(set)
        for i, rule in self.edges:
            rules[self.find(i)].add(rule)
        return [(m, tuple(sorted(rules[root]))) for root, m in members.items()]


def events(units: list[_Unit]) -> list[tuple[list[_Unit], tuple[str, ...]]]:
    """Units joined into events (same article; same actors, date and wording), each with
    the rules that joined it."""
    joins = _Joins(len(units))
    first_in: dict[str, int] = {}
    by_actors: dict[frozenset[str], list[int]] = defaultdict(list)
    for i, u in enumerate(units):
        j = first_in.setdefault(u.article, i)
        if j != i:
            joins.join(i, j, SAME_ARTICLE)
        by_actors[u.actors].append(i)
    for bucket in by_actors.values():
        for i, j in combinations(bucket, 2):
            if units[i].article != units[j].article and joins.find(i) != joins.find(j) \
                    and same_event(units[i], units[j]):
                joins.join(i, j, SAME_EVENT)
    return [([units[i] for i in m], rules) for m, rules in joins.components()]


def _item(members: list[_Unit], rules: tuple[str, ...],
          weights: Mapping[str, float]) -> Item:
    ranked = sorted((u.assertion for u in members), key=lambda a: -a.novelty * a.evidence)
    outlets = {s.outlet for a in ranked for s in a.sources}
    lead = ranked[0]
    score = Score(lead.novelty, lead.checkworthiness, lead.concreteness, len(outlets),
                  sum(weights.get(o, 1.0) for o in outlets))
    return Item(tuple(ranked), score, rules)


def build_items(rows: Iterable[Mapping[str, Any]],
                weights: Mapping[str, float] | None = None) -> list[Item]:
    """The window's flagged claims as ranked events, best first.

    `rows` are `v_claims` rows (`claims_in_window`); `weights` maps an outlet (a feed's
    name) to its `[[feeds]].weight` (default 1.0). Ties keep the earlier event first.
    """
    units = assertions(rows)
    items = [_item(m, rules, weights or {}) for m, rules in events(units)]
    order = {u.assertion.claim_id: n for n, u in enumerate(units)}
    return sorted(items, key=lambda it: (-it.score, order[it.lead.claim_id]))
