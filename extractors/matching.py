"""Matching claims against everything known before them: new, repeated or changed.

Claims are judged in knowledge order (seeds first, then articles by publication time).
Candidates come from a sparse inverted index (terms shared with the claim, very common
terms left out), never from comparing every pair; the best candidate is then compared in
full: TF-IDF cosine over normalised lemmas and actors decides "same assertion", and the
fields (quantities, attribution, certainty, dates) decide "changed".
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import numpy as np

from extractors.claims import Claim
from extractors.quantities import Quantity

METHOD = "pactwatch.matching.v1 (tf-idf lemmas+actors, inverted index)"
SAME_ASSERTION = 0.47      # similarity at or above which two claims make the same assertion
CANDIDATES = 20            # candidates per claim from the index
TIE = 0.05                 # similarities this close count as equally close
PRIOR_CLAIMS = 50          # IDF smoothing, see _matrix
MAX_DF = 0.05              # terms in more claims than this share are left out of the index
# Certainty levels that count as a change: "claimed" and "said" word the same attribution.
LEVEL = {"asserted": "stated", "reported": "stated", "claimed": "stated",
         "believed": "hedged", "denied": "denied"}
MONTHS = ("january", "february", "march", "april", "may", "june", "july", "august",
          "september", "october", "november", "december")
SYNONYMS = {
    "send": "supply", "ship": "supply", "deliver": "supply", "provide": "supply",
    "transfer": "supply", "export": "supply", "give": "supply", "sell": "supply",
    "shipment": "supply", "delivery": "supply", "munition": "shell", "ammunition": "shell",
    "soldier": "troop", "force": "troop", "personnel": "troop", "pact": "treaty",
    "agreement": "treaty", "accord": "treaty", "deal": "treaty", "sign": "sign",
    "deploy": "deploy", "dispatch": "deploy", "station": "deploy", "weapon": "arm",
    "weaponry": "arm", "arms": "arm", "fight": "combat", "battle": "combat",
    "aid": "assistance", "help": "assistance", "support": "assistance", "round": "shell",
    "hit": "harm", "hurt": "harm", "damage": "harm", "cripple": "harm",
    "require": "oblige", "commit": "oblige", "obligate": "oblige",
    "reach": "rise", "climb": "rise", "increase": "rise", "grow": "rise", "total": "rise",
}
DIFFERENT_PREDICATE = 0.85  # claims that share no verb must be this alike


@dataclass(frozen=True)
class ClaimRecord:
    """What matching needs of a claim. `order` sorts claims into knowledge order."""

    claim_id: str
    order: tuple[Any, ...]
    published_at: datetime
    text: str
    predicate: str
    lemmas: tuple[str, ...]
    verbs: tuple[str, ...]
    actors: tuple[str, ...]
    claimant: str
    claimant_actors: tuple[str, ...]
    certainty: str
    negated: bool
    quantities: tuple[Quantity, ...]
    dates: tuple[str, ...]


    @classmethod
    def of(cls, claim: Claim, claim_id: str, order: tuple[Any, ...],
           published_at: datetime) -> ClaimRecord:
        """The record of an extracted claim, placed in knowledge order."""
        return cls(claim_id, order, published_at, claim.claim_text, claim.predicate,
                   claim.lemmas, claim.verbs, claim.actors, claim.claimant,
                   claim.claimant_actors, claim.certainty, claim.negated, claim.quantities,
                   claim.dates)


@dataclass(frozen=True)
class Change:
    field: str   # quantity | attribution | certainty | date
    old: str
    new: str


@dataclass(frozen=True)
class Judgement:
    claim_id: str
    status: str                  # new | repeated | changed
    matched_claim_id: str | None
    similarity: float | None
    changes: tuple[Change, ...]
    origin_claim_id: str         # where the assertion first appeared
    first_seen_at: datetime


def terms(c: ClaimRecord) -> list[str]:
    """Index terms: synonym-normalised content lemmas and the claim's actors."""
    words = [SYNONYMS.get(w, w) for w in c.lemmas if not w.isdigit()]
    return words + [f"@{a.lower()}" for a in c.actors]


def _matrix(claims: Sequence[ClaimRecord]) -> tuple[Any, Any, Any]:
    """L2-normalised TF-IDF rows over all claims, the same with common terms dropped (for
    retrieval), and binary IDF weights (for containment)."""
    from scipy.sparse import csr_matrix
    from sklearn.preprocessing import normalize

    vocab: dict[str, int] = {}
    rows, cols, vals = [], [], []
    for i, c in enumerate(claims):
        for term, n in Counter(terms(c)).items():
            rows.append(i)
            cols.append(vocab.setdefault(term, len(vocab)))
            vals.append(float(n))
    shape = (len(claims), max(1, len(vocab)))
    tf = csr_matrix((vals, (rows, cols)), shape=shape)
    df = np.bincount(tf.indices, minlength=shape[1])
    # As if PRIOR_CLAIMS more claims contained none of the terms: a term in every claim of a
    # large corpus weighs nothing, while a tiny corpus still weighs what its claims share.
    idf = np.log((PRIOR_CLAIMS + len(claims)) / (1 + df))
    full = normalize(tf.multiply(idf).tocsr())
    rare = (df <= max(200, MAX_DF * len(claims))).astype(np.float64)
    weights = (tf > 0).multiply(idf).tocsr()
    return full, normalize(tf.multiply(idf * rare).tocsr()), weights


def _head(claimant: str) -> str:
    words = [w for w in re.findall(r"[a-z]+", claimant.lower()) if w not in ("the", "s")]
    return words[-1].rstrip("s") if words else ""


def attribution_changed(old: ClaimRecord, new: ClaimRecord) -> bool:
    """Different sources: disjoint named sources, the outlet versus someone, or unnamed
    sources of a different kind ("officials" versus "media"). A named source and an
    unnamed one ("the agency") cannot be told apart and do not count as a change."""
    if bool(old.claimant) != bool(new.claimant):
        return True
    if old.claimant_actors and new.claimant_actors:
        return not set(old.claimant_actors) & set(new.claimant_actors)
    if old.claimant_actors or new.claimant_actors:
        return False
    return _head(old.claimant) != _head(new.claimant)


def _date_parts(text: str) -> dict[str, str]:
    low = text.lower()
    parts = {}
    if year := re.search(r"\b(1[89]\d\d|20\d\d)\b", low):
        parts["year"] = year.group(1)
    if month := next((m for m in MONTHS if m in low), None):
        parts["month"] = month
        if day := re.search(r"\b([0-3]?\d)(st|nd|rd|th)?\b", low.replace(parts.get("year", "#"),
                                                                        "")):
            parts["day"] = day.group(1)
    return parts


def dates_conflict(old: tuple[str, ...], new: tuple[str, ...]) -> bool:
    """True when every absolute date of `new` disagrees with every one of `old` on a part
    both give (year, month or day): "24 October" and "October" agree."""
    a = [p for d in old if (p := _date_parts(d))]
    b = [p for d in new if (p := _date_parts(d))]
    if not a or not b:
        return False
    def clash(x: dict[str, str], y: dict[str, str]) -> bool:
        return any(x[k] != y[k] for k in x.keys() & y.keys())
    return all(clash(x, y) for x in a for y in b)


def _quantity_changes(old: ClaimRecord, new: ClaimRecord) -> list[Change]:
    out = []
    for q in new.quantities:
        same_unit = [p for p in old.quantities if p.comparable(q)]
        if same_unit and all(p.differs(q) for p in same_unit):
            out.append(Change("quantity", same_unit[0].text + f" {same_unit[0].unit}",
                              q.text + f" {q.unit}"))
    return out


def changes(old: ClaimRecord, new: ClaimRecord) -> tuple[Change, ...]:
    """What differs between two claims of the same assertion."""
    out = _quantity_changes(old, new)
    if attribution_changed(old, new):
        out.append(Change("attribution", old.claimant or "(the outlet)",
                          new.claimant or "(the outlet)"))
    level_old = "denied" if old.negated else LEVEL[old.certainty]
    level_new = "denied" if new.negated else LEVEL[new.certainty]
    if level_old != level_new:
        out.append(Change("certainty", old.certainty + (" (negated)" if old.negated else ""),
                          new.certainty + (" (negated)" if new.negated else "")))
    if dates_conflict(old.dates, new.dates):
        out.append(Change("date", ", ".join(old.dates), ", ".join(new.dates)))
    return tuple(out)


def _same_predicate(a: ClaimRecord, b: ClaimRecord) -> bool:
    """The same main verb, or a shared verb (synonyms folded): "declined to support" and
    "opted not to support" share one."""
    pa, pb = SYNONYMS.get(a.predicate, a.predicate), SYNONYMS.get(b.predicate, b.predicate)
    la = {SYNONYMS.get(w, w) for w in a.lemmas}
    lb = {SYNONYMS.get(w, w) for w in b.lemmas}
    va = {SYNONYMS.get(w, w) for w in a.verbs}
    vb = {SYNONYMS.get(w, w) for w in b.verbs}
    return pa == pb or pa in lb or pb in la or bool(va & vb)


def _same_measure(a: ClaimRecord, b: ClaimRecord) -> bool:
    """Claims that count different things ("10,000 containers", "millions of shells") are
    different assertions: their numbers cannot be compared."""
    ua = {q.unit for q in a.quantities if q.unit}
    ub = {q.unit for q in b.quantities if q.unit}
    return not (ua and ub) or bool(ua & ub)


def _shared_measure(a: ClaimRecord, b: ClaimRecord) -> bool:
    """Both count the same thing: "casualties reached 3,000" and "casualties rose to 4,000"
    measure one quantity, whatever verb reports it."""
    return bool({q.unit for q in a.quantities if q.unit} & {q.unit for q in b.quantities if q.unit})


def _compatible(a: ClaimRecord, b: ClaimRecord, sim: float) -> bool:
    """Claims about different actors are different assertions however alike the words;
    claims whose main verbs differ must be closer still ("moved to Kursk" is not "suffered
    casualties in Kursk")."""
    if a.actors and b.actors and not set(a.actors) & set(b.actors):
        return False
    if not _same_measure(a, b):
        return False
    return sim >= DIFFERENT_PREDICATE or _same_predicate(a, b) or _shared_measure(a, b)


def similarity(full: Any, weights: Any, i: int, rows: Any) -> Any:
    """Mean of TF-IDF cosine and IDF-weighted containment of the shorter claim's terms in
    the longer one: a short paraphrase of one clause of a long sentence still matches."""
    cosine = (full[rows] @ full[i].T).toarray().ravel()
    shared = ((weights[rows] > 0) @ weights[i].T).toarray().ravel()
    own = weights[i].sum()
    theirs = weights[rows].sum(axis=1).A.ravel()
    containment = shared / np.maximum(np.minimum(own, theirs), 1e-9)
    return (cosine + containment) / 2


def _best(i: int, row: Any, full: Any, weights: Any,
          claims: Sequence[ClaimRecord]) -> tuple[int, float]:
    earlier = row.indices < i
    idx, scores = row.indices[earlier], row.data[earlier]
    if not len(idx):
        return -1, 0.0
    top = idx[np.argsort(-scores)[:CANDIDATES]]
    sims = similarity(full, weights, i, top)
    order = np.argsort(-sims)
    close = [(float(sims[k]), int(top[k])) for k in order if sims[k] >= SAME_ASSERTION
             and _compatible(claims[int(top[k])], claims[i], float(sims[k]))]
    if not close:
        return -1, float(sims[order[0]]) if len(order) else 0.0
    # Of earlier claims about equally close, the one the new claim repeats unchanged is the
    # simplest explanation; a "changed" verdict needs the closer match.
    near = [(s, j) for s, j in close if s >= close[0][0] - TIE]
    unchanged = [(s, j) for s, j in near if not changes(claims[j], claims[i])]
    s, j = (unchanged or close)[0]
    return j, s


def judge(claims: Sequence[ClaimRecord], start: int,
          prior: dict[str, Judgement]) -> list[Judgement]:
    """Judge `claims[start:]` against every claim before each of them.

    `claims` must be in knowledge order; `prior` holds the judgements of `claims[:start]`
    (for tracing where an assertion first appeared). Returns one Judgement per claim from
    `start` on, in order.
    """
    if start >= len(claims):
        return []
    full, rare, weights = _matrix(claims)
    known: dict[str, Judgement] = dict(prior)
    out: list[Judgement] = []
    for lo in range(start, len(claims), 256):
        hits = (rare[lo:lo + 256] @ rare[: min(len(claims), lo + 256)].T).tocsr()
        for k in range(hits.shape[0]):
            i = lo + k
            j, sim = _best(i, hits[k], full, weights, claims)
            verdict = _verdict(claims, i, j, sim, known)
            known[verdict.claim_id] = verdict
            out.append(verdict)
    return out


def _verdict(claims: Sequence[ClaimRecord], i: int, j: int, sim: float,
             known: dict[str, Judgement]) -> Judgement:
    c = claims[i]
    if j < 0:
        return Judgement(c.claim_id, "new", None, round(sim, 4) if sim else None, (),
                         c.claim_id, c.published_at)
    m = claims[j]
    origin = known.get(m.claim_id)
    found = changes(m, c)
    return Judgement(c.claim_id, "changed" if found else "repeated", m.claim_id,
                     round(sim, 4), found,
                     origin.origin_claim_id if origin else m.claim_id,
                     origin.first_seen_at if origin else m.published_at)


