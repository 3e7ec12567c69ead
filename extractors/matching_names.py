"""Names in claims, for matching: a name's forms folded by the story's aliases, shared
names, parties one claim names and the other does not, and who asserts a claim
(extractors.matching)."""

from __future__ import annotations

import functools
import re
from collections.abc import Mapping
from pathlib import Path
from types import MappingProxyType
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from extractors.matching import ClaimRecord

DATA = Path(__file__).parent / "data"
Synonyms = Mapping[str, str]   # lemma → the word it counts as (the story's MatchingWords)
NO_WORDS: Synonyms = MappingProxyType({})


def named(name: str, synonyms: Synonyms) -> str:
    """The name `name` counts as: the story's canonical name of an alias form (synonyms'
    "@form" keys: "Washington", "the White House" → "united states"), lower case, hyphens
    and runs of spaces as one space."""
    memo = folded(synonyms)
    if (out := memo.get(name)) is None:
        low = name.lower()
        low = synonyms.get(f"@{low}", f"@{low}")[1:]
        out = memo[name] = _SPACES.sub(" ", low)
    return out


_FOLDED: dict[int, tuple[Synonyms, dict[Any, Any]]] = {}
MEMO_SIZE = 200_000   # entries kept per synonyms table before the memo starts again


def folded(synonyms: Synonyms) -> dict[Any, Any]:
    """A memo of what has been folded with `synonyms` (a story's words do not change while
    claims are judged; matching folds the same names millions of times in a pass). The
    table is held beside its memo, so its id names no other table while the memo lives."""
    entry = _FOLDED.get(id(synonyms))
    if entry is None or entry[0] is not synonyms or len(entry[1]) > MEMO_SIZE:
        if len(_FOLDED) > 16:
            _FOLDED.clear()
        entry = _FOLDED[id(synonyms)] = (synonyms, {})
    return entry[1]


def forget_folds() -> None:
    """Drop every memo `folded` keeps (between parts of a pass's claims: the claims its
    terms were folded for are gone, and the memo would keep their words alive)."""
    _FOLDED.clear()


_SPACES = re.compile(r"[\s\-]+")


@functools.lru_cache(maxsize=65_536)
def _word(word: str) -> re.Pattern[str]:
    """`word` as a whole word (compiled once: matching tries it against many claims)."""
    return re.compile(rf"\b{re.escape(word)}\b")


def _head(claimant: str) -> str:
    words = [w for w in re.findall(r"[a-z]+", claimant.lower()) if w not in ("the", "s")]
    return words[-1].rstrip("s") if words else ""


def attribution_changed(old: ClaimRecord, new: ClaimRecord, synonyms: Synonyms = NO_WORDS) -> bool:
    """Different sources: disjoint named sources (a name's forms folded: "Washington" is
    "the US"), the outlet versus someone, or unnamed sources of a different kind
    ("officials" versus "media"). A named source and an unnamed one ("the agency") cannot
    be told apart and do not count as a change."""
    if bool(old.claimant) != bool(new.claimant):
        return True
    if old.claimant_actors and new.claimant_actors:
        return not share_name(old.claimant_actors, new.claimant_actors, synonyms)
    if old.claimant_actors or new.claimant_actors:
        return False
    return _head(old.claimant) != _head(new.claimant)


def names(actors: tuple[str, ...], synonyms: Synonyms = NO_WORDS) -> frozenset[str]:
    """The names `actors` count as (`named`), memoised per synonyms table."""
    memo = folded(synonyms)
    key = ("names", actors)
    if (out := memo.get(key)) is None:
        out = memo[key] = frozenset(named(a, synonyms) for a in actors)
    return out


def share_name(a: tuple[str, ...], b: tuple[str, ...], synonyms: Synonyms) -> bool:
    """`a` and `b` name someone in common: the same name, or a name and its last words
    ("Zelensky", "Volodymyr Zelensky"; a place or a country's short name aside: "Korea" is
    not "North Korea")."""
    na, nb = names(a, synonyms), names(b, synonyms)
    if na & nb:
        return True
    return any(long.endswith(f" {short}") and short not in places()
               for x in na for y in nb
               for short, long in ((x, y), (y, x)))


@functools.cache
def places() -> frozenset[str]:
    """Names that stand for a state or a region (countries, demonyms, capitals, blocs)."""
    out = set()
    for name in ("countries.txt", "places.txt"):
        for line in (DATA / name).read_text(encoding="utf-8").splitlines():
            if line and not line.startswith("#"):
                out |= {f.strip().lower() for f in line.split("|")}
    return frozenset(out)


def _unshared(a: ClaimRecord, b: ClaimRecord, synonyms: Synonyms) -> set[str]:
    """Parties of `a` (actors that are not places) that `b` neither names nor mentions by
    their last word."""
    text = b.text.lower()
    return {x for x in names(a.actors, synonyms) - names(b.actors, synonyms) - places()
            if not _word(x.split()[-1]).search(text)}


def distinct_parties(a: ClaimRecord, b: ClaimRecord, synonyms: Synonyms = NO_WORDS) -> bool:
    """Each claim names a party the other does not ("received a letter from Medvedev",
    "received a message from Putin"): two acts of the same kind, not one assertion."""
    return bool(_unshared(a, b, synonyms)) and bool(_unshared(b, a, synonyms))
