"""NLP with spaCy, batched: one `nlp.pipe` gives each text's sentences, its named entities
normalised to canonical names and its claims (pactwatch's components, registered in
extractors/components.py, run inside the pipeline), here or in forkserver workers."""

from __future__ import annotations

import functools
import multiprocessing
import threading
from collections.abc import Iterable, Mapping
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from typing import Any

from extractors.components import (
    CLAIMS_PIPE,
    ENTITIES,
    ENTITIES_PIPE,
    EXTENSION,
    Scorer,
    alias_forms,
    component_cfg,
    register,
)
from extractors.components import DocAnalysis as DocAnalysis  # re-exported: nlp's result
from extractors.glue import make_doc
from extractors.story import Alias

COMPONENT = ENTITIES
MAX_CHARS = 200_000
MODEL_NAME_KEY = "pactwatch_model_name"


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
    always ends a sentence, and pactwatch's components at the end (`pactwatch.entities.v1`,
    `pactwatch.claims.v2`: extractors/components.py).
    """
    import spacy
    from spacy.language import Language

    if "pactwatch_paragraphs" not in Language.factories:
        Language.component("pactwatch_paragraphs", func=_paragraph_starts)
    register()
    nlp = spacy.load(name)
    nlp.add_pipe("pactwatch_paragraphs", before="parser")
    nlp.add_pipe(ENTITIES_PIPE, last=True)
    nlp.add_pipe(CLAIMS_PIPE, last=True)
    nlp.meta[MODEL_NAME_KEY] = name  # what a worker process loads to parse for it
    return nlp


def model_version(nlp: Any) -> str:
    """`spacy X / model Y / component` for recording on every output row."""
    from spacy import about

    meta = nlp.meta
    model = f"{meta['lang']}_{meta['name']} {meta['version']}"
    return f"spacy {about.__version__}; {model}; {COMPONENT}"


MIN_TEXTS_PER_PROCESS = 8  # below this, starting worker processes costs more than it saves


def analyse(nlp: Any, texts: Iterable[str], aliases: dict[str, Alias],
            scorer: Scorer | None = None, threshold: float = 0.5,
            batch_size: int = 16, processes: int = 1, *,
            units: Mapping[str, str]) -> list[DocAnalysis]:
    """Run the pipeline over `texts` with nlp.pipe; one DocAnalysis per text, in order.

    `scorer` gives check-worthiness scores for sentences, all sentences of `batch_size`
    texts in one call; without it no claims are extracted. `processes` > 1 parses in that many
    worker processes (see `_parse`) when the batch is big enough. `units` folds the nouns
    that claims' numbers count into the story's classes (`MatchingWords.units`).
    """
    clipped = [t[:MAX_CHARS] for t in texts]
    n_process = processes if len(clipped) >= MIN_TEXTS_PER_PROCESS * processes else 1
    if multiprocessing.current_process().daemon:  # a Dask worker: no child processes
        n_process = 1
    return _parse(nlp, clipped, batch_size, n_process,
                  component_cfg(aliases, scorer, threshold, units), alias_forms(aliases))


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


def _pipe(nlp: Any, texts: list[str], batch_size: int, cfg: dict[str, dict[str, Any]],
          forms: tuple[str, ...]) -> list[DocAnalysis]:
    """`doc._.pactwatch` of each text, through the whole pipeline (ours included), tokenised
    with the story's glued names (`forms`) cut off (extractors/glue.py)."""
    docs = nlp.pipe((make_doc(nlp, t, forms) for t in texts), batch_size=batch_size,
                    component_cfg=cfg)
    return [doc._.get(EXTENSION) for doc in docs]


def _parse_chunk(model: str, texts: list[str], batch_size: int,
                 cfg: dict[str, dict[str, Any]], forms: tuple[str, ...]) -> list[DocAnalysis]:
    """In a worker: run the pipeline over `texts`; return what it found in each."""
    return _pipe(load_model(model), texts, batch_size, cfg, forms)


def _parse(nlp: Any, texts: list[str], batch_size: int, processes: int,
           cfg: dict[str, dict[str, Any]], forms: tuple[str, ...]) -> list[DocAnalysis]:
    """The analysis of each text, in order: here, or in `processes` forkserver workers (only
    for a pipeline from `load_model`, whose name the workers can load; `cfg` travels with
    the texts). Raises what the workers raise; a crashed worker pool is replaced on the
    next call."""
    global _pool
    model = nlp.meta.get(MODEL_NAME_KEY)
    if processes <= 1 or model is None:
        return _pipe(nlp, texts, batch_size, cfg, forms)
    size = -(-len(texts) // processes)
    pool = _worker_pool(model, processes)
    try:
        futures = [pool.submit(_parse_chunk, model, texts[i:i + size], batch_size, cfg, forms)
                   for i in range(0, len(texts), size)]
        return [a for f in futures for a in f.result()]
    except BrokenProcessPool:
        with _pool_guard:
            _pool = None
        raise
