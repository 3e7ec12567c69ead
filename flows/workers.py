"""The per-article work of a pass, and the worker processes that do it.

A fetched page becomes a judged version (trafilatura, language, relevance), then, when it is
relevant and new, a parsed one (spaCy), its claims (check-worthiness, claim extraction), its
framing (sentence readings by MiniLM, lexicons) and its claims' vectors (MiniLM). All of
that is per article and CPU-bound: a pass with pages enough runs it in one pool of worker
processes (`PassPool`) started once for the pass, each worker loading the models once; the
flow's process only fetches (threads) and loads. The workers come from a `forkserver` (a fresh
single-threaded process forks them), never from the threaded flow process: a fork taken
while another thread holds a lock can leave the child deadlocked.

Memory stays flat however long the pass: workers return each chunk's results as soon as it
is done (the flow loads them batch by batch), and the whole pool is replaced after
`DOCS_PER_WORKER` pages a worker, so spaCy's vocabulary and string store (which grow with
every new token) and any other per-process cache start again empty.
"""

from __future__ import annotations

import multiprocessing
import os
import resource
import threading
from collections.abc import Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from extractors import checkworthy, framing, nlp
from extractors.embeddings import shared_encoder
from extractors.framing import Framing
from extractors.story import Story
from flows.framing_step import frame_model, framing_votes
from flows.pagework import Fetched, PageResult
from flows.rows import VersionInput

CHUNK = 8              # pages per job sent to a worker: one nlp.pipe, one encoding
DOCS_PER_WORKER = 500  # pages a worker handles before the pool is replaced (vocabulary)
MIN_PAGES_PER_PROCESS = 8  # a smaller pass runs in the flow's process: starting costs more
PRELOAD = ["flows.workers", "spacy", "trafilatura"]


@dataclass(frozen=True)
class WorkSpec:
    """What the workers load: the spaCy model, whether framing reads embeddings, and the
    story (its framing and tone prototypes are encoded when a worker starts)."""

    model: str
    embeddings: bool
    story: Story
    model_dir: Path | None = None


@dataclass(frozen=True)
class Analysis:
    """A relevant version, parsed: sentences, mentions and claims, its framing, and one unit
    vector per claim (in the order of `doc.claims`)."""

    nlp_method: str
    doc: nlp.DocAnalysis
    framing: Framing
    claim_vectors: np.ndarray


@dataclass(frozen=True)
class PageWork:
    """One page's result, and its analysis when it is a relevant new version."""

    result: PageResult
    analysis: Analysis | None = None


def needs_analysis(r: PageResult) -> bool:
    """A relevant version that is new or changed (the others load as they are)."""
    return r.version is not None and r.version.relevance.relevant and \
        r.outcome in ("new", "updated")


def work(items: list[Fetched | PageResult], story: Story, spec: WorkSpec) -> list[PageWork]:
    """Extract the fetched pages, then analyse every relevant new version among them: one
    nlp.pipe, one check-worthiness pass and one encoding for the whole list."""
    results = [i.extract(story) if isinstance(i, Fetched) else i for i in items]
    todo = [k for k, r in enumerate(results) if needs_analysis(r)]
    analyses = analyse_versions([results[k].version for k in todo  # type: ignore[misc]
                                 ], story, spec)
    out = [PageWork(r) for r in results]
    for k, a in zip(todo, analyses, strict=True):
        out[k] = PageWork(results[k], a)
    return out


def analyse_versions(versions: list[VersionInput], story: Story, spec: WorkSpec
                     ) -> list[Analysis]:
    """Parse, extract claims, frame and encode the claims of `versions` (models loaded once
    per process)."""
    if not versions:
        return []
    pipeline = nlp.load_model(spec.model)
    scorer = checkworthy.default_model()
    docs = nlp.analyse(pipeline, [v.extracted.text for v in versions], story.alias_index(),
                       scorer.scores, scorer.threshold, units=story.matching.units)
    sentences = [[s.text for s in d.sentences] for d in docs]
    votes = framing_votes(sentences, spec.embeddings, story, spec.model_dir)
    texts = [c.claim_text for d in docs for c in d.claims]
    vectors = shared_encoder(spec.model_dir).encode(texts) if texts else \
        np.zeros((0, 0), dtype=np.float32)
    method, out, at = nlp.model_version(pipeline), [], 0
    for doc, said, voted in zip(docs, sentences, votes, strict=True):
        n = len(doc.claims)
        out.append(Analysis(method, doc, framing.analyse(said, voted, story=story),
                            vectors[at:at + n]))
        at += n
    return out


def _start_worker(spec: WorkSpec, blas_threads: int) -> None:
    """In a new worker: its share of the cores for BLAS and for ONNX Runtime (two workers
    with two encoder threads each on two cores spin against each other), and every model
    loaded before the first page arrives."""
    from threadpoolctl import threadpool_limits

    from extractors.embeddings import use_threads

    threadpool_limits(blas_threads)
    use_threads(blas_threads)
    nlp.load_model(spec.model)
    checkworthy.default_model()
    if spec.embeddings:
        frame_model(spec.model_dir, spec.story)
    else:
        shared_encoder(spec.model_dir)
    import trafilatura  # noqa: F401  (imported now, not on the first page)


def _encode(texts: list[str], spec: WorkSpec) -> np.ndarray:
    """In a worker: the unit vectors of `texts`."""
    return shared_encoder(spec.model_dir).encode(texts)


def _ready() -> None:
    """A no-op job: submitting one per worker starts them all at once."""


def _work_chunk(items: list[Fetched | PageResult], story: Story, spec: WorkSpec
                ) -> tuple[list[PageWork], float]:
    """In a worker: `work`, and this worker's peak RSS so far (MB)."""
    done = work(items, story, spec)
    return done, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


@dataclass
class PoolStats:
    pages: int = 0
    recycled: int = 0
    peak_worker_rss_mb: float = 0.0
    starts: list[float] = field(default_factory=list)


class PassPool:
    """`processes` worker processes for one pass, replaced after DOCS_PER_WORKER pages each."""

    def __init__(self, spec: WorkSpec, processes: int, docs_per_worker: int | None = None
                 ) -> None:
        self.spec, self.processes = spec, processes
        self.recycle_after = (docs_per_worker or DOCS_PER_WORKER) * processes
        self.stats = PoolStats()
        self._lock = threading.Lock()
        self._submitted = 0
        self._executor = self._start()

    def _start(self) -> ProcessPoolExecutor:
        context = multiprocessing.get_context("forkserver")
        context.set_forkserver_preload(PRELOAD)
        threads = max(1, (os.cpu_count() or 1) // self.processes)
        executor = ProcessPoolExecutor(self.processes, mp_context=context,
                                       initializer=_start_worker, initargs=(self.spec, threads))
        for _ in range(self.processes):  # started now: models load while pages are fetched
            executor.submit(_ready)
        return executor

    def _submit(self, items: list[Fetched | PageResult], story: Story
                ) -> list[Future[tuple[list[PageWork], float]]]:
        with self._lock:
            if self._submitted >= self.recycle_after:
                old, self._executor, self._submitted = self._executor, self._start(), 0
                old.shutdown(wait=False)  # its workers finish what they hold, then exit
                self.stats.recycled += 1
            self._submitted += len(items)
            return [self._executor.submit(_work_chunk, items[i:i + CHUNK], story, self.spec)
                    for i in range(0, len(items), CHUNK)]

    def run(self, items: list[Fetched | PageResult], story: Story) -> list[PageWork]:
        """`work` on `items` in the workers, results in order. Raises what a worker raised;
        a crashed pool (a worker killed) is replaced for the next call and raises
        BrokenProcessPool for this one."""
        futures = self._submit(items, story)
        out: list[PageWork] = []
        try:
            for f in futures:
                done, rss = f.result()
                out.extend(done)
                self.stats.peak_worker_rss_mb = max(self.stats.peak_worker_rss_mb, rss)
        except BrokenProcessPool:
            with self._lock:
                self._executor.shutdown(wait=False, cancel_futures=True)
                self._executor, self._submitted = self._start(), 0
            raise
        self.stats.pages += len(items)
        return out

    def analyse(self, versions: list[VersionInput], story: Story) -> list[Analysis]:
        """`analyse_versions` in a worker (versions known without a fetch: seed files)."""
        with self._lock:
            future = self._executor.submit(analyse_versions, versions, story, self.spec)
        return future.result()

    def encode(self, texts: list[str]) -> np.ndarray:
        """Unit vectors of `texts` (the workers' encoder), split between the workers; rows
        in the order given. The flow's process need not load the encoder for a pass's
        matching (its clause encodings) while the workers are up."""
        share = -(-len(texts) // self.processes) or 1
        with self._lock:
            futures = [self._executor.submit(_encode, texts[i:i + share], self.spec)
                       for i in range(0, len(texts), share)]
        parts = [f.result() for f in futures]
        return np.concatenate(parts) if parts else np.zeros((0, 0), dtype=np.float32)

    def close(self) -> None:
        """Stop the workers (the pass is over)."""
        with self._lock:
            self._executor.shutdown(wait=True, cancel_futures=True)


_POOLS: dict[str, PassPool] = {}
_LOCAL = threading.Lock()  # in this process, one batch at a time goes through spaCy


@contextmanager
def pass_pool(run_id: str, spec: WorkSpec, processes: int, pages: int
              ) -> Iterator[PassPool | None]:
    """The pass's worker pool while the pass runs (None when the pass is too small for
    worker processes, or runs where none may be started), stopped at the end."""
    if processes <= 1 or pages < MIN_PAGES_PER_PROCESS * processes or \
            multiprocessing.current_process().daemon:
        yield None
        return
    pool = PassPool(spec, processes)
    _POOLS[run_id] = pool
    try:
        yield pool
    finally:
        _POOLS.pop(run_id, None)
        pool.close()


def running_pool(run_id: str) -> PassPool | None:
    """The pass's worker pool in this process, if it has one."""
    return _POOLS.get(run_id)


def process_pages(run_id: str, items: list[Fetched | PageResult], story: Story,
                  spec: WorkSpec) -> list[PageWork]:
    """`work` on a batch's pages, in the pass's workers (in this process when it has none);
    pages with nothing left to do are passed through. Results in the order given."""
    todo = [k for k, it in enumerate(items) if isinstance(it, Fetched) or needs_analysis(it)]
    out = [PageWork(it) if isinstance(it, PageResult) else None for it in items]
    pool = running_pool(run_id)
    chosen = [items[k] for k in todo]
    if pool is not None:
        done = pool.run(chosen, story)
    else:
        with _LOCAL:
            done = work(chosen, story, spec)
    for k, w in zip(todo, done, strict=True):
        out[k] = w
    return [w for w in out if w is not None]
