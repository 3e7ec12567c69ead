"""NLP with spaCy, batched: sentences and named entities normalised to canonical names."""

from __future__ import annotations

import functools
import multiprocessing
import threading
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, replace
from typing import Any

from extractors.claims import Claim, extract
from extractors.glue import make_doc, spaced, split_points
from extractors.story import Alias, entity_key

COMPONENT = "pactwatch.entities.v2"  # v2: glued names of the story cut off before parsing
NAMED = frozenset({"PERSON", "NORP", "FAC", "ORG", "GPE", "LOC", "PRODUCT", "EVENT",
                   "WORK_OF_ART", "LAW", "LANGUAGE"})
LOCATIVE_PREPS = frozenset({"in", "to", "from", "near", "at", "into", "outside", "across",
                            "around", "inside", "via", "toward", "towards"})
MAX_CHARS = 200_000
MODEL_NAME_KEY = "pactwatch_model_name"


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


Scorer = Callable[[Sequence[str]], Any]


def _paragraph_starts(doc: Any) -> Any:
    """Start a sentence after every line break: headings and captions stand alone."""
    for token in doc[1:]:
        if "\n" in doc[token.i - 1].text or "\n" in doc[token.i - 1].whitespace_:
            token.is_sent_start = True
    return doc


@functools.cache
def load_model(name: str) -> Any:
    """Load a spaCy pipeline once per process (lazily: never at import).

    Adds the `pactwatch_paragraphs` component before the parser so that a line break
    always ends a sentence.
    """
    import spacy
    from spacy.language import Language

    if "pactwatch_paragraphs" not in Language.factories:
        Language.component("pactwatch_paragraphs", func=_paragraph_starts)
    nlp = spacy.load(name)
    nlp.add_pipe("pactwatch_paragraphs", before="parser")
    nlp.meta[MODEL_NAME_KEY] = name  # what a worker process loads to parse for it
    return nlp


def model_version(nlp: Any) -> str:
    """`spacy X / model Y / component` for recording on every output row."""
    from spacy import about

    meta = nlp.meta
    model = f"{meta['lang']}_{meta['name']} {meta['version']}"
    return f"spacy {about.__version__}; {model}; {COMPONENT}"


def canonical_name(text: str, label: str, locative: bool, aliases: dict[str, Alias]) -> str:
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


def _lead(text: str) -> int:
    """How many characters of leading whitespace `text` has."""
    return len(text) - len(text.lstrip())


def _sentences(doc: Any) -> list[Any]:
    return [s for s in doc.sents if s.text.strip()]


def _forms(aliases: dict[str, Alias]) -> tuple[str, ...]:
    """Every surface form of the story's aliases: the names whose glued forms are cut."""
    return tuple(sorted({form for alias in aliases.values() for form in alias.forms}))


def _analyse_doc(doc: Any, aliases: dict[str, Alias], scores: Sequence[float],
                 threshold: float, units: Mapping[str, str]) -> DocAnalysis:
    spans = _sentences(doc)
    points = split_points(doc.text, _forms(aliases))
    sent_of = {s.start: i for i, s in enumerate(spans)}
    sentences = tuple(Sentence(i, s.start_char, s.end_char, s.text.strip())
                      for i, s in enumerate(spans))
    raw = [(ent, canonical_name(ent.text, ent.label_, _is_locative(ent), aliases))
           for ent in doc.ents if ent.label_ in NAMED and ent.text.strip()]
    short = resolve_short_names([(name, ent.label_) for ent, name in raw])
    mentions = tuple(
        Mention(sent_of.get(ent.sent.start, -1), ent.start_char, ent.end_char, ent.text,
                ent.label_, short.get(name, name))
        for ent, name in raw if ent.sent.start in sent_of)
    canonical = {t.i: short.get(name, name) for ent, name in raw for t in ent}
    claims = tuple(c for i, s in enumerate(spans)
                   if (c := extract(s, i, canonical, scores[i], threshold, units)) is not None)
    if points:  # a reader (and claim matching) sees the glued names spaced
        claims = tuple(replace(c, sentence=spaced(c.sentence, spans[c.sentence_idx].start_char
                                                  + _lead(spans[c.sentence_idx].text), points),
                               claim_text=spaced(c.claim_text, c.start_char, points))
                       for c in claims)
    return DocAnalysis(sentences, mentions, claims, tuple(float(x) for x in scores))


MIN_TEXTS_PER_PROCESS = 8  # below this, starting worker processes costs more than it saves


def analyse(nlp: Any, texts: Iterable[str], aliases: dict[str, Alias],
            scorer: Scorer | None = None, threshold: float = 0.5,
            batch_size: int = 16, processes: int = 1, *,
            units: Mapping[str, str]) -> list[DocAnalysis]:
    """Run the pipeline over `texts` with nlp.pipe; one DocAnalysis per text, in order.

    `scorer` gives check-worthiness scores for sentences, all sentences of the batch in
    one call; without it no claims are extracted. `processes` > 1 parses in that many
    worker processes (see `_parse`) when the batch is big enough. `units` folds the nouns
    that claims' numbers count into the story's classes (`MatchingWords.units`).
    """
    clipped = [t[:MAX_CHARS] for t in texts]
    n_process = processes if len(clipped) >= MIN_TEXTS_PER_PROCESS * processes else 1
    if multiprocessing.current_process().daemon:  # a Dask worker: no child processes
        n_process = 1
    forms = _forms(aliases)
    docs = _parse(nlp, clipped, batch_size, n_process, forms)
    per_doc = [_sentences(d) for d in docs]
    flat = [spaced(s.text, s.start_char, split_points(d.text, forms)).strip()
            for d, spans in zip(docs, per_doc, strict=True) for s in spans]
    scores = list(scorer(flat)) if scorer is not None and flat else [0.0] * len(flat)
    out, at = [], 0
    for doc, spans in zip(docs, per_doc, strict=True):
        mine = scores[at:at + len(spans)]
        at += len(spans)
        out.append(_analyse_doc(doc, aliases, mine, threshold if scorer else 2.0, units))
    return out


# Worker processes, one pool per process, started once. spaCy's own `n_process` forks this
# process, and forking a process whose other threads (Prefect's, the HTTP pool's) may hold
# locks can deadlock the child; a forkserver is a fresh single-threaded process that forks
# the workers instead. Each worker loads the model once and parses for every later batch.
_pool_guard = threading.Lock()
_pool: tuple[tuple[str, int], ProcessPoolExecutor] | None = None


def _worker_pool(model: str, processes: int) -> ProcessPoolExecutor:
    """The pool of `processes` parsers of `model` (a new one when either changed)."""
    global _pool
    with _pool_guard:
        if _pool is None or _pool[0] != (model, processes):
            if _pool is not None:
                _pool[1].shutdown(wait=False, cancel_futures=True)
            context = multiprocessing.get_context("forkserver")
            context.set_forkserver_preload(["extractors.nlp", "spacy"])
            _pool = ((model, processes), ProcessPoolExecutor(
                processes, mp_context=context, initializer=load_model, initargs=(model,)))
        return _pool[1]


def _parse_chunk(model: str, texts: list[str], batch_size: int,
                 forms: tuple[str, ...] = ()) -> list[bytes]:
    """In a worker: parse `texts`, return each Doc serialised (as spaCy's workers do)."""
    nlp = load_model(model)
    return [doc.to_bytes() for doc in _pipe(nlp, texts, batch_size, forms)]


def _pipe(nlp: Any, texts: list[str], batch_size: int, forms: tuple[str, ...]) -> Any:
    """nlp.pipe over `texts`, tokenised with the glued `forms` cut off (extractors.glue)."""
    return nlp.pipe((make_doc(nlp, t, forms) for t in texts), batch_size=batch_size)


def _parse(nlp: Any, texts: list[str], batch_size: int, processes: int,
           forms: tuple[str, ...] = ()) -> list[Any]:
    """spaCy Docs of `texts`, in order: here, or in `processes` forkserver workers (only for
    a pipeline from `load_model`, whose name the workers can load). Raises what the
    workers raise; a crashed worker pool is replaced on the next call."""
    global _pool
    model = nlp.meta.get(MODEL_NAME_KEY)
    if processes <= 1 or model is None:
        return list(_pipe(nlp, texts, batch_size, forms))
    from spacy.tokens import Doc

    size = -(-len(texts) // processes)
    pool = _worker_pool(model, processes)
    try:
        futures = [pool.submit(_parse_chunk, model, texts[i:i + size], batch_size, forms)
                   for i in range(0, len(texts), size)]
        return [Doc(nlp.vocab).from_bytes(b) for f in futures for b in f.result()]
    except BrokenProcessPool:
        with _pool_guard:
            _pool = None
        raise
