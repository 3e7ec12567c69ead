"""Near-duplicates: a lightly edited copy is found, different articles are not."""

from extractors.neardup import Signed, find_duplicates, signature, similarity

WIRE = ("North Korean state media published the full text of the treaty between Russia and "
        "North Korea, which contains 23 articles. Article 4 says that if one of the parties is "
        "put in a state of war by an armed attack, the other shall immediately provide military "
        "and other assistance with all means at its disposal. The treaty also commits Moscow "
        "and Pyongyang to cooperate against sanctions.")
COPY = "This article was first published by our partner Eurasia Wire. " + WIRE
OTHER = ("The city council approved plans for a new harbour bridge on Tuesday, ending a decade "
         "of debate about how to ease traffic on the waterfront.")


def test_light_edit_is_near_and_other_text_is_far() -> None:
    assert similarity(signature(WIRE), signature(COPY)) > 0.75
    assert similarity(signature(WIRE), signature(OTHER)) < 0.1


def test_copy_links_to_the_earliest_original() -> None:
    wire = Signed("wire", (1, "2024-06-25"), signature(WIRE))
    copy = Signed("copy", (1, "2024-10-02"), signature(COPY))
    again = Signed("again", (1, "2024-10-03"), signature(WIRE))
    other = Signed("other", (1, "2024-10-04"), signature(OTHER))
    found = find_duplicates([wire], [copy, again, other], threshold=0.6)
    assert [(c, o) for c, o, _ in found] == [("copy", "wire"), ("again", "wire")]
