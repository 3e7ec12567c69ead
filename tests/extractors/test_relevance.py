from extractors.relevance import judge
from extractors.story import Story

STORY = Story(
    name="pact", keywords=("treaty", "pact"), min_score=3,
    groups={"russia": ("Russia", "Putin", "Kremlin"),
            "north_korea": ("North Korea", "Kim Jong-un")},
)


def test_relevant_article_names_its_hits() -> None:
    r = judge(STORY, "Putin and Kim sign pact", "Russia and North Korea signed a treaty.")
    assert r.relevant
    assert "russia (" in r.reason and "Putin×1" in r.reason and "keywords (" in r.reason


def test_missing_group_is_the_reason() -> None:
    r = judge(STORY, "Kremlin budget", "Russia raised taxes. The treaty of 1990 is old.")
    assert not r.relevant
    assert r.reason == "no mention of north_korea"


def test_low_score_is_not_relevant() -> None:
    r = judge(STORY, "", "Russia and North Korea.")
    assert not r.relevant and r.reason.startswith("score 2 < 3")


def test_hyphen_and_space_variants_match_and_words_are_whole() -> None:
    r = judge(STORY, "", "Kim Jong Un met Putin; Russian trade and Russians; treaty, pact.")
    assert r.relevant and "Kim Jong-un×1" in r.reason
    assert "Russia×" not in r.reason  # "Russian" does not count as "Russia"
