"""Tone toward the pact on sentences written for these tests (alarmed think-tank prose,
state-media celebration, neutral wire copy) — never used to choose the method's settings,
which were fixed on the `dev` part of the real-world labels."""

from __future__ import annotations

import pytest

from extractors.embeddings import Encoder
from extractors.frame_prototypes import Prototypes, encode_prototypes
from extractors.framing import COMBINED_METHOD, analyse
from extractors.tone import (
    METHOD,
    NEUTRAL_BAND,
    Reading,
    article_tone,
    clean,
    encode_tone_prototypes,
    readings,
    weight,
)
from flows.config import builtin_story

PACT = builtin_story()

ALARMED = [
    "The new defence pact between Moscow and Pyongyang is a dangerous development that "
    "should alarm policymakers in Seoul, Tokyo and Washington.",
    "By trading artillery shells for missile technology, the two regimes are gutting the "
    "sanctions regime and making the peninsula far less safe.",
    "Analysts at the institute warned that the treaty emboldens Kim Jong Un and prolongs "
    "Russia's war against Ukraine.",
    "The Russia-North Korea alliance is a marriage of two isolated dictatorships that "
    "threatens stability across Northeast Asia.",
]
CELEBRATING = [
    "The treaty has lifted the friendship between the two countries to a new and higher "
    "stage, the newspaper said.",
    "Both peoples warmly welcome the historic pact between Russia and the DPRK, which will "
    "bring lasting peace and prosperity.",
    "Moscow and Pyongyang hailed their partnership as a model of mutual trust and support "
    "between true friends.",
]
WIRE = [
    "Russian President Vladimir Putin and North Korean leader Kim Jong Un signed the treaty "
    "in Pyongyang on Wednesday, state media reported.",
    "The agreement, which Russia's parliament ratified in November, includes a clause on "
    "mutual military assistance.",
    "North Korea's foreign minister arrived in Moscow on Monday for talks with her Russian "
    "counterpart, the foreign ministry said.",
    "A Russian delegation on agriculture left Pyongyang on Friday after a three-day visit.",
    "Neither government has published the full text of the treaty, which has 23 articles.",
]


@pytest.fixture(scope="module")
def model() -> tuple[Encoder, Prototypes, Prototypes]:
    encoder = Encoder()
    return (encoder, encode_prototypes(encoder, PACT.framing.prototypes),
            encode_tone_prototypes(encoder, PACT.tone.prototypes))


def tones(model: tuple[Encoder, Prototypes, Prototypes], articles: list[list[str]]
          ) -> list[float]:
    read = readings(*model, articles)
    return [analyse(a, r, story=PACT).tone for a, r in zip(articles, read, strict=True)]


@pytest.mark.parametrize("sentence", ALARMED)
def test_alarmed_commentary_is_negative(model, sentence: str) -> None:
    [tone] = tones(model, [[sentence]])
    assert tone <= -NEUTRAL_BAND


@pytest.mark.parametrize("sentence", CELEBRATING)
def test_celebration_is_positive(model, sentence: str) -> None:
    [tone] = tones(model, [[sentence]])
    assert tone >= NEUTRAL_BAND


@pytest.mark.parametrize("sentence", WIRE)
def test_wire_copy_is_neutral(model, sentence: str) -> None:
    [tone] = tones(model, [[sentence]])
    assert abs(tone) < NEUTRAL_BAND


def test_articles_mixing_reports_and_verdicts(model) -> None:
    """Reports dilute a verdict but do not flip it; reports alone stay neutral."""
    alarmed, celebrating, wire = [WIRE[0], ALARMED[0], WIRE[1]], [WIRE[2], CELEBRATING[0]], WIRE
    got = tones(model, [alarmed, celebrating, wire])
    assert got[0] <= -NEUTRAL_BAND and got[1] >= NEUTRAL_BAND and abs(got[2]) < NEUTRAL_BAND


def test_evidence_names_sentences_and_agreeing_terms(model) -> None:
    article = [WIRE[1], ALARMED[3], ALARMED[0]]
    [read] = readings(*model, [article])
    f = analyse(article, read, story=PACT)
    assert f.method == COMBINED_METHOD and METHOD in f.method
    assert set(f.tone_sentences) == {1, 2} and f.tone < 0
    assert "threat" in f.tone_terms and "danger" in f.tone_terms and "alarm" in f.tone_terms


def test_terms_that_disagree_with_a_sentence_are_not_evidence() -> None:
    """A celebrating sentence that names threats gives no negative term as evidence."""
    s = "The pact lets the two friends face every threat together."
    f = analyse([s], [Reading("Political", 0.8)], story=PACT)
    assert f.tone > 0 and f.tone_terms == ()


def test_sentences_weigh_by_how_much_they_are_about_the_relationship() -> None:
    words = PACT.tone
    assert weight("The two countries signed it.", words) == weight("Russia and the DPRK met.",
                                                                   words) == 1.0
    assert weight("Russian troops fought near Kursk.", words) == 0.5
    assert weight("The weather was fine.", words) == 0.25
    # a positive report about the relationship outweighs a negative aside about weather
    t = article_tone(["The two countries signed it.", "The weather was awful."], [0.8, -0.8],
                     words)
    assert t.score > 0 and t.sentences == (0, 1) and t.polar == 2


def test_readings_must_match_the_sentences() -> None:
    with pytest.raises(ValueError, match="1 sentence tones for 2 sentences"):
        article_tone(["One.", "Two."], [0.5], PACT.tone)
    with pytest.raises(ValueError, match="1 frame votes for 2 sentences"):
        analyse(["One.", "Two."], [Reading("Economic")], story=PACT)


def test_datelines_and_end_marks_are_layout() -> None:
    assert clean("Pyongyang, July 28 (KCNA) -- A delegation left. -0-") == "A delegation left."
    assert clean("MOSCOW, 19 June (Reuters) - Russia said so.") == "Russia said so."
    assert clean("Seoul, the capital, is quiet.") == "Seoul, the capital, is quiet."
    assert clean("-0-") == "-0-"
