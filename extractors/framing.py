"""Framing: the 14 generic frames of the Policy Frames Codebook (as SemEval-2023 Task 3
uses them), tone toward the pact, stance toward the main actors, evaluative language.

Frames: lexicons, and (when given) the frame each sentence is nearest to by sentence
embeddings (`frame_prototypes`); a frame's score averages its share of lexicon hits and its
share of sentences. Tone: with embeddings, each sentence's tone toward the relationship
(`tone`), with the lexicon terms that agree with it as evidence; without, the lexicons alone.
Explainable: every score comes with the sentences and terms that carry it.
Pure functions over sentences; no model is trained on any evaluation data.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

from extractors.frame_prototypes import METHOD as PROTOTYPES_METHOD
from extractors.story import FramingWords, Story
from extractors.tone import METHOD as TONE_METHOD
from extractors.tone import Reading, article_tone

LEXICON_METHOD = "pactwatch.framing.v1 (lexicons)"
COMBINED_METHOD = f"pactwatch.framing.v2 (lexicons + {PROTOTYPES_METHOD}) + {TONE_METHOD}"


# The 14 generic frames of the Policy Frames Codebook, in the codebook's order: a generic
# resource, like the country list. Which words signal each frame in a story's coverage is the
# story's (`FramingWords.frames`, flows/config's story files).
FRAMES: tuple[str, ...] = (
    "Economic", "Capacity_and_resources", "Morality", "Fairness_and_equality",
    "Legality_Constitutionality_and_jurisprudence", "Policy_prescription_and_evaluation",
    "Crime_and_punishment", "Security_and_defense", "Health_and_safety", "Quality_of_life",
    "Cultural_identity", "Public_opinion", "Political", "External_regulation_and_reputation",
)
QUOTES = re.compile(r"[\"“”‘’']([^\"“”]{2,300})[\"“”’']")


@lru_cache(maxsize=1024)
def _pattern(term: str) -> re.Pattern[str]:
    return re.compile(r"(?<![a-z])" + re.escape(term), re.IGNORECASE)


def _hits(terms: tuple[str, ...], text: str) -> Counter[str]:
    return Counter({t: n for t in terms if (n := len(_pattern(t).findall(text)))})


@dataclass(frozen=True)
class FrameScore:
    frame: str
    score: float                      # share of the article's framing (0–1)
    hits: int                         # evidence: lexicon term hits + sentence votes
    sentences: tuple[int, ...]        # indexes of the sentences that carry it (top 3)
    terms: tuple[str, ...]
    votes: int = 0                    # sentences nearest to this frame's prototypes


@dataclass(frozen=True)
class Evaluative:
    term: str
    sentence_idx: int
    quoted: bool


@dataclass(frozen=True)
class Framing:
    frames: tuple[FrameScore, ...]
    tone: float                       # toward the pact, -1 … 1 (about 0: neutral)
    tone_terms: tuple[str, ...]       # lexicon terms behind it (that agree with it)
    stances: dict[str, float]         # actor group → -1 … 1, where the text takes one
    evaluative: tuple[Evaluative, ...]
    method: str = LEXICON_METHOD
    tone_sentences: tuple[int, ...] = ()   # the sentences that carry the tone (embeddings)

    @property
    def dominant(self) -> str | None:
        best = max(self.frames, key=lambda f: f.score, default=None)
        return best.frame if best and best.hits else None

    def distribution(self) -> dict[str, float]:
        return {f.frame: f.score for f in self.frames}

    def frame_set(self, share: float = 0.1, most: int = 4) -> list[str]:
        """The frames an article uses: the largest shares above `share`, at most `most`."""
        ranked = sorted(self.frames, key=lambda f: -f.score)
        return [f.frame for f in ranked[:most] if f.score >= share]


QUOTED_WEIGHT = 0.5  # someone else's words say less about the outlet's own framing


def _polarity(text: str, words: FramingWords) -> tuple[float, float, list[str]]:
    """Positive and negative weight of a sentence; terms inside quotes count half."""
    quoted = " ".join(QUOTES.findall(text))
    own = QUOTES.sub(" ", text)
    def weight(terms: tuple[str, ...]) -> tuple[float, list[str]]:
        a, b = _hits(terms, own), _hits(terms, quoted)
        return sum(a.values()) + QUOTED_WEIGHT * sum(b.values()), [*a, *b]
    (pos, p_terms), (neg, n_terms) = weight(words.positive), weight(words.negative)
    return pos, neg, p_terms + n_terms


def analyse(sentences: list[str], readings: Sequence[Reading] | None = None, *,
            story: Story) -> Framing:
    """Frames, tone, stances and evaluative terms of an article given as sentences, read
    with the `story`'s framing and tone words; `readings`, when given, is each sentence's
    nearest frame and tone (by embeddings). Raises ValueError when there are not as many
    readings as sentences."""
    words = story.framing
    if readings is not None and len(readings) != len(sentences):
        raise ValueError(f"{len(readings)} frame votes for {len(sentences)} sentences")
    votes = None if readings is None else [r.frame for r in readings]
    per_frame: dict[str, Counter[str]] = {f: Counter() for f in FRAMES}
    carriers: dict[str, Counter[int]] = {f: Counter() for f in FRAMES}
    for i, s in enumerate(sentences):
        for frame in FRAMES:
            found = _hits(words.frames.get(frame, ()), s)
            if found:
                per_frame[frame].update(found)
                carriers[frame][i] += sum(found.values())
    voted = Counter(votes or ())
    for i, frame in enumerate(votes or ()):
        carriers[frame][i] += 1
    total = sum(sum(c.values()) for c in per_frame.values()) or 1
    frames = tuple(FrameScore(f, round(_share(sum(c.values()) / total, voted[f], votes), 4),
                              sum(c.values()) + voted[f],
                              tuple(i for i, _n in carriers[f].most_common(3)),
                              tuple(t for t, _n in c.most_common(5)), voted[f])
                   for f, c in per_frame.items())
    stances, evaluative = _stances(sentences, words), _evaluative(sentences, words)
    if readings is None:
        return Framing(frames, *_tone(sentences, words), stances, evaluative)
    tone = article_tone(sentences, [r.tone for r in readings], story.tone)
    return Framing(frames, tone.score, _tone_terms(sentences, readings, words),
                   stances, evaluative, COMBINED_METHOD, tone.sentences)


def method_for(embeddings: bool) -> str:
    """The `method` recorded on rows framed with or without sentence embeddings."""
    return COMBINED_METHOD if embeddings else LEXICON_METHOD


def _share(lexical: float, voted: int, votes: list[str] | None) -> float:
    """The lexicon share alone, or its mean with the share of sentences voting for it."""
    if votes is None:
        return lexical
    return (lexical + voted / max(1, len(votes))) / 2


def _tone(sentences: list[str], words: FramingWords) -> tuple[float, tuple[str, ...]]:
    """Polarity of the sentences about the pact or its parties; of the whole article when
    those carry no evaluative term (a short piece rarely names the pact in each line)."""
    sides = tuple(n for side in words.sides for n in words.actors.get(side, ()))

    def about_pact(s: str) -> bool:
        low = f" {s.lower()} "
        return any(p in low for p in words.relation) or any(a in low for a in sides)

    for chosen in ([s for s in sentences if about_pact(s)], sentences):
        pos = neg = 0.0
        terms: list[str] = []
        for s in chosen:
            p, n, t = _polarity(s, words)
            pos, neg, terms = pos + p, neg + n, terms + t
        if pos + neg:
            return round((pos - neg) / (pos + neg), 4), tuple(terms)
    return 0.0, ()


def _tone_terms(sentences: list[str], readings: Sequence[Reading], words: FramingWords
                ) -> tuple[str, ...]:
    """The lexicon's evaluative terms in the sentences that carry a tone, where they agree
    with it ("threat" in a sentence that celebrates a joint answer to threats is left out)."""
    terms: list[str] = []
    for s, r in zip(sentences, readings, strict=True):
        if r.tone:
            terms += _hits(words.positive if r.tone > 0 else words.negative, s)
    return tuple(terms)


def _stances(sentences: list[str], words: FramingWords) -> dict[str, float]:
    out = {}
    for actor, names in words.actors.items():
        pos = neg = 0.0
        for s in sentences:
            if any(n in f" {s.lower()} " for n in names):
                p, n, _t = _polarity(s, words)
                pos, neg = pos + p, neg + n
        if pos + neg:
            out[actor] = round((pos - neg) / (pos + neg), 4)
    return out


def _evaluative(sentences: list[str], words: FramingWords) -> tuple[Evaluative, ...]:
    out = []
    for i, s in enumerate(sentences):
        quoted = " ".join(QUOTES.findall(s)).lower()
        for term in (*_hits(words.positive, s), *_hits(words.negative, s)):
            out.append(Evaluative(term, i, term in quoted))
    return tuple(out)


def total_variation(a: dict[str, float], b: dict[str, float]) -> float:
    """Half the L1 distance between two frame distributions (0: same, 1: disjoint)."""
    keys = set(a) | set(b)
    return round(sum(abs(a.get(k, 0.0) - b.get(k, 0.0)) for k in keys) / 2, 4)


def moved(before: dict[str, float], after: dict[str, float], n: int = 2) -> list[str]:
    """The frames that moved most, as "Frame 0.10→0.45"."""
    keys = sorted(set(before) | set(after),
                  key=lambda k: (-round(abs(after.get(k, 0.0) - before.get(k, 0.0)), 6), k))
    return [f"{k} {before.get(k, 0.0):.2f}→{after.get(k, 0.0):.2f}" for k in keys[:n]]
