"""Checks of two claims for matching (extractors.matching): the same act, the same measure,
one document."""

from __future__ import annotations

from typing import TYPE_CHECKING

from extractors.claims import REPORTING
from extractors.matching_names import Synonyms

if TYPE_CHECKING:
    from extractors.matching import ClaimRecord


def same_document(a: ClaimRecord, b: ClaimRecord) -> bool:
    """Both claims come from one text (one version of an article): claim ids are the text's
    id and the sentence's index, "<version>:<index>"."""
    return a.claim_id.rpartition(":")[0] == b.claim_id.rpartition(":")[0] != ""


def same_predicate(a: ClaimRecord, b: ClaimRecord, synonyms: Synonyms) -> bool:
    """The same main verb, or a shared verb (synonyms folded): "declined to support" and
    "opted not to support" share one. A main verb that reports ("the clashes were announced
    by Kyiv": extractors.claims.REPORTING) is not the act asserted: the words say it."""
    pa, pb = synonyms.get(a.predicate, a.predicate), synonyms.get(b.predicate, b.predicate)
    la = {synonyms.get(w, w) for w in a.lemmas}
    lb = {synonyms.get(w, w) for w in b.lemmas}
    va = {synonyms.get(w, w) for w in a.verbs}
    vb = {synonyms.get(w, w) for w in b.verbs}
    return (pa == pb or pa in lb or pb in la or bool(va & vb)
            or a.predicate in REPORTING or b.predicate in REPORTING)


def same_measure(a: ClaimRecord, b: ClaimRecord) -> bool:
    """Claims that count different things ("10,000 containers", "millions of shells") are
    different assertions: their numbers cannot be compared."""
    ua = {q.unit for q in a.quantities if q.unit}
    ub = {q.unit for q in b.quantities if q.unit}
    return not (ua and ub) or bool(ua & ub)


def shared_measure(a: ClaimRecord, b: ClaimRecord) -> bool:
    """Both count the same thing: "casualties reached 3,000" and "casualties rose to 4,000"
    measure one quantity, whatever verb reports it."""
    return bool({q.unit for q in a.quantities if q.unit} & {q.unit for q in b.quantities if q.unit})
