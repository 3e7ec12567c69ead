from extractors.language import detect

GERMAN = ("Die Aufregung nach dem Aufmarsch in Hamburg bleibt groß. Auch in Österreich "
          "stellt sich nun die Frage, wie die Antwort aussehen soll.")
VIETNAMESE = "Thủ tướng Chính phủ chủ trì cuộc họp về phát triển kinh tế xã hội tại Hà Nội."


def test_english_is_analysed() -> None:
    lang = detect("Putin visits Pyongyang", "Russia and North Korea signed a treaty on "
                  "Wednesday that commits each to defend the other.")
    assert lang.code == "en" and lang.analysed and lang.reason is None
    assert lang.confidence > 0.9


def test_other_languages_are_stored_with_a_reason() -> None:
    for title, text, code, name in (("Aufregung", GERMAN, "de", "German"),
                                    ("Họp", VIETNAMESE, "vi", "Vietnamese")):
        lang = detect(title, text)
        assert (lang.code, lang.analysed, lang.name) == (code, False, name)
        assert lang.reason == (f"not analysed: {name} ({code}) is not among the analysed "
                               f"languages (en)")


def test_a_story_in_german_analyses_german() -> None:
    assert detect("Aufregung", GERMAN, ("de", "en")).analysed


def test_empty_or_undeterminable_text() -> None:
    assert detect("", "  ").reason == "not analysed: no text"
    lang = detect("", "12 345 678 — 2024-06-19")
    assert lang.code in ("en", "und")
