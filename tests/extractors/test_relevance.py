from extractors.relevance import METHOD, assess, judge
from extractors.story import Story
from flows.config import builtin_story

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


# v4 rules (texts written for these tests)
VISITS = Story(
    name="pact", keywords=("treaty", "visit", "delegation", "message"),
    groups=STORY.groups, indirect=("the two countries",),
)


def test_keywords_match_their_regular_inflections() -> None:
    # a headline alone: "Visits" is the keyword "visit"; the other side is the dateline's
    r = judge(VISITS, "Russian Students' Choir Visits Factories Here", "")
    assert r.relevant and "title on the story" in r.reason
    r = judge(VISITS, "Old treaties", "Russia and North Korea signed two treaties in 1961 "
              "and 2000. Both treaties are kept in a museum in Pyongyang.")
    assert "treaty×2" in r.reason
    assert not judge(VISITS, "Russian Choir Arrives", "").relevant     # still no story term


def test_a_bulleted_roundup_has_no_opening() -> None:
    items = ["Farmers in the east began the rice harvest.",
             "A new library opened in the capital.",
             "The national football team won a friendly match.",
             "Power stations raised output this month.",
             "A film festival closed after a week.",
             "Schools reopened after the holiday."]
    text = ("Following are the main stories in today's papers:\n"
            "- Kim Jong-un received a message from the Russian prime minister.\n"
            + "\n".join(f"- {item}" for item in items))
    r = judge(VISITS, "Newspaper digest", text)
    assert not r.relevant and "opening on the story" not in r.reason, r.reason
    assert "a roundup of items" in r.reason
    # the same first item as the lead of an article about it
    prose = ("Kim Jong-un received a message from the Russian prime minister. "
             + " ".join(items))
    assert "opening on the story" in judge(VISITS, "Newspaper digest", prose).reason
    # a roundup whose items are mostly the story is still about it
    on = "\n".join(f"- A North Korean delegation met Russian officials on day {d}."
                   for d in range(1, 6))
    assert judge(VISITS, "Digest", on + "\n- Farmers began the harvest.").relevant


def test_a_side_named_only_as_the_place_is_half_the_story() -> None:
    filler = " She also set a personal best in the relay. The team flies home on Friday."
    r = judge(VISITS, "North Korean swimmer wins gold", "A North Korean swimmer won gold at "
              "the Student Summer Games being held in Kazan, Russia." + filler)
    assert not r.relevant, r.reason
    r = judge(VISITS, "Diaspora groups condemn drills", "The Union of Korean Residents in "
              "Russia said the drills threaten North Korea. It called for calm. Members "
              "met in the evening.")
    assert not r.relevant, r.reason
    # where the sides meet is not a mere place: an envoy from Pyongyang in Moscow
    r = judge(VISITS, "Envoy in Moscow", "North Korea's envoy held meetings in Moscow on "
              "Monday." + filler)
    assert r.relevant and "opening on the story" in r.reason, r.reason


def test_a_share_is_taken_over_at_least_three_sentences() -> None:
    # one sentence of a two-sentence brief, half on the story (one side and a keyword that
    # is another country's), is no share of it
    text = ("Kim Jong-un received a floral basket from foreign diplomats in Pyongyang. The "
            "Lao ambassador and the Russian delegation head handed it over.")
    r = judge(VISITS, "Floral basket for the leader", text)
    assert not r.relevant and r.score < 0.5, r.reason
    # a brief whose sentence names both sides is still about the story
    r = judge(VISITS, "Envoys meet", "Russia's envoy met North Korea's foreign minister. "
              "They spoke for an hour.")
    assert r.relevant, r.reason


def test_cooperation_between_sovereign_states_refers_to_the_pair() -> None:
    text = ("North Korea's foreign ministry rejected NATO's criticism of its cooperation "
            "between sovereign states. The ministry said the alliance fuels the war. It "
            "said Russia was defending itself. NATO has not replied. The statement was "
            "read on state television.")
    r = judge(builtin_story(), "Foreign ministry statement", text)   # the pact's story.toml
    assert r.relevant and "opening on the story" in r.reason, r.reason
    assert not judge(builtin_story(), "Foreign ministry statement",
                     text.replace("between sovereign states", "with others")).relevant


def test_a_headline_naming_both_sides_is_no_list_of_countries() -> None:
    # an analysis of the pair that looks around the region names many countries
    text = ("The mutual defence clause commits each side to help the other. China has "
            "stayed quiet. South Korea is weighing arms for Ukraine. Japan worries about "
            "technology transfers. Russia signed the pact in Pyongyang.")
    r = judge(STORY, "What the Russia-North Korea treaty means for Asia", text)
    assert r.relevant and "countries named" not in r.reason, r.reason
    r = judge(STORY, "Kim Jong-un receives greetings from abroad", text)   # a list's title
    assert not r.relevant and "countries named" in r.reason, r.reason


def test_list_markers_and_abbreviations_do_not_end_a_sentence() -> None:
    from extractors.relevance import _sentences
    text = ("Key points\n1. The clause binds both. It is new.\nThe envoy met Gen. Ri in St. "
            "Petersburg, Russia. He left.")
    assert _sentences(text) == ["Key points", "1. The clause binds both.", "It is new.",
                                "The envoy met Gen. Ri in St. Petersburg, Russia.", "He left."]
    assert _sentences("SEOUL, Nov. 4 (Wire) -- The envoy left. He met Ri.") == [
        "SEOUL, Nov. 4 (Wire) -- The envoy left.", "He met Ri."]
    # an initial is no end ("N. Korea", "John F. Smith"); a dotted acronym may be ("U.S.")
    assert _sentences("N. Korea and Russia met. Aid from the U.S. The talks ended.") == [
        "N. Korea and Russia met.", "Aid from the U.S.", "The talks ended."]
    # so a swimmer's games in "St. Petersburg, Russia" are only the place, as in one piece
    r = judge(VISITS, "North Korean swimmer wins gold", "A North Korean swimmer won gold at "
              "the games held in St. Petersburg, Russia. She set a record. The team flies "
              "home on Friday.")
    assert not r.relevant, r.reason


def test_a_side_named_once_after_the_opening_of_a_long_article_is_a_passing_mention() -> None:
    war = ["Russian troops took two villages in the east on Monday, Moscow said.",
           "Ukrainian officers said they lacked shells and men.",
           "Russian troops have advanced slowly since spring.",
           "The Kremlin said no talks were planned.",
           "Sanctions have not slowed Russian arms factories.",
           "North Korean troops also fight for Russia in Kursk, officials say.",
           "Kyiv asked its allies for more air defence.",
           "A drone hit a block of flats overnight.",
           "Rescuers searched the rubble until dawn."]
    r = judge(STORY, "Russian forces advance in the east", " ".join(war))
    assert not r.relevant and "north_korea named in one sentence only" in r.reason, r.reason
    # the same sentence as the opening says what the article is about
    lead = [war[5], *war[:5], *war[6:]]
    assert judge(STORY, "Russian forces advance in the east", " ".join(lead)).relevant
    # and a short brief is not read this way
    assert judge(STORY, "Russian forces advance", " ".join(war[3:7])).relevant
    # a reference to the pair elsewhere ("the two countries") says the pair is the subject
    r = judge(STORY, "Russian forces advance in the east",
              " ".join([*war, "The two countries signed a pact in June."]))
    assert "named in one sentence only" not in r.reason, r.reason
