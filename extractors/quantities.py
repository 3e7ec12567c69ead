"""Quantities in claims: '10,000 containers', 'more than 13,000', 'millions of shells'."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

SCALE = {"thousand": 1e3, "thousands": 1e3, "million": 1e6, "millions": 1e6, "billion": 1e9,
         "billions": 1e9, "trillion": 1e12, "hundred": 1e2, "hundreds": 1e2, "dozen": 12,
         "dozens": 12, "tens": 10}
VAGUE = {"thousands", "millions", "billions", "hundreds", "dozens", "tens"}
WORDS = {"one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7,
         "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "fifteen": 15,
         "twenty": 20, "thirty": 30, "forty": 40, "fifty": 50, "hundred": 100, "a": 1, "an": 1}
BOUNDS = (("more than", ">"), ("over", ">"), ("at least", ">="), ("exceeding", ">"),
          ("upwards of", ">"), ("less than", "<"), ("fewer than", "<"), ("under", "<"),
          ("up to", "<="), ("at most", "<="), ("about", "~"), ("around", "~"),
          ("some", "~"), ("nearly", "~"), ("almost", "~"), ("roughly", "~"),
          ("approximately", "~"), ("an estimated", "~"), ("estimated", "~"), ("close to", "~"))
NUMERIC_LABELS = frozenset({"CARDINAL", "QUANTITY", "MONEY", "PERCENT"})
@dataclass(frozen=True)
class Quantity:
    """A number in a claim. `bound` is one of = > >= < <= ~ (approximate)."""

    text: str
    value: float | None
    unit: str | None
    bound: str

    def comparable(self, other: Quantity) -> bool:
        """Same unit, both with a value: a difference between them is a changed number."""
        return bool(self.unit and self.unit == other.unit and self.value is not None
                    and other.value is not None)

    def differs(self, other: Quantity) -> bool:
        """Values differ by more than rounding (2%), or the bounds say different things."""
        if self.value is None or other.value is None:
            return False
        big = max(abs(self.value), abs(other.value), 1e-9)
        return abs(self.value - other.value) / big > 0.02


def parse_number(text: str) -> tuple[float | None, str]:
    """The value and bound of a numeric phrase: 'more than 10,000' → (10000.0, '>')."""
    low = text.lower().strip()
    bound = "="
    for words, sign in BOUNDS:
        if low.startswith(words + " "):
            bound, low = sign, low[len(words) + 1:]
            break
    tokens = re.findall(r"\d[\d,]*(?:\.\d+)?|[a-z]+", low)
    value: float | None = None
    for tok in tokens:
        if tok[0].isdigit():
            value = float(tok.replace(",", ""))
        elif tok in SCALE:
            if tok in VAGUE and value is None:
                bound = "~" if bound == "=" else bound
            value = (value or 1.0) * SCALE[tok]
        elif tok in WORDS and value is None:
            value = float(WORDS[tok])
    return value, bound


Units = Mapping[str, str]   # counted noun → its class (the story's MatchingWords.units)


def _unit(ent: Any, units: Units) -> str | None:
    """The noun a number counts, in its class: '10,000 containers' → 'container', 'millions
    of shells' → 'shell' (skipping 'of'), '1,500 special forces soldiers' → 'soldier' (a
    'troop' where the story's `units` fold soldiers into troops)."""
    unit = _raw_unit(ent)
    return units.get(unit, unit) if unit else None


def _raw_unit(ent: Any) -> str | None:
    head = ent.root.head
    if ent.root.dep_ in ("nummod", "quantmod", "compound") and head.pos_ in ("NOUN", "PROPN"):
        return str(head.lemma_).lower()
    for tok in ent.root.children:
        if tok.dep_ == "prep" and tok.lower_ == "of":
            objs = [c for c in tok.children if c.dep_ == "pobj"]
            if objs:
                return str(objs[0].lemma_).lower()
    nxt = ent.doc[ent.end] if ent.end < len(ent.doc) else None
    if nxt is not None and nxt.pos_ == "NOUN":
        return str(nxt.lemma_).lower()
    return _subject_unit(ent.root)


def _subject_unit(num: Any) -> str | None:
    """'Casualties have reached 3,000', 'casualties rose to 4,000': the number is the verb's
    object, and what it counts is the verb's subject."""
    verb = num.head
    if num.dep_ == "pobj" and verb.dep_ == "prep":
        verb = verb.head
    if num.dep_ not in ("dobj", "attr", "pobj") or verb.pos_ not in ("VERB", "AUX"):
        return None
    subj = next((c for c in verb.children if c.dep_ in ("nsubj", "nsubjpass")), None)
    return str(subj.lemma_).lower() if subj is not None and subj.pos_ == "NOUN" else None


def _with_bound_words(ent: Any) -> str:
    """Extend the entity text leftwards over 'more than', 'about', … if spaCy left them out."""
    start = ent.start
    doc = ent.doc
    for words, _ in BOUNDS:
        n = len(words.split())
        if start - n >= 0 and doc[start - n:start].text.lower() == words:
            return str(doc[start - n:ent.end].text)
    return str(ent.text)


def quantities(span: Any, units: Units) -> tuple[Quantity, ...]:
    """Quantities in a spaCy span, with units where the parse gives them, folded into the
    classes the story's `units` give (soldier → troop)."""
    out = []
    for ent in span.ents:
        if ent.label_ not in NUMERIC_LABELS:
            continue
        text = _with_bound_words(ent)
        if not any(ch.isdigit() for ch in text) and not any(w in SCALE for w in
                                                             text.lower().split()):
            continue  # "two countries", "one level": not a figure anyone reports
        value, bound = parse_number(text)
        out.append(Quantity(text, value, _unit(ent, units), bound))
    for tok in span:  # "millions of artillery shells": not always an entity
        if tok.lower_ in VAGUE and tok.ent_type_ == "" and tok.pos_ in ("NOUN", "NUM"):
            unit = None
            for child in tok.children:
                if child.dep_ == "prep" and child.lower_ == "of":
                    objs = [c for c in child.children if c.dep_ == "pobj"]
                    unit = str(objs[0].lemma_).lower() if objs else None
            unit = units.get(unit, unit) if unit else None
            out.append(Quantity(tok.text, SCALE[tok.lower_], unit, "~"))
    return tuple(out)
