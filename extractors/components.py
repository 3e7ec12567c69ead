"""pactwatch's spaCy components, registered by name and version, so that they run wherever
`nlp.pipe` runs (this process, a parse worker, a pass worker):

- `pactwatch.entities.v2` (`EntityNormaliser`, pipe `pactwatch_entities_v2`): the
  document's sentences and its named entities with their canonical names (the story's
  aliases; "Putin" → "Vladimir Putin" when the document names him in full);
- `pactwatch.claims.v3.1` (`ClaimExtractor`, pipe `pactwatch_claims_v3_1`): at most one
  claim per sentence, check-worthiness scored one batch of documents at a time
  (`extractors.claims.extract`).

What a document gets is on `doc._.pactwatch` (a `DocAnalysis`). The story's words reach the
components through `nlp.pipe(texts, component_cfg=component_cfg(...))`, per call, not in
the pipeline, so one loaded pipeline serves any story. spaCy is imported only by
`register()` (`extractors.nlp.load_model` calls it), never at import.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

from extractors.claims import COMPONENT as CLAIMS
from extractors.claims import Claim, extract
from extractors.glue import spaced, split_points
from extractors.story import Alias, entity_key

ENTITIES = "pactwatch.entities.v2"  # v2: glued names of the story cut off before parsing
# spaCy's names for the two components (its factory names allow no dots): the version
# is part of the name, so a pipeline says which version of each it runs
ENTITIES_PIPE = ENTITIES.replace(".", "_")   # pactwatch_entities_v2
CLAIMS_PIPE = CLAIMS.replace(".", "_")       # pactwatch_claims_v3_1
EXTENSION = "pactwatch"
NAMED = frozenset({"PERSON", "NORP", "FAC", "ORG", "GPE", "LOC", "PRODUCT", "EVENT",
                   "WORK_OF_ART", "LAW", "LANGUAGE"})
LOCATIVE_PREPS = frozenset({"in", "to", "from", "near", "at", "into", "outside", "across",
                            "around", "inside", "via", "toward", "towards"})
NO_CLAIMS = 2.0  # a threshold no check-worthiness score reaches

Scorer = Callable[[Sequence[str]], Any]


@dataclass(frozen=True)
class Sentence:
    idx: int
    start_char: int
    end_char: int
    text: str


@dataclass(frozen=True)
class Mention:
    sentence_idx: int
    start_char: int
    end_char: int
    text: str
    label: str
    canonical: str


@dataclass(frozen=True)
class DocAnalysis:
    sentences: tuple[Sentence, ...]
    mentions: tuple[Mention, ...]
    claims: tuple[Claim, ...] = ()
    scores: tuple[float, ...] = ()  # check-worthiness per sentence


def alias_forms(aliases: Mapping[str, Alias]) -> tuple[str, ...]:
    """Every surface form of the story's aliases: the names whose glued forms are cut."""
    return tuple(sorted({form for alias in aliases.values() for form in alias.forms}))


def component_cfg(aliases: Mapping[str, Alias], scorer: Scorer | None, threshold: float,
                  units: Mapping[str, str]) -> dict[str, dict[str, Any]]:
    """`nlp.pipe`'s `component_cfg` for one call: the story's aliases and units, and the
    check-worthiness scorer (without one, no claims)."""
    return {ENTITIES_PIPE: {"aliases": aliases},
            CLAIMS_PIPE: {"scorer": scorer, "threshold": threshold if scorer else NO_CLAIMS,
                          "units": units, "forms": alias_forms(aliases)}}


def canonical_name(text: str, label: str, locative: bool, aliases: Mapping[str, Alias]) -> str:
    """The canonical name of one mention: alias table first, then a cleaned surface form.

    A metonym alias (Moscow, the Kremlin) maps to its government unless used locatively.
    """
    key = entity_key(text)
    alias = aliases.get(key)
    if alias is not None:
        return alias.place if alias.place and locative else alias.canonical
    cleaned = text.strip().replace("’", "'")
    for prefix in ("the ", "The "):
        cleaned = cleaned.removeprefix(prefix)
    return cleaned.removesuffix("'s").strip(" .,;:")


def resolve_short_names(names: Sequence[tuple[str, str]]) -> dict[str, str]:
    """Map one-word PERSON names to the full name in the same document they are part of.

    `names` are (canonical, label) pairs; "Putin" → "Vladimir Putin" when that full name
    occurs. Ambiguous short names (two full names share them) are left alone.
    """
    full = Counter(n for n, label in names if label == "PERSON" and " " in n)
    owners: dict[str, set[str]] = {}
    for name in full:
        for part in name.split():
            owners.setdefault(part, set()).add(name)
    return {short: next(iter(owners[short])) for short, label in names
            if label == "PERSON" and " " not in short and len(owners.get(short, ())) == 1}


def _is_locative(ent: Any) -> bool:
    root = ent.root
    return bool(root.dep_ == "pobj" and root.head.lower_ in LOCATIVE_PREPS)


def sentence_spans(doc: Any) -> list[Any]:
    """The document's sentences that hold more than white space."""
    return [s for s in doc.sents if s.text.strip()]


class EntityNormaliser:
    """`pactwatch.entities.v1`: sentences and canonical entity mentions on `doc._.pactwatch`
    (claims empty), and the canonical name of each entity token for the claims component."""

    def __call__(self, doc: Any, aliases: Mapping[str, Alias] | None = None) -> Any:
        spans = sentence_spans(doc)
        sent_of = {s.start: i for i, s in enumerate(spans)}
        sentences = tuple(Sentence(i, s.start_char, s.end_char, s.text.strip())
                          for i, s in enumerate(spans))
        raw = [(ent, canonical_name(ent.text, ent.label_, _is_locative(ent), aliases or {}))
               for ent in doc.ents if ent.label_ in NAMED and ent.text.strip()]
        short = resolve_short_names([(name, ent.label_) for ent, name in raw])
        mentions = tuple(
            Mention(sent_of.get(ent.sent.start, -1), ent.start_char, ent.end_char, ent.text,
                    ent.label_, short.get(name, name))
            for ent, name in raw if ent.sent.start in sent_of)
        doc.user_data["pactwatch_canonical"] = {t.i: short.get(name, name)
                                                for ent, name in raw for t in ent}
        doc._.set(EXTENSION, DocAnalysis(sentences, mentions))
        return doc

    def pipe(self, docs: Iterable[Any], batch_size: int = 16,
             aliases: Mapping[str, Alias] | None = None) -> Iterator[Any]:
        for doc in docs:
            yield self(doc, aliases)


class ClaimExtractor:
    """`pactwatch.claims.v2`: the claims of each sentence (after `pactwatch.entities.v1`),
    check-worthiness scored for all sentences of a batch of documents in one call."""

    def __call__(self, doc: Any, scorer: Scorer | None = None, threshold: float = NO_CLAIMS,
                 units: Mapping[str, str] | None = None, forms: tuple[str, ...] = ()) -> Any:
        return next(self.pipe([doc], 1, scorer, threshold, units, forms))

    def pipe(self, docs: Iterable[Any], batch_size: int = 16, scorer: Scorer | None = None,
             threshold: float = NO_CLAIMS, units: Mapping[str, str] | None = None,
             forms: tuple[str, ...] = ()) -> Iterator[Any]:
        """`forms`: the story's names, put back spaced where a scraper glued them (what
        the scorer reads and claims show; extractors/glue.py)."""
        batch: list[Any] = []
        for doc in docs:
            batch.append(doc)
            if len(batch) >= batch_size:
                yield from self._batch(batch, scorer, threshold, units or {}, forms)
                batch = []
        yield from self._batch(batch, scorer, threshold, units or {}, forms)

    def _batch(self, docs: list[Any], scorer: Scorer | None, threshold: float,
               units: Mapping[str, str], forms: tuple[str, ...]) -> list[Any]:
        per_doc = [sentence_spans(d) for d in docs]
        points = [split_points(d.text, forms) for d in docs]
        flat = [spaced(s.text, s.start_char, p).strip()
                for spans, p in zip(per_doc, points, strict=True) for s in spans]
        scores = list(scorer(flat)) if scorer is not None and flat else [0.0] * len(flat)
        at = 0
        for doc, spans, p in zip(docs, per_doc, points, strict=True):
            mine = scores[at:at + len(spans)]
            at += len(spans)
            canonical = doc.user_data.pop("pactwatch_canonical", {})
            claims = tuple(c for i, s in enumerate(spans) if (c := extract(
                s, i, canonical, mine[i], threshold, units)) is not None)
            if p:  # a reader (and claim matching) sees the glued names spaced
                claims = tuple(_spaced(c, spans[c.sentence_idx], p) for c in claims)
            found: DocAnalysis = doc._.get(EXTENSION)
            doc._.set(EXTENSION, DocAnalysis(found.sentences, found.mentions, claims,
                                             tuple(float(x) for x in mine)))
        return docs


def _spaced(c: Claim, sent: Any, points: list[int]) -> Claim:
    lead = len(sent.text) - len(sent.text.lstrip())
    return replace(c, sentence=spaced(c.sentence, sent.start_char + lead, points),
                   claim_text=spaced(c.claim_text, c.start_char, points))


def register() -> None:
    """Register the components and the `doc._.pactwatch` extension with spaCy (once)."""
    from spacy.language import Language
    from spacy.tokens import Doc

    if not Doc.has_extension(EXTENSION):
        Doc.set_extension(EXTENSION, default=None)
    if ENTITIES_PIPE not in Language.factories:
        Language.factory(ENTITIES_PIPE, func=lambda nlp, name: EntityNormaliser())
    if CLAIMS_PIPE not in Language.factories:
        Language.factory(CLAIMS_PIPE, func=lambda nlp, name: ClaimExtractor())
