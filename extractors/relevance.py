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

v4 adds, all general (no outlet's words):
- keywords match their regular inflections ("visit": "Visits", "visited"; "treaty":
  "treaties"), so a headline "Russian Group Visits Several Places Here" is on the story;
- a *roundup* (a press review, a news briefing: three or more bulleted lines, half its lines
  or more) has no opening: its first items are not a lead saying what the whole is about,
  so one item on the pair among unrelated ones is a passing mention, judged by its share;
- a sentence naming both sides with no story term, where one side is only *the place* (a
  named place inside it, "a contest held in Vladivostok of Russia", or a capitalised name
  ending "in" it, "the Association of Korean Nationals in Russia"), is half on the story;
  a plain "talks in Moscow" is where the sides meet and stays fully on it; headlines (title
  case) are not read this way;
- the share is taken over at least three sentences: one half sentence of a two-sentence
  brief ("the Vietnamese ambassador and the Russian charge d'affaires handed over…") is no
  share of the story;
- a headline naming both sides exempts an article from the list-of-countries cap (an
  analysis of the pair names the region's other states);
- a *lone mention*: a body of eight sentences or more that names one side in a single
  sentence, outside its title and opening (a sentence with an indirect reference to the pair
  names both), is about the other side and scores at most half the threshold (a war report
  full of "Russian troops" that says once that North Korean troops fight in Kursk);
- sentences keep a list marker or an abbreviation ("1.", "St.", "Gen.") with what follows.
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

METHOD = ("pactwatch.relevance.v4 (on-story sentences: title, opening, share; headline-only; "
          "inflections, roundups, place-only sides, lone mentions)")
TITLE_WEIGHT, LEAD_WEIGHT, SHARE_WEIGHT = 0.5, 0.3, 2.0
LEAD_SENTENCES = 3
SHORT = 3             # a share is taken over at least this many sentences
LONE_BODY = 8         # a body this long naming a side once, after its opening, is the other's
EVIDENCE = 3          # sentences kept as evidence
_GLUED = re.compile(r"(?<=[a-z])(?=[A-Z][a-z])")
_BULLET = re.compile(r"^\s*(?:[-\u2013\u2014\u2022*\u25aa\u25cf]|\d{1,2}[.)])\s*\S")
ROUNDUP = 3           # this many bulleted lines, half the lines or more, make a roundup
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


@lru_cache(maxsize=1024)
def _inflected(term: str) -> re.Pattern[str]:
    """A keyword with the regular English endings of its last word: "visit" also matches
    "visits", "visited", "visiting"; "treaty" "treaties"; "message" "messages"."""
    words = [re.escape(w) for w in re.split(r"[\s\-]+", term.strip()) if w]
    last = words[-1]
    if last[-1:].lower() == "y" and len(last) > 2:
        last = last[:-1] + "(?:y|ies|ied)"
    elif last[-1:].lower() == "e":
        last += "(?:s|d)?"
    elif last[-1:].isalpha():
        last += "(?:s|es|ed|ing)?"
    return re.compile(r"(?<!\w)" + r"[\s\-]+".join([*words[:-1], last]) + r"(?!\w)",
                      re.IGNORECASE)


def _hits(terms: tuple[str, ...], text: str, inflect: bool = False) -> Counter[str]:
    counts: Counter[str] = Counter()
    for term in terms:
        n = len((_inflected if inflect else _pattern)(term).findall(text))
        if n:
            counts[term] = n
    return counts


def split_sentences(text: str) -> list[str]:
    """Sentences of plain text: a line break or a full stop before a capital ends one."""
    return [s.strip() for s in _SENTENCE_END.split(text) if s and s.strip()]


# a piece that ends a split but not a sentence: a list marker ("1.") or a title or place
# abbreviated ("St.", "Mt.", "Gen.", "Mr."), an initial ("N. Korea", "George W. Bush"), or a
# month in a dateline ("SEOUL, Nov. 4")
_NOT_AN_END = re.compile(r"(?:^(?:\d{1,2}|[a-zA-Z])[.)]|(?<![\w.])[A-Z]\.|(?<!\w)(?:St|Mt|Mr|"
                         r"Mrs|Ms|Dr|Gen|Lt|Col|Maj|Capt|Adm|Sgt|Sen|Rep|Gov|Prof|Amb|No|Jr|"
                         r"Sr|Ft|Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sept?|Oct|Nov|Dec)\.)$")


def _sentences(text: str) -> list[str]:
    """`split_sentences`, with a list marker or an abbreviation joined to what follows on
    its line ("1. The clause..." one sentence, "in St. Petersburg, Russia" not cut)."""
    out: list[str] = []
    for piece in _SENTENCE_END.split(text):
        if not piece or not piece.strip():
            continue
        if out and _NOT_AN_END.search(out[-1]):
            out[-1] = f"{out[-1]} {piece.strip()}"
        else:
            out.append(piece.strip())
    return out


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
    located: frozenset[str] = frozenset()   # sides named only as where something happens

    @property
    def weight(self) -> float:
        """1 fully on the story, 0.5 half (one side and a keyword, or both sides with no
        story term where one is only the place: "a contest held in Vladivostok, Russia"),
        else 0."""
        if self.sides and self.paired:
            return 1.0
        if len(self.sides) >= 2:
            return 0.5 if self.located and not self.cues else 1.0
        return 0.5 if self.sides and self.cues else 0.0

    @property
    def on_story(self) -> bool:
        return self.weight > 0


# before a side's name that only places something: a named place inside it ("held in
# Vladivostok of Russia", "in St. Petersburg, Russia", "in the Far East of Russia") or a
# capitalised name ending "in" it ("the Association of Korean Nationals in Russia"); a
# plain "in Moscow" ("held talks in Moscow") is where the sides meet, not this
_W = r"[A-Z][\w'\u2019.\-]*"
_PLACE_BEFORE = re.compile(
    rf"(?:(?<!\w)(?:in|at|near)\s+(?:the\s+)?(?:{_W}\s+){{0,3}}{_W}(?:\s+of\s+(?:the\s+)?|,\s+)"
    rf"|(?<=[\w,]\s){_W}\s+in\s+(?:the\s+)?)$")


def _only_a_place(terms: tuple[str, ...], sentence: str) -> bool:
    """Every mention of the side (its `terms`) in `sentence` only places something
    (`_PLACE_BEFORE` ends right before it)."""
    starts = [m.start() for t in terms for m in _pattern(t).finditer(sentence)]
    return bool(starts) and all(_PLACE_BEFORE.search(sentence[:i]) for i in starts)


def _read(story: Story, sentence: str, headline: bool = False) -> _Sentence:
    """A sentence's sides and story terms; a headline is in title case, so its capitals say
    nothing about names and no side in it is taken for only a place."""
    sides = frozenset(name for name, terms in story.groups.items()
                      if any(_pattern(t).search(sentence) for t in terms))
    if not sides:
        return _Sentence(sentence, sides, Counter(), False)
    paired = _hits(story.indirect, sentence)
    cues = _hits(story.keywords, sentence, inflect=True) + paired
    located = frozenset(side for side in sides if len(sides) >= 2 and not cues
                        and not headline and _only_a_place(story.groups[side], sentence))
    return _Sentence(sentence, sides, cues, bool(paired), located)


def is_roundup(text: str) -> bool:
    """A digest of unrelated items (a press review, a news briefing): at least `ROUNDUP`
    bulleted lines ("- ...", "• ...", "1. ...") making up half its lines or more. Its
    opening is its first items, not a lead that says what the whole is about."""
    lines = [line for line in text.splitlines() if line.strip()]
    bullets = sum(1 for line in lines if _BULLET.match(line))
    return bullets >= ROUNDUP and 2 * bullets >= len(lines)


def _unglue(text: str) -> str:
    """"atKim Il SungSquare" → "at Kim Il Sung Square": scraped text loses the spaces
    around links; a lower-case letter followed by a capitalised word is split for matching."""
    return _GLUED.sub(" ", text)


def judge(story: Story, title: str, text: str) -> Relevance:
    """Decide whether an article (`title`, `text`) is about `story`; the reason names what
    counted, and `evidence` holds the on-story sentences (the title first). Both sides must
    be named somewhere in the article (its title or text)."""
    head = _read(story, _unglue(title.strip()), headline=True) if title.strip() else None
    headline_only = " ".join(text.split()) in ("", " ".join(title.split()))
    body = [] if headline_only else [_read(story, s) for s in _sentences(_unglue(text))]
    named = {side for s in ([head] if head else []) + body for side in s.sides}
    if (missing := [g for g in story.groups if g not in named]) and \
            not (headline_only and head is not None and head.on_story):
        return Relevance(False, 0.0, f"no mention of {' or '.join(missing)}", METHOD, ())
    on = sorted((s for s in body if s.on_story), key=lambda s: -s.weight)
    full = bool(on) and on[0].weight == 1.0
    pair_title = head is not None and len(head.sides) >= 2    # the headline names both
    title_on = head is not None and (head.weight == 1.0 or (head.on_story and
                                                             (full or headline_only)))
    roundup = is_roundup(text)
    lead = 0.0 if roundup else max((s.weight for s in body[:LEAD_SENTENCES]), default=0.0)
    lead_on = lead == 1.0 or (lead > 0 and full)
    share = sum(s.weight for s in on) / max(len(body), SHORT) if body else 0.0
    score = min(1.0, TITLE_WEIGHT * title_on + LEAD_WEIGHT * lead_on + SHARE_WEIGHT * share)
    crowd = _third_countries(story, f"{title}\n{_unglue(text)}")
    minority = min(sum(1 for s in body if side in s.sides) for side in story.groups)
    listed = len(crowd) >= CROWD and minority <= MINORITY and not pair_title
    lone = _lone_side(story, head, body)
    if lone:
        score = min(score, round(story.threshold / 2, 3))
    if listed:
        score = min(score, round(story.threshold / 2, 3))
    relevant = score >= story.threshold
    evidence = ([title.strip()] if title_on else []) + [s.text for s in on[:EVIDENCE]]
    reason = _reason(story, title_on, lead_on, on, body, score)
    if roundup and on:
        reason += "; a roundup of items (no opening)"
    if lone and on:
        reason += f"; {lone} named in one sentence only, after the opening"
    if listed:
        reason += f"; one of {len(crowd) + 1} countries named ({', '.join(sorted(crowd)[:4])}…)"
    return Relevance(relevant, round(score, 3), reason, METHOD, tuple(evidence))


def _lone_side(story: Story, head: _Sentence | None, body: list[_Sentence]) -> str:
    """The side an article names in one sentence only, outside its title and opening, when
    its body runs to `LONE_BODY` sentences or more ("" when none): the rest is about the
    other side (a war report that says once that North Korean troops fight for Russia). A
    sentence with an indirect reference to the pair names both."""
    if len(body) < LONE_BODY:
        return ""
    for side in story.groups:
        where = [i for i, s in enumerate(body) if side in s.sides or s.paired]
        if len(where) == 1 and where[0] >= LEAD_SENTENCES and \
                (head is None or side not in head.sides) and \
                not any(_hits(story.indirect, s.text) for s in body if not s.sides):
            return side
    return ""


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
