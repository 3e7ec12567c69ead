"""Clauses of earlier claims, for matching (v4).

A restatement often repeats one clause of a longer earlier claim ("their pact will ease
sanctions, with Moscow providing fuel, cash and food in return for arms"): the sentence
vector of the whole is diluted by the rest, so the restatement looks only fairly close. A
candidate's clauses (the parts that punctuation sets off, alone and two by two, of at least
MIN_WORDS words) are encoded with the same model, and the claim's closeness to the candidate
is the better of the whole and its closest clause. Only candidates fairly close as a whole
are split (extractors.matching: those the claim index hands on whole), each text once per
judging.

v6: the claim's own clauses too (`closest_part`): a long claim may restate an earlier claim
in one clause and add circumstances in the others. Clauses that are a name and its title
alone (`names_only`) are left out there, on both sides: "Roman Chekushov, vice-minister of
Industry and Trade" is in every report of his visits, whatever happened at them.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from typing import Any

import numpy as np

MIN_WORDS = 4        # shorter parts say too little to stand for the claim
BREAKS = re.compile(r"[,;:()\u2013\u2014]|\s-\s")
Encode = Callable[[list[str]], Any]   # texts → unit vectors (extractors.embeddings)


def clauses(text: str) -> list[str]:
    """The parts of `text` between punctuation, alone and two adjacent ones together, that
    have MIN_WORDS words or more, the whole text aside."""
    parts = [p.strip() for p in BREAKS.split(text) if p.strip()]
    out = []
    for width in (1, 2):
        for i in range(len(parts) - width + 1):
            piece = ", ".join(parts[i:i + width])
            if len(piece.split()) >= MIN_WORDS and piece != text.strip() and piece not in out:
                out.append(piece)
    return out


class ClauseVectors:
    """The vectors of texts' clauses, encoded on demand (one batched call per `fetch`) and
    kept for the rest of a judging."""

    def __init__(self, encode: Encode) -> None:
        self._encode = encode
        self._held: dict[str, Any] = {}
        self._saying: dict[str, Any] = {}   # per clause: not a name and title alone

    def fetch(self, texts: Iterable[str]) -> None:
        """Encode the clauses of every text in `texts` not held yet."""
        todo = [t for t in dict.fromkeys(texts) if t not in self._held]
        pieces = [clauses(t) for t in todo]
        flat = [p for ps in pieces for p in ps]
        vectors: Sequence[Any] = self._encode(flat) if flat else []
        at = 0
        for text, ps in zip(todo, pieces, strict=True):
            # float32 as encoded (half float64's memory); products are taken in float64
            self._held[text] = np.asarray(vectors[at:at + len(ps)], dtype=np.float32)
            self._saying[text] = np.asarray([not names_only(p) for p in ps], dtype=bool)
            at += len(ps)

    def closest(self, text: str, vector: Any) -> float:
        """The cosine of `vector` (a unit vector) with the closest clause of `text`, -1 when
        it has none."""
        self.fetch([text])
        held = self._held[text]
        if not len(held):
            return -1.0
        return float(np.max(held.astype(np.float64) @ np.asarray(vector, dtype=np.float64)))

    def closest_part(self, text: str, other: str, other_vector: Any) -> float:
        """The cosine of the closest clause of `text` with `other` as a whole (its unit vector
        `other_vector`, None when unknown) or with one of its clauses, names and titles
        alone (`names_only`) left out on both sides; -1 when there is none (v6)."""
        self.fetch([text, other])
        mine = self._held[text][self._saying[text]].astype(np.float64)
        theirs = self._held[other][self._saying[other]].astype(np.float64)
        best = -1.0
        if len(mine) and other_vector is not None:
            best = float(np.max(mine @ np.asarray(other_vector, dtype=np.float64)))
        if len(mine) and len(theirs):
            best = max(best, float(np.max(mine @ theirs.T)))
        return best


AUXILIARIES = frozenset({"is", "are", "was", "were", "be", "been", "has", "have", "had",
                         "will", "would", "can", "could", "may", "might", "must", "did"})
FUNCTION = frozenset({"of", "the", "and", "in", "on", "at", "to", "for", "a", "an", "by",
                      "with", "from", "as"})


def names_only(piece: str) -> bool:
    """A name and its title ("Roman Chekushov, vice-minister of Industry and Trade of the
    Russian Federation"): most of its words after the first (function words aside)
    capitalised, and no verb form (an auxiliary, a word in -ed or -ing). It says who, not
    what: state media name the same officials at every event."""
    words = [w for w in piece.split()[1:] if w.lower() not in FUNCTION]
    verb = any(w.lower() in AUXILIARIES or w.lower().endswith(("ed", "ing")) for w in words)
    return 2 * sum(w[:1].isupper() for w in words) > len(words) and not verb
