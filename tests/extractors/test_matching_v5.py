"""Matching v5 (v5.1): clauses of candidates below SAME_WORDS_MEANING as wholes, nothing
called changed below CHANGE_MEANING (v5's revisions are gone), and one source under its
several names."""

from __future__ import annotations

from datetime import datetime, timedelta

import numpy as np

from extractors.embeddings import shared_encoder
from extractors.matching import (
    CANDIDATE_FLOOR,
    CHANGE_MEANING,
    SAME_MEANING,
    SAME_WORDS_MEANING,
    ClaimRecord,
    containment,
    judge,
    same_assertion,
)
from extractors.matching_names import attribution_changed, named, share_name
from tests.extractors.test_matching import PACT, records

WORDS = PACT.matching.synonyms


def _cosine(claims: list) -> float:
    return float(np.dot(claims[0].vector, claims[-1].vector))


def test_a_clause_of_a_long_claim_restated_is_found_below_the_wholes_floor() -> None:
    longer = ("Officials in Seoul, who spoke on condition of anonymity because the matter is "
              "classified, said the shipments left from the port of Rajin aboard "
              "Russian-flagged vessels, escorted by two frigates, and were unloaded at "
              "Vostochny on the Sea of Japan before going by rail to depots near Bryansk.")
    claims = records(longer, "The cargo sailed from Rajin on ships flying the Russian flag.")
    assert CANDIDATE_FLOOR <= _cosine(claims) < SAME_WORDS_MEANING   # v4 never looked
    j = judge(claims, 0, {}, WORDS, clauses=shared_encoder().encode)[-1]
    assert (j.status, j.matched_claim_id) == ("repeated", "a0:0")
    # without clause vectors a whole below SAME_WORDS_MEANING is too far, as before
    assert judge(claims, 0, {}, WORDS)[-1].status == "new"


def test_a_revised_count_below_change_meaning_is_not_called_changed() -> None:
    # v5 called this `changed`; v5.1 does not: a loose match whose number differs is not
    # surely the same assertion, and a false `changed` costs an analyst most
    claims = records("Officials said at least 2,000 North Korean workers were sent to eastern "
                     "Russia.",
                     "About 6,000 North Korean workers are now employed on building sites in "
                     "eastern Russia, officials say.")
    assert SAME_MEANING <= _cosine(claims) < CHANGE_MEANING
    assert judge(claims, 0, {}, WORDS)[-1].status == "new"


def test_a_count_of_another_thing_is_no_revision() -> None:
    claims = records("Officials said at least 2,000 North Korean workers were sent to eastern "
                     "Russia.",
                     "About 6,000 North Korean soldiers are now stationed at bases in eastern "
                     "Russia, officials say.")
    assert judge(claims, 0, {}, WORDS)[-1].status != "changed"


def test_nearly_all_words_shared_from_another_source_is_repeated_below_change_meaning(
        ) -> None:
    claims = records("Officials in Seoul said Russian engineers were modernising North Korea's "
                     "railway network.",
                     "Tokyo said Russian engineers were modernising North Korea's railway "
                     "network as payment for artillery shells shipped in the spring.")
    assert SAME_MEANING <= _cosine(claims) < CHANGE_MEANING
    assert containment(claims[0], claims[-1], WORDS) >= 0.75
    j = judge(claims, 0, {}, WORDS)[-1]
    assert (j.status, j.changes) == ("repeated", ())   # v5 called it changed (attribution)


def test_a_capital_and_its_country_are_one_source() -> None:
    claims = records("The US said Russian engineers were helping North Korea modernise its "
                     "railway network.",
                     "According to Washington, Russian engineers were helping North Korea "
                     "modernise its railway network.")
    old, new = claims[0], claims[-1]
    assert old.claimant_actors != new.claimant_actors       # as the claims name them
    assert attribution_changed(old, new)                     # names not folded
    assert not attribution_changed(old, new, WORDS)          # the story's aliases fold them
    assert judge(claims, 0, {}, WORDS)[-1].status == "repeated"


def test_the_story_aliases_fold_names_for_matching() -> None:
    assert named("Washington", WORDS) == named("White House", WORDS) == "united states"
    assert named("the Kremlin", WORDS) == named("Moscow", WORDS) == "russia"
    assert named("Kim Jong-un", WORDS) == "kim jong un"
    assert named("Kim Jong-un", {}) == "kim jong un"          # spelling only, no story


def test_a_reported_fact_whose_main_verb_reports_it_is_compared_by_its_words() -> None:
    # "was announced": the verb reports the assertion, it is not the act asserted
    claims = records("Ukrainian troops fought North Korean soldiers for the first time last "
                     "week.",
                     "The first fighting between Ukrainian troops and North Korean soldiers "
                     "was announced in Kyiv's evening bulletin.")
    assert claims[-1].predicate == "announce"
    assert SAME_WORDS_MEANING <= _cosine(claims) < SAME_MEANING
    j = judge(claims, 0, {}, WORDS)[-1]
    assert (j.status, j.matched_claim_id) == ("repeated", "a0:0")


def test_a_person_by_full_name_and_by_surname_is_one_source() -> None:
    claims = records("Volodymyr Zelensky said Ukrainian drones had struck a fuel depot near "
                     "Bryansk.",
                     "Zelensky said Ukrainian drones had struck a fuel depot near Bryansk.")
    old, new = claims[0], claims[-1]
    assert not attribution_changed(old, new, WORDS)
    assert judge(claims, 0, {}, WORDS)[-1].status == "repeated"
    # a country's short name is not the country: "Korea" names neither Korea
    assert not share_name(("Korea",), ("North Korea",), WORDS)


def _record(i: int, text: str, lemmas: tuple[str, ...], vector: np.ndarray) -> ClaimRecord:
    when = datetime(2024, 7, 1) + timedelta(days=i)
    return ClaimRecord(
        claim_id=f"c{i}", order=(1, when, f"a{i}", 0), published_at=when, text=text,
        predicate=lemmas[0], lemmas=lemmas, verbs=(lemmas[0],), actors=(), claimant="",
        claimant_actors=(), certainty="asserted", negated=False, quantities=(), dates=(),
        vector=(vector / np.linalg.norm(vector)).astype(np.float32))


def test_a_restatement_in_other_words_must_be_fairly_close_as_a_whole() -> None:
    axes = np.eye(384)
    old = _record(0, "Engineers repaired the old bridge", ("repair", "engineer", "bridge"),
                  axes[0])
    far = _record(1, "The crossing was mended", ("mend", "crossing", "work"),
                  axes[0] + 1.6 * axes[1])          # the wholes 0.53 close
    near = _record(2, "The crossing was mended", ("mend", "crossing", "work"),
                   axes[0] + 1.1 * axes[1])         # the wholes 0.67 close
    assert containment(old, far, WORDS) < 0.6
    # as close by a clause (0.70) and standing as far above the others (0.30) in both
    assert same_assertion(old, far, 0.70, WORDS, apart=0.30) is None
    assert same_assertion(old, near, 0.70, WORDS, apart=0.30) is not None
