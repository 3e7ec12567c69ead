"""Relevance: is an article *about* the story? A pure decision with its evidence.

The story names two sides (its `groups`: Russia and North Korea for the pact), keywords
(treaty, troops, delegation…) and indirect references to the pair ("the two countries",
"both sides"). A sentence is *on the story* when it names both sides or one side with an
indirect reference (weight 1), and half so when it names one side with a keyword (weight
0.5: "Russian troops" alone is as likely the war in Ukraine). An article is about the story
when its title is on the story, or when on-story sentences stand in its opening or make up
enough of it; a passing mention (one sentence in an article about something else) is not.

The score is in [0, 1]: 0.5 for an on-story title, 0.3 for an on-story opening (the first
three sentences), plus twice the weighted share of on-story sentences (capped at 1). A
title or opening that is only half on the story (one side and a keyword) counts when the
body has a sentence fully on it, or when the article is its headline alone (no body, or
the feed's title as its text: a wire headline names one side and the other is implied by
the dateline, "Russian Delegation Arrives"). Relevant at `story.threshold` (0.5). Every
decision keeps the sentences that carried it.
"""

from __future__ import annotations

import functools
import re
from collections import Counter
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from extractors.language import Language, detect
from extractors.story import Story

METHOD = "pactwatch.relevance.v3 (on-story sentences: title, opening, share; headline-only)"
TITLE_WEIGHT, LEAD_WEIGHT, SHARE_WEIGHT = 0.5, 0.3, 2.0
LEAD_SENTENCES = 3
EVIDENCE = 3          # sentences kept as evidence
_GLUED = re.compile(r"(?<=[a-z])(?=[A-Z][a-z])")
_SENTENCE_END = re.compile(r"(?<=[.!?])[\"'”’)]*\s+(?=[\"'“‘(]?[A-Z0-9])|\n+")


@dataclass(frozen=True)
class Relevance:
    """The decision, its score in [0, 1], why, the method, and the sentences that carried it."""

    relevant: bool
    score: float
    reason: str
    method: str = METHOD
    evidence: tuple[str, ...] = ()


@lru_cache(maxsize=1024)
def _pattern(term: str) -> re.Pattern[str]:
    words = [re.escape(w) for w in re.split(r"[\s\-]+", term.strip()) if w]
    return re.compile(r"(?<!\w)" + r"[\s\-]+".join(words) + r"(?!\w)", re.IGNORECASE)


def _hits(terms: tuple[str, ...], text: str) -> Counter[str]:
    counts: Counter[str] = Counter()
    for term in terms:
        n = len(_pattern(term).findall(text))
        if n:
            counts[term] = n
    return counts


def split_sentences(text: str) -> list[str]:
    """Sentences of plain text: a line break or a full stop before a capital ends one."""
    return [s.strip() for s in _SENTENCE_END.split(text) if s and s.strip()]


COUNTRIES_FILE = Path(__file__).parent / "data" / "countries.txt"
CROWD = 4             # this many other countries named make an article a list ...
MINORITY = 2          # ... when the less-named side stands in at most this many sentences


@functools.cache
def _countries() -> tuple[tuple[str, ...], ...]:
    lines = COUNTRIES_FILE.read_text(encoding="utf-8").splitlines()
    return tuple(tuple(line.split("|")) for line in lines if line and not line.startswith("#"))


def _third_countries(story: Story, text: str) -> set[str]:
    """Countries other than the story's sides named in `text` (by their first form). A
    form is searched for only when its first word is among the text's words (one pass
    over the text instead of one search per form)."""
    sides = {t.casefold() for terms in story.groups.values() for t in terms}
    words = {"", *_WORD.findall(text)}   # "": a form without a word is always searched
    return {forms[0] for forms in _countries()
            if not sides & {f.casefold() for f in forms}
            and any(_first_word(f) in words and _cased(f).search(text) for f in forms)}


_WORD = re.compile(r"\w+")


@lru_cache(maxsize=1024)
def _first_word(term: str) -> str:
    """The first word of `term` as `_WORD` cuts the text ("" when it has none)."""
    found = _WORD.search(term)
    return found.group(0) if found else ""


@lru_cache(maxsize=1024)
def _cased(term: str) -> re.Pattern[str]:
    return re.compile(r"(?<!\w)" + re.escape(term) + r"(?!\w)")


@dataclass(frozen=True)
class _Sentence:
    text: str
    sides: frozenset[str]
    cues: Counter[str]
    paired: bool          # an indirect reference to the pair

    @property
    def weight(self) -> float:
        """1 fully on the story, 0.5 half (one side and a keyword), else 0."""
        if len(self.sides) >= 2 or (self.sides and self.paired):
            return 1.0
        return 0.5 if self.sides and self.cues else 0.0

    @property
    def on_story(self) -> bool:
        return self.weight > 0


def _read(story: Story, sentence: str) -> _Sentence:
    sides = frozenset(name for name, terms in story.groups.items()
                      if any(_pattern(t).search(sentence) for t in terms))
    if not sides:
        return _Sentence(sentence, sides, Counter(), False)
    paired = _hits(story.indirect, sentence)
    return _Sentence(sentence, sides, _hits(story.keywords, sentence) + paired, bool(paired))


def _unglue(text: str) -> str:
    """"atKim Il SungSquare" → "at Kim Il Sung Square": scraped text loses the spaces
    around links; a lower-case letter followed by a capitalised word is split for matching."""
    return _GLUED.sub(" ", text)


def judge(story: Story, title: str, text: str) -> Relevance:
    """Decide whether an article (`title`, `text`) is about `story`; the reason names what
    counted, and `evidence` holds the on-story sentences (the title first). Both sides must
    be named somewhere in the article (its title or text)."""
    head = _read(story, _unglue(title.strip())) if title.strip() else None
    headline_only = " ".join(text.split()) in ("", " ".join(title.split()))
    body = [] if headline_only else [_read(story, s) for s in split_sentences(_unglue(text))]
    named = {side for s in ([head] if head else []) + body for side in s.sides}
    if (missing := [g for g in story.groups if g not in named]) and \
            not (headline_only and head is not None and head.on_story):
        return Relevance(False, 0.0, f"no mention of {' or '.join(missing)}", METHOD, ())
    on = sorted((s for s in body if s.on_story), key=lambda s: -s.weight)
    full = bool(on) and on[0].weight == 1.0
    title_on = head is not None and (head.weight == 1.0 or (head.on_story and
                                                             (full or headline_only)))
    lead = max((s.weight for s in body[:LEAD_SENTENCES]), default=0.0)
    lead_on = lead == 1.0 or (lead > 0 and full)
    share = sum(s.weight for s in on) / len(body) if body else 0.0
    score = min(1.0, TITLE_WEIGHT * title_on + LEAD_WEIGHT * lead_on + SHARE_WEIGHT * share)
    crowd = _third_countries(story, f"{title}\n{_unglue(text)}")
    minority = min(sum(1 for s in body if side in s.sides) for side in story.groups)
    if len(crowd) >= CROWD and minority <= MINORITY:
        score = min(score, round(story.threshold / 2, 3))
    relevant = score >= story.threshold
    evidence = ([title.strip()] if title_on else []) + [s.text for s in on[:EVIDENCE]]
    reason = _reason(story, title_on, lead_on, on, body, score)
    if len(crowd) >= CROWD and minority <= MINORITY:
        reason += f"; one of {len(crowd) + 1} countries named ({', '.join(sorted(crowd)[:4])}…)"
    return Relevance(relevant, round(score, 3), reason, METHOD, tuple(evidence))


def _reason(story: Story, title_on: bool, lead_on: bool, on: list[_Sentence],
            body: list[_Sentence], score: float) -> str:
    if not on and not title_on:
        return "no sentence names both sides (or one side with a story term)"
    parts = [f"score {score:.2f}"]
    if title_on:
        parts.append("title on the story")
    if lead_on:
        parts.append("opening on the story")
    parts.append(f"{len(on)} of {len(body)} sentences on the story")
    cues = Counter(term for s in on for term in s.cues.elements())
    if cues:
        parts.append("terms " + ", ".join(f"{t}×{n}" for t, n in cues.most_common(3)))
    verdict = "" if score >= story.threshold else f" < {story.threshold}: a passing mention"
    return "; ".join(parts) + verdict


def assess(story: Story, title: str, text: str) -> tuple[Language, Relevance]:
    """The article's language and, when the story's languages include it, its relevance;
    an article in another language is not judged (not relevant, the reason says why)."""
    language = detect(title, text, story.languages)
    if not language.analysed:
        return language, Relevance(False, 0.0, language.reason or "not analysed", METHOD, ())
    return language, judge(story, title, text)
