"""The story as typed, frozen data: what makes an article relevant, the entity alias table,
and the words the framing, tone and matching steps read for this story.

Nothing here reads a file: the configuration (flows/config) loads and validates the story's
files once and hands these objects down. Generic language resources (the country list, the
frame set of the Policy Frames Codebook, the tone classes) stay with the extractors.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field


def entity_key(text: str) -> str:
    """Normalise an entity surface form for lookup: case, hyphens, 'the', possessive."""
    key = text.casefold().replace("’", "'").replace("-", " ")
    key = re.sub(r"'s$|'$", "", key.strip())
    key = re.sub(r"^the\s+", "", key)
    return re.sub(r"\s+", " ", key).strip(" .,;:")


@dataclass(frozen=True)
class Alias:
    """Surface forms of one canonical entity.

    `place` is set for metonyms (Moscow, the Kremlin): used as an actor they stand for
    `canonical` (Russia's government); after a locative preposition they mean `place`.
    """

    canonical: str
    label: str
    forms: tuple[str, ...]
    place: str | None = None


def _empty() -> Mapping[str, tuple[str, ...]]:
    return {}


@dataclass(frozen=True)
class FramingWords:
    """What the framing step reads in this story's coverage (extractors.framing).

    `frames`: each frame's lexicon (stems, matched at a word start, case-insensitive);
    `positive` / `negative`: evaluative terms; `actors`: stance actor → the lower-case names
    that stand for it; `sides`: the actors that are the story's two sides and `relation` the
    words that name their relationship (a sentence with either is about the story, for the
    tone by lexicons); `prototypes`: frame → its definition and prototype sentences.
    """

    frames: Mapping[str, tuple[str, ...]] = field(default_factory=_empty)
    positive: tuple[str, ...] = ()
    negative: tuple[str, ...] = ()
    relation: tuple[str, ...] = ()
    actors: Mapping[str, tuple[str, ...]] = field(default_factory=_empty)
    sides: tuple[str, ...] = ()
    prototypes: Mapping[str, tuple[str, ...]] = field(default_factory=_empty)


@dataclass(frozen=True)
class ToneWords:
    """What the tone step reads (extractors.tone): each side's lower-case names, the words
    that name the relationship, and tone class → definition and prototype sentences."""

    sides: tuple[tuple[str, ...], ...] = ()
    relation: tuple[str, ...] = ()
    prototypes: Mapping[str, tuple[str, ...]] = field(default_factory=_empty)


@dataclass(frozen=True)
class MatchingWords:
    """Words folded together when claims are compared: `synonyms` (lemma → the word it
    counts as: munition → shell) for matching, `units` (counted noun → its class: soldier
    → troop) for the quantities of claims."""

    synonyms: Mapping[str, str] = field(default_factory=dict)
    units: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Story:
    """The story: its two sides (`groups` of names), its `keywords`, the `indirect`
    phrases that refer to the pair ("the two countries"), the relevance `threshold` (0–1),
    and the `languages` its vocabulary is written in (articles in others are stored, not
    analysed); see extractors.relevance for how they decide. `framing`, `tone` and
    `matching` hold the words those steps read for this story.
    """

    name: str
    keywords: tuple[str, ...]
    groups: dict[str, tuple[str, ...]]
    threshold: float = 0.5
    indirect: tuple[str, ...] = ()
    languages: tuple[str, ...] = ("en",)   # the languages its vocabulary is written in
    aliases: tuple[Alias, ...] = field(default_factory=tuple)
    framing: FramingWords = field(default_factory=FramingWords)
    tone: ToneWords = field(default_factory=ToneWords)
    matching: MatchingWords = field(default_factory=MatchingWords)

    def alias_index(self) -> dict[str, Alias]:
        """Map each normalised surface form to its alias (later entries win)."""
        return {entity_key(form): alias for alias in self.aliases for form in alias.forms}
