"""The story's files: the built-in pact story, a config's [story] replacing it key by key or
extending it, and bad entries refused at load time naming the file and the key."""

from __future__ import annotations

from pathlib import Path

import pytest

from extractors.framing import FRAMES
from extractors.tone import CLASSES
from flows.config import ConfigError, builtin_story, load_settings

BASE = ("[warehouse]\npath = 'w.duckdb'\n[[feeds]]\nname = 'a'\n"
        "url = 'https://a.example/rss'\n")


def story_of(tmp_path: Path, text: str):
    path = tmp_path / "c.toml"
    path.write_text(BASE + text, encoding="utf-8")
    return load_settings(path).story


def refused(tmp_path: Path, text: str) -> str:
    path = tmp_path / "c.toml"
    path.write_text(BASE + text, encoding="utf-8")
    with pytest.raises(ConfigError) as info:
        load_settings(path)
    message = str(info.value)
    assert message.startswith(f"{path}: ") or message.startswith(str(tmp_path)), message
    return message


def test_a_config_without_a_story_gets_the_pact_with_all_its_words() -> None:
    pact = builtin_story()
    assert pact.name.startswith("Russia–North Korea")
    assert pact.framing.sides == ("Russia", "North Korea")
    assert list(pact.framing.actors) == ["Russia", "North Korea", "US and allies"]
    assert tuple(pact.framing.frames) == FRAMES and tuple(pact.framing.prototypes) == FRAMES
    assert tuple(pact.tone.prototypes) == CLASSES and len(pact.tone.sides) == 2
    assert pact.matching.synonyms["munition"] == "shell"
    assert pact.matching.units["soldier"] == "troop"


def test_a_key_given_replaces_the_built_in_one_and_the_rest_stays(tmp_path: Path) -> None:
    story = story_of(tmp_path, "[story]\nkeywords = ['summit']\n[story.framing.actors]\n"
                               "Australia = ['australia']\n[story.framing]\n"
                               "sides = ['Australia']\n[story.matching.units]\nboat = 'ship'\n")
    pact = builtin_story()
    assert story.keywords == ("summit",)
    assert dict(story.framing.actors) == {"Australia": ("australia",)}
    assert story.framing.frames == pact.framing.frames           # not given: the pact's
    assert story.framing.positive == pact.framing.positive
    assert dict(story.matching.units) == {"boat": "ship"}
    assert story.matching.synonyms == pact.matching.synonyms
    assert story.name == pact.name and story.groups == pact.groups


def test_extend_adds_to_the_built_in_words(tmp_path: Path) -> None:
    story = story_of(tmp_path, "[story.extend]\nkeywords = ['pipeline', 'treaty']\n"
                               "[story.extend.groups]\nrussia = ['Lavrov']\n"
                               "[story.extend.framing.frames]\nEconomic = ['tariff']\n"
                               "[story.extend.matching.synonyms]\nvessel = 'ship'\n")
    pact = builtin_story()
    assert story.keywords == (*pact.keywords, "pipeline")             # no word twice
    assert story.groups["russia"] == (*pact.groups["russia"], "Lavrov")
    assert story.groups["north_korea"] == pact.groups["north_korea"]
    assert story.framing.frames["Economic"] == (*pact.framing.frames["Economic"], "tariff")
    assert story.matching.synonyms == {**pact.matching.synonyms, "vessel": "ship"}


def test_own_prototypes_are_read_beside_the_config(tmp_path: Path) -> None:
    classes = "".join(f"[{c}]\ndefinition = 'About {c}.'\nsentences = ['A {c} sentence.']\n"
                      for c in CLASSES)
    (tmp_path / "tone.toml").write_text(classes, encoding="utf-8")
    story = story_of(tmp_path, "[story.tone]\nprototypes = 'tone.toml'\n")
    assert story.tone.prototypes["neg"] == ("About neg.", "A neg sentence.")
    assert story.framing.prototypes == builtin_story().framing.prototypes


@pytest.mark.parametrize(("text", "expected"), [
    ("[story.framing]\ncolour = 'red'\n",
     "[story.framing].colour unknown key (allowed: actors, frames, negative, positive, "
     "prototypes, relation, sides)"),
    ("[story.framing.frames]\nWeather = ['rain']\n",
     "[story.framing.frames].Weather is not a frame of the Policy Frames Codebook"),
    ("[story]\nkeywords = ['pact', 3]\n", "[story].keywords[1] must be str, got 3"),
    ("[story]\nindirect = ['  ']\n", "[story].indirect[0] must not be empty"),
    ("[story.matching.synonyms]\nboat = 1\n", "[story.matching.synonyms].boat must be str"),
    ("[story.tone]\nsides = 'russia'\n", "[story.tone].sides must be list, got 'russia'"),
    ("[story.framing]\nsides = ['Australia']\n",
     "[story.framing].sides names 'Australia', which is not one of [story.framing.actors] "
     "(Russia, North Korea, US and allies)"),
    ("[story.extend]\nthreshold = 0.4\n", "[story.extend].threshold unknown key"),
    ("[story.framing]\nprototypes = 'missing.toml'\n", "missing.toml: no such file"),
])
def test_a_bad_story_entry_is_refused_naming_file_and_key(tmp_path: Path, text: str,
                                                         expected: str) -> None:
    assert expected in refused(tmp_path, text)


def test_prototypes_must_cover_every_class(tmp_path: Path) -> None:
    (tmp_path / "tone.toml").write_text("[pos]\ndefinition = 'Good.'\nsentences = ['Fine.']\n",
                                        encoding="utf-8")
    message = refused(tmp_path, "[story.tone]\nprototypes = 'tone.toml'\n")
    assert message.startswith(f"{tmp_path / 'tone.toml'}: tone prototypes must be given for "
                              "exactly pos, neg, neutral, other; got pos")
