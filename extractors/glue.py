"""Glued names: scraped text loses the spaces around links ("ComradeKim Jong Unexpressed").

A name of the story (an alias form) glued to the word before it ("toKim Jong Un") or, for a
name of two or more words, to the word after it ("Kim Jong Unsaid") is split off at the
token level: the text and every character offset stay as they are, only the tokens the
parser and the entity recogniser see are cut where the spaces were lost. A one-word name
followed by lower-case letters is left whole ("Russian", "Kimilsungism" are words).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import lru_cache
from itertools import pairwise
from typing import Any


@lru_cache(maxsize=8)
def _patterns(forms: tuple[str, ...]) -> tuple[re.Pattern[str] | None, re.Pattern[str] | None]:
    """A pattern of the names glued after a lower-case letter, and one of the names of two
    or more words glued before one; longest first, so that "Kim Jong Un" wins over "Kim"."""
    capital = sorted({f for f in forms if f[:1].isupper()}, key=len, reverse=True)
    multi = [f for f in capital if " " in f]
    before = re.compile(r"(?<=[a-z])(?:" + "|".join(map(re.escape, capital)) + ")") \
        if capital else None
    after = re.compile(r"(?:" + "|".join(map(re.escape, multi)) + r")(?=[a-z])") \
        if multi else None
    return before, after


def split_points(text: str, forms: Iterable[str]) -> list[int]:
    """Character offsets in `text` where a glued name of `forms` lost a space, in order."""
    names = tuple(sorted(set(forms)))
    before, after = _patterns(names)
    points = {m.start() for m in before.finditer(text)} if before else set()
    if after:  # not where a longer name goes on ("North Korea" in "North Koreans")
        points |= {m.end() for m in after.finditer(text)
                   if not any(len(f) > len(m.group()) and text.startswith(f, m.start())
                              for f in names)}
    return sorted(points)


def make_doc(nlp: Any, text: str, forms: Iterable[str]) -> Any:
    """The spaCy Doc of `text` from `nlp`'s tokenizer, with tokens cut at the split points
    of glued names (no whitespace between the parts, so `doc.text == text`)."""
    doc = nlp.make_doc(text)
    points = split_points(text, forms)
    if not points:
        return doc
    from spacy.tokens import Doc

    words: list[str] = []
    spaces: list[bool] = []
    at = 0
    for token in doc:
        start, end = token.idx, token.idx + len(token.text)
        while at < len(points) and points[at] <= start:
            at += 1
        cuts = [start]
        while at < len(points) and points[at] < end:
            cuts.append(points[at])
            at += 1
        cuts.append(end)
        for a, b in pairwise(cuts):
            words.append(text[a:b])
            spaces.append(False)
        spaces[-1] = bool(token.whitespace_)
    return Doc(nlp.vocab, words=words, spaces=spaces)


def spaced(text: str, start: int, points: Iterable[int]) -> str:
    """`text` (which starts at offset `start` of the article) with a space put back at each
    split point inside it: what a reader, and the claim models, should see."""
    cuts = [p - start for p in points if 0 < p - start < len(text)]
    if not cuts:
        return text
    parts = [text[a:b] for a, b in pairwise([0, *cuts, len(text)])]
    return " ".join(parts)
