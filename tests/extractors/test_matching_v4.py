"""Matching v4: restatements in other words (a candidate standing out from the other
assertions near a claim, a clause of a longer earlier claim) and formulas that restate none
of the assertions they resemble."""

from __future__ import annotations

from datetime import datetime, timedelta

import numpy as np

from extractors.embeddings import shared_encoder
from extractors.matching import ClaimRecord, judge
from extractors.matching_clauses import clauses
from extractors.matching_neighbours import margin
from tests.extractors.test_matching import PACT, records

START = datetime(2024, 6, 20)


def test_restated_clause_of_a_longer_claim_is_repeated() -> None:
    longer = ("Officials in Seoul, who spoke on condition of anonymity, said the shipments left "
              "from the port of Rajin aboard Russian-flagged vessels.")
    restated = "The shipments sailed from Rajin on ships flying the Russian flag."
    claims = records(longer, restated)
    # v4: the whole sentence, diluted by its sources, was too far. v5: its main verb is
    # "said" (claim extraction kept it whole), and a reporting main verb needs no shared
    # verb, so the wholes find the restatement too (test_matching_v5).
    as_wholes = judge(claims, 0, {}, PACT.matching.synonyms)[-1]
    assert (as_wholes.status, as_wholes.matched_claim_id) == ("repeated", "a0:0")
    j = judge(claims, 0, {}, PACT.matching.synonyms, clauses=shared_encoder().encode)[-1]
    assert (j.status, j.matched_claim_id) == ("repeated", "a0:0")


def test_restatement_in_other_words_standing_out_is_repeated() -> None:
    # few content words shared and another verb, but far closer to this claim than to any
    # other assertion, with nothing different: the fact restated
    claims = records("Russian tourists have begun visiting the Wonsan-Kalma beach resort.",
                     "The Wonsan-Kalma seaside complex now welcomes holidaymakers from Russia.")
    assert float(np.dot(claims[0].vector, claims[1].vector)) < 0.75
    j = judge(claims, 0, {}, PACT.matching.synonyms)[-1]
    assert (j.status, j.matched_claim_id) == ("repeated", "a0:0")


def test_clauses_are_the_parts_punctuation_sets_off() -> None:
    text = ("The deal was sealed after two days of talks, with Russia promising fuel to "
            "Pyongyang; officials confirmed it.")
    assert clauses(text) == [
        "The deal was sealed after two days of talks",
        "with Russia promising fuel to Pyongyang",
        "The deal was sealed after two days of talks, with Russia promising fuel to Pyongyang",
        "with Russia promising fuel to Pyongyang, officials confirmed it."]
    assert clauses("Kim met Putin.") == []


def _formula(i: int, vector: np.ndarray, place: str) -> ClaimRecord:
    when = START + timedelta(days=i)
    text = f"Embassy staff laid a wreath at the {place}"
    return ClaimRecord(
        claim_id=f"c{i}", order=(1, when, f"a{i}", 0), published_at=when, text=text,
        predicate="lay", lemmas=("embassy", "staff", "lay", "wreath", place.split()[0]),
        verbs=("lay",), actors=(), claimant="", claimant_actors=(), certainty="asserted",
        negated=False, quantities=(), dates=(),
        vector=(vector / np.linalg.norm(vector)).astype(np.float32))


def _wreaths(others_near: bool) -> list[ClaimRecord]:
    """Three earlier wreath-layings at different monuments (distinct assertions: the shared
    formula alone makes them only 0.5 close) and a fourth, close to the first (0.84; 0.66
    when `others_near`, then nearly as close, 0.64, to the other two)."""
    axes = np.eye(384)
    formula = axes[0]
    earlier = [formula + axes[k] for k in (1, 2, 3)]     # pairwise cosine 0.5
    nearby = 0.95 if others_near else 0.0
    later = formula + 1.0 * axes[1] + nearby * (axes[2] + axes[3]) + 0.9 * axes[4]
    places = ("Liberation Tower", "Friendship Tower", "Chollima Statue", "Tower")
    return [_formula(i, v, p) for i, (v, p) in enumerate(zip([*earlier, later], places,
                                                             strict=True))]


def test_a_formula_as_close_to_other_assertions_restates_none_of_them() -> None:
    apart = _wreaths(others_near=False)
    crowded = _wreaths(others_near=True)
    for claims in (apart, crowded):
        assert [j.status for j in judge(claims[:3], 0, {}, PACT.matching.synonyms)] == \
            ["new"] * 3
    cos = [float(np.dot(c.vector, crowded[3].vector)) for c in crowded[:3]]
    assert min(cos) > 0.6 and max(cos) < 0.75 and max(cos) - min(cos) < 0.05
    assert judge(apart, 0, {}, PACT.matching.synonyms)[-1].status == "repeated"
    assert judge(crowded, 0, {}, PACT.matching.synonyms)[-1].status == "new"


def test_margin_leaves_out_earlier_restatements_of_the_candidate() -> None:
    claims = _wreaths(others_near=True)
    origin = {"c0": "c0", "c1": "c0", "c2": "c2"}
    pool = [(0.7, claims[0]), (0.68, claims[1]), (0.66, claims[2]), (0.3, None)]
    # c1 restates c0: only c2 and the far candidate count against c0
    assert margin(claims[0], 0.7, pool, lambda c: origin[c.claim_id]) == \
        0.7 - (0.66 + 0.3) / 2
