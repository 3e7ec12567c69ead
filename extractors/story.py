"""The story definition (what makes an article relevant) and the entity alias table."""

from __future__ import annotations

import re
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


@dataclass(frozen=True)
class Story:
    """The story: its two sides (`groups` of names), its `keywords`, the `indirect`
    phrases that refer to the pair ("the two countries"), the relevance `threshold` (0–1),
    and the `languages` its vocabulary is written in (articles in others are stored, not
    analysed); see extractors.relevance for how they decide.
    """

    name: str
    keywords: tuple[str, ...]
    groups: dict[str, tuple[str, ...]]
    threshold: float = 0.5
    indirect: tuple[str, ...] = ()
    languages: tuple[str, ...] = ("en",)   # the languages its vocabulary is written in
    aliases: tuple[Alias, ...] = field(default_factory=tuple)

    def alias_index(self) -> dict[str, Alias]:
        """Map each normalised surface form to its alias (later entries win)."""
        return {entity_key(form): alias for alias in self.aliases for form in alias.forms}
