from extractors.relevance import METHOD, assess, judge
from extractors.story import Story

STORY = Story(
    name="pact", keywords=("treaty", "pact", "troops"),
    groups={"russia": ("Russia", "Russian", "Putin", "Kremlin", "Moscow", "Kursk"),
            "north_korea": ("North Korea", "North Korean", "Kim Jong-un", "Pyongyang")},
    indirect=("the two countries", "both sides"),
)
FILLER = " ".join(f"Voters in the county discussed item {i} of the school budget."
                  for i in range(12))


def test_article_about_the_pair_is_relevant_with_evidence() -> None:
    r = judge(STORY, "Putin and Kim sign pact", "Russia and North Korea signed a treaty.")
    assert r.relevant and r.score == 1.0 and r.method == METHOD
    assert r.evidence == ("Putin and Kim sign pact", "Russia and North Korea signed a treaty.")
    assert "title on the story" in r.reason and "treaty×1" in r.reason


def test_passing_mention_in_an_article_about_something_else_is_not() -> None:
    text = ("The governor's debate focused on schools. " + FILLER +
            " One candidate said Russia and North Korea are threats. " + FILLER)
    r = judge(STORY, "Governor's race: debate on school budgets", text)
    assert not r.relevant
    assert "1 of 26 sentences on the story" in r.reason and "passing mention" in r.reason
    assert r.evidence == ("One candidate said Russia and North Korea are threats.",)


def test_one_state_named_and_the_other_by_its_capital_or_region() -> None:
    r = judge(STORY, "Troops from Pyongyang reach Kursk",
              "North Korean troops arrived in Kursk this week. Both sides denied it. "
              "Officials in Seoul said the troops were trained for weeks.")
    assert r.relevant, r.reason
    r = judge(STORY, "Talks in Moscow", "Pyongyang's envoy held talks in Moscow. The two "
              "countries agreed to expand trade.")
    assert r.relevant, r.reason


def test_one_side_alone_is_not_the_story() -> None:
    r = judge(STORY, "Kremlin budget", "Russia raised taxes. The treaty of 1990 is old.")
    assert not r.relevant and r.score == 0.0
    assert r.reason == "no mention of north_korea"


def test_a_list_of_many_countries_is_a_passing_mention() -> None:
    text = ("Greetings came from many countries on the anniversary. The president of Cuba "
            "sent a message. The prime minister of Vietnam sent a message. Laos and Syria "
            "sent messages. Iran's leader wrote to Kim Jong-un. A Russian party chairman "
            "praised North Korea.")
    r = judge(STORY, "Kim Jong-un receives greetings from abroad", text)
    assert not r.relevant and "countries named" in r.reason


def test_scraped_text_with_glued_names_still_matches() -> None:
    r = judge(STORY, "Delegation arrives", "A delegation of theRussianFederation arrived "
              "inPyongyang on Monday.")
    assert r.relevant and r.evidence


def test_text_in_another_language_is_not_judged() -> None:
    language, r = assess(STORY, "Russland und Nordkorea unterzeichnen Vertrag",
                         "Die Staatschefs Russlands und Nordkoreas haben in Pjöngjang einen "
                         "Vertrag über eine umfassende strategische Partnerschaft "
                         "unterzeichnet, der gegenseitigen Beistand vorsieht.")
    assert language.code == "de" and not language.analysed
    assert not r.relevant and r.reason.startswith("not analysed: German (de)")


def test_a_headline_only_story_is_judged_by_its_headline() -> None:
    # a wire item with no body (or the feed's title as its text): a headline names one
    # side and what it does; the other side is the dateline's, too short to name
    for text in ("", "  Russian Troops Arrive for Joint Drill "):
        r = judge(STORY, "Russian Troops Arrive for Joint Drill", text)
        assert r.relevant and "title on the story" in r.reason
    assert not judge(STORY, "Russian Choir Arrives", "").relevant          # no story term
    body = "Russian troops arrived in Belgorod on Monday for a drill with tanks."
    assert not judge(STORY, "Russian Troops Arrive for Joint Drill", body).relevant
