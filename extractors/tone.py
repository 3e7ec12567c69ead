"""Tone toward the pact: how a text evaluates the relationship between the two states.

Each sentence is compared by sentence embeddings (all-MiniLM-L6-v2, `embeddings.py`) with the
prototype sentences of four classes (the story's `tone_prototypes.toml`, written generically —
no country named, no evaluation text copied): `pos` (celebrates the pact or the relationship),
`neg` (alarmed by it, condemns it), `neutral` (reports it) and `other` (evaluates something
else: a country's own leaders, a holiday, a third party). A class's similarity is the mean
cosine of its three nearest prototypes (as for frames); a softmax turns the four into shares,
and the sentence's tone is the lead of the polar class over the best non-polar class (0 when
neither polar class leads: a report, however warm its formula, is not a verdict).

An article's tone is the weighted mean of its sentences' tones: weight 1 for a sentence about
the relationship (the pact, both sides, "the two countries"), 1/2 for one naming one side,
1/4 for the rest. Tone lies in [-1, 1]; |tone| < NEUTRAL_BAND reads as neutral. Nothing is
trained: the temperature, weights and band were chosen on the `dev` part of the real-world
labels (tests/data/realworld_eval/) and fixed before the `heldout` part was run.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from extractors.embeddings import MODEL_NAME, Encoder
from extractors.frame_prototypes import CHUNK, Prototypes, encode_prototypes, frame_similarity
from extractors.story import ToneWords

METHOD = f"pactwatch.tone.v1 ({MODEL_NAME} tone prototypes)"
CLASSES = ("pos", "neg", "neutral", "other")
TEMPERATURE = 0.02       # softmax over mean cosines (which differ by hundredths)
NEUTRAL_BAND = 0.1       # |tone| below this reads as neutral
WEIGHTS = (1.0, 0.5, 0.25)   # about the relationship / names one side / the rest

# a wire or KCNA dateline ("Pyongyang, July 28 (KCNA) --", "MOSCOW, 19 June (Reuters) -") and
# KCNA's end marker "-0-": layout, and they pull a sentence toward the reports
_DATELINE = re.compile(r"^[A-Z][\w .'-]{1,40},? (?:[A-Z][a-z]+\.? \d{1,2}|\d{1,2} [A-Z][a-z]+)"
                       r"(?:, \d{4})? \([^)]{2,30}\) ?[-–—]+ ?")
_END_MARK = re.compile(r"\s*-0-\s*$")


@dataclass(frozen=True)
class Reading:
    """What the embeddings say about one sentence: its nearest frame and its tone (-1 … 1)."""

    frame: str
    tone: float = 0.0


@dataclass(frozen=True)
class Tone:
    score: float                     # -1 … 1; |score| < NEUTRAL_BAND is neutral
    sentences: tuple[int, ...]       # the sentences that carry it, strongest first (top 3)
    polar: int                       # sentences with a tone of their own


def clean(sentence: str) -> str:
    """The sentence without a leading dateline or a trailing end marker (as it is when
    nothing else is left)."""
    return _END_MARK.sub("", _DATELINE.sub("", sentence)).strip() or sentence


def weight(sentence: str, words: ToneWords) -> float:
    """How much a sentence speaks for the article's tone toward the relationship: it names
    both of the story's sides (`words.sides`) or the relationship, one side, or neither."""
    return _weight(sentence, words.sides, words.relation)


@lru_cache(maxsize=4096)
def _weight(sentence: str, sides: tuple[tuple[str, ...], ...],
            relation: tuple[str, ...]) -> float:
    low = f" {sentence.lower()} "
    named = [any(_names(n).search(low) for n in side) for side in sides]
    if all(named) or any(_names(r).search(low) for r in relation):
        return WEIGHTS[0]
    return WEIGHTS[1] if any(named) else WEIGHTS[2]


@lru_cache(maxsize=256)
def _names(term: str) -> re.Pattern[str]:
    return re.compile(r"(?<![a-z])" + re.escape(term) + r"(?![a-z])")


def sentence_tones(similarity: np.ndarray) -> np.ndarray:
    """Tone of each sentence from its (sentences, CLASSES) similarities: the lead of `pos`
    (positive) or `neg` (negative) over the best of `neutral` and `other`, else 0."""
    shares = np.exp((similarity - similarity.max(axis=1, keepdims=True)) / TEMPERATURE)
    shares /= shares.sum(axis=1, keepdims=True)
    rest = shares[:, 2:].max(axis=1)
    lead: np.ndarray = np.maximum(0, shares[:, 0] - rest) - np.maximum(0, shares[:, 1] - rest)
    return lead


def article_tone(sentences: list[str], tones: list[float], words: ToneWords) -> Tone:
    """The article's tone: its sentences' tones, weighted by how much each is about the
    relationship (as the story's `words` name it). Raises ValueError when the lists differ
    in length."""
    if len(tones) != len(sentences):
        raise ValueError(f"{len(tones)} sentence tones for {len(sentences)} sentences")
    weights = [weight(clean(s), words) for s in sentences]
    total = sum(weights)
    if not total:
        return Tone(0.0, (), 0)
    score = sum(w * t for w, t in zip(weights, tones, strict=True)) / total
    carried = sorted((i for i, t in enumerate(tones) if t),
                     key=lambda i: -abs(weights[i] * tones[i]))
    return Tone(round(score, 4), tuple(carried[:3]), len(carried))


def encode_tone_prototypes(encoder: Encoder, texts: Mapping[str, Sequence[str]]
                           ) -> Prototypes:
    """The tone prototypes (class → definition and sentences: `ToneWords.prototypes`),
    encoded; raises ValueError unless the classes are CLASSES, in that order."""
    if tuple(texts) != CLASSES:
        raise ValueError(f"tone prototypes for {tuple(texts)}, expected {CLASSES} in this order")
    return encode_prototypes(encoder, texts)


def readings(encoder: Encoder, frames: Prototypes, tone: Prototypes,
             articles: list[list[str]]) -> list[list[Reading]]:
    """For each article, each sentence's nearest frame and tone. Identical sentences (common
    across versions and syndicated copies) are encoded once; the frame is read from the
    sentence as written, the tone from it without its dateline."""
    raw = list(dict.fromkeys(s for sentences in articles for s in sentences))
    unique = list(dict.fromkeys([*raw, *(clean(s) for s in raw)]))
    frame_of: dict[str, str] = {}
    tone_of: dict[str, float] = {}
    for start in range(0, len(unique), CHUNK):
        chunk = unique[start:start + CHUNK]
        vectors = encoder.encode(chunk)
        best = frame_similarity(frames, vectors).argmax(axis=1)
        lead = sentence_tones(frame_similarity(tone, vectors))
        frame_of.update((s, frames.frames[int(j)]) for s, j in zip(chunk, best, strict=True))
        tone_of.update((s, round(float(t), 4)) for s, t in zip(chunk, lead, strict=True))
    return [[Reading(frame_of[s], tone_of[clean(s)]) for s in sentences]
            for sentences in articles]
