"""Relevance: does an article belong to the story? A pure decision with a readable reason."""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from functools import lru_cache

from extractors.story import Story


@dataclass(frozen=True)
class Relevance:
    """The decision, its score (number of hits) and why."""

    relevant: bool
    score: int
    reason: str


@lru_cache(maxsize=512)
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


def _describe(name: str, counts: Counter[str]) -> str:
    top = ", ".join(f"{term}×{n}" for term, n in counts.most_common(3))
    return f"{name} ({top})"


def judge(story: Story, title: str, text: str) -> Relevance:
    """Decide whether `title` + `text` belong to `story`; the reason names the hits or the gap."""
    body = f"{title}\n{text}"
    group_hits = {name: _hits(terms, body) for name, terms in story.groups.items()}
    keyword_hits = _hits(story.keywords, body)
    score = sum(sum(c.values()) for c in group_hits.values()) + sum(keyword_hits.values())
    missing = [name for name, counts in group_hits.items() if not counts]
    if missing:
        return Relevance(False, score, f"no mention of {' or '.join(missing)}")
    found = [_describe(n, c) for n, c in group_hits.items()]
    if keyword_hits:
        found.append(_describe("keywords", keyword_hits))
    if score < story.min_score:
        return Relevance(False, score, f"score {score} < {story.min_score}: {'; '.join(found)}")
    return Relevance(True, score, "; ".join(found))
