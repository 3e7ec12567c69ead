"""The `monitor` flow: poll → fetch and extract → analyse → load → publish."""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from prefect import flow, get_run_logger, runtime, unmapped

from extractors import neardup
from extractors.articles import Extracted
from extractors.relevance import assess
from extractors.urls import url_id
from flows import artifacts, history_tasks, progress, tasks, workers
from flows.claims import claim_rows, vector_rows
from flows.config import Settings, load_settings
from flows.framing_step import check_framing_model, version_framing
from flows.pages import batches, obey_robots, plan, resumed, window
from flows.rows import (
    VersionInput,
    article_rows,
    entry_row,
    failure_row,
    fetch_row,
    link_row,
    nlp_rows,
)
from flows.schedule import due_feeds, schedule_rows
from flows.tasks import as_is
from warehouse.db import open_warehouse, publish_snapshot, utcnow
from warehouse.load import Batch
from warehouse.lock import WarehouseBusy, writer_lock
from warehouse.schemas import ArticleSignatureRow, FeedRow, run_counters
from warehouse.seedfiles import seed_articles
from warehouse.state import (
    FeedTiming,
    feed_timing,
    feed_validators,
    finish_run,
    seeds_loaded,
    start_run,
    url_states,
)


@dataclass
class RunSummary:
    """What a pass did; printed by the CLI and stored on the `runs` row."""

    run_id: str
    status: str = "running"
    skip_reason: str = ""
    # the counters are the INTEGER columns of `runs` (warehouse.schemas.RunRow)
    counts: dict[str, int] = field(default_factory=lambda: dict.fromkeys(run_counters(), 0))
    failures: list[tuple[str, str, str]] = field(default_factory=list)
    seeds_loaded: int = 0
    claims: dict[str, int] = field(default_factory=dict)
    framing: dict[str, int] = field(default_factory=dict)
    elapsed_s: float = 0.0
    snapshot: str = ""
    workers: dict[str, int] = field(default_factory=dict)  # the pass's worker processes

    def bump(self, key: str, n: int = 1) -> None:
        """Add `n` to a counter. Raises KeyError for a key that is not a `runs` counter."""
        self.counts[key] += n


def _feed_batch(run_id: str, polls: list[tasks.FeedPoll], summary: RunSummary) -> Batch:
    batch = Batch()
    for p in polls:
        fid = url_id(p.feed.url)
        batch.add(FeedRow(feed_id=fid, url=p.feed.url, name=p.feed.name,
                          first_seen_at=p.requested_at.replace(tzinfo=None)))
        batch.add(fetch_row(run_id, "feed", p.feed.url, p.requested_at, fid, p.response,
                            p.error))
        summary.bump("feeds_polled")
        if p.error:
            summary.bump("feeds_failed")
            summary.failures.append((p.feed.url, "feed", str(p.error)))
            batch.add(failure_row(run_id, "feed", p.feed.url, p.error))
        elif p.parsed is None:
            summary.bump("feeds_not_modified")
        else:
            batch.add(*(entry_row(run_id, fid, e, p.requested_at) for e in p.parsed.entries))
            if p.parsed.bozo_reason:
                batch.add(failure_row(
                    run_id, "feed", p.feed.url, f"malformed feed, {len(p.parsed.entries)} "
                    f"entries recovered: {p.parsed.bozo_reason}", "warning"))
    return batch


def _seed_versions(settings: Settings, loaded: set[str]) -> list[VersionInput]:
    out = []
    now = datetime.now(UTC)
    for s in seed_articles():
        if s.url in loaded:
            continue
        ex = Extracted(s.title, s.author, s.published_at, s.outlet, "en", s.text, "seed file")
        language, relevance = assess(settings.story, s.title, s.text)
        out.append(VersionInput(s.url, s.url, s.outlet, None, True, now, s.published_at, ex,
                                relevance, language))
    return out


def work_spec(settings: Settings) -> workers.WorkSpec:
    """What the pass's workers load, from the settings."""
    return workers.WorkSpec(settings.spacy_model, settings.framing.embeddings,
                            settings.story, settings.framing.model_dir)


def _load_versions(settings: Settings, run_id: str, versions: list[VersionInput],
                   batch: Batch, analysed: dict[str, workers.Analysis] | None = None) -> None:
    """Add all rows of `versions` to `batch`: analysis (`analysed`, by version id; made here
    when not given), claims and their vectors, framing."""
    if analysed is None:
        relevant = [v for v in versions if v.relevance.relevant]
        analysed = dict(zip([v.version_id for v in relevant],
                            _analyse(settings, run_id, relevant), strict=True))
    labels = {a.canonical: a.label for a in settings.story.aliases}
    for v in versions:
        a = analysed.get(v.version_id)
        article, version = article_rows(run_id, v, a.nlp_method if a else None)
        batch.add(article, version)
        if not v.is_seed:
            batch.add(link_row(run_id, v))
        batch.add(ArticleSignatureRow(
            version_id=v.version_id, article_id=v.article_id, run_id=run_id,
            signature=neardup.signature(f"{v.extracted.title}\n{v.extracted.text}"),
            method=neardup.METHOD))
        if a is not None:
            _analysis_rows(run_id, v, a, labels, batch)


def _analyse(settings: Settings, run_id: str, versions: list[VersionInput]
             ) -> list[workers.Analysis]:
    """Analyses of versions known without a fetch (seeds): in the pass's workers when it
    has them, else in a task (submitted, not called: on a Dask runner it runs there)."""
    if not versions:
        return []
    pool = workers.running_pool(run_id)
    if pool is not None:
        return pool.analyse(versions, settings.story)
    return list(tasks.analyse_versions.submit(as_is(versions), as_is(settings.story),
                                              as_is(work_spec(settings))).result())


def _analysis_rows(run_id: str, v: VersionInput, a: workers.Analysis,
                   labels: dict[str, str], batch: Batch) -> None:
    sentences, entities, mentions = nlp_rows(v, a.doc, a.nlp_method, labels)
    batch.add(*sentences, *entities, *mentions)
    claims = claim_rows(run_id, v, a.doc.claims, a.nlp_method)
    batch.add(*claims)
    batch.add(*vector_rows([c.claim_id for c in claims], a.claim_vectors))
    batch.extend(version_framing(run_id, v.version_id, v.article_id, a.framing))


def _page_batch(run_id: str, results: list[tasks.PageResult], summary: RunSummary
                ) -> tuple[Batch, list[VersionInput]]:
    batch, versions, seen = Batch(), [], set()
    for r in results:
        url = r.job.entry.canonical_url
        batch.add(fetch_row(run_id, "page", url, r.requested_at, None, r.response,
                            r.error or r.page_error))
        outcome = r.outcome
        if r.version and r.version.version_id in seen:  # a link the page's canonical
            batch.add(link_row(run_id, r.version))  # made one with another
            summary.bump("articles_unchanged")
            continue
        summary.bump(f"articles_{outcome}")
        if r.error:
            summary.failures.append((url, r.stage, str(r.error)))
            batch.add(failure_row(run_id, r.stage, url, r.error))
        elif outcome in ("new", "updated") and r.version:
            seen.add(r.version.version_id)
            versions.append(r.version)
            if r.version.extracted.note:
                batch.add(failure_row(run_id, "extract", url, r.version.extracted.note,
                                      "warning"))
    return batch, versions


def _batch_failed(wh: str, summary: RunSummary, i: int, jobs: list[tasks.PageJob],
                  exc: Exception, log: Any) -> None:
    reason = (f"batch {i} ({len(jobs)} pages) failed after its retries: "
              f"{exc.__class__.__name__}: {exc}; its pages are retried next pass")
    log.error(reason)
    summary.bump("articles_failed", len(jobs))
    summary.failures.append((jobs[0].entry.canonical_url, "batch", reason))
    batch = Batch()
    batch.add(*(failure_row(summary.run_id, "batch", j.entry.canonical_url, reason,
                            "transient") for j in jobs))
    tasks.load(wh, as_is(batch))


def with_runner(settings: Settings) -> Any:
    """The monitor flow with the task runner the config asks for: threads (default), or a
    DaskTaskRunner on `[run].dask_address` (a local cluster when empty). Loads stay in the
    flow's process: the warehouse has one writer."""
    if settings.task_runner != "dask":
        return monitor
    from prefect_dask.task_runners import DaskTaskRunner

    runner = (DaskTaskRunner(address=settings.dask_address) if settings.dask_address else
              DaskTaskRunner(cluster_kwargs={"n_workers": settings.nlp_processes,
                                             "threads_per_worker": 2}))
    return monitor.with_options(task_runner=runner)  # type: ignore[arg-type]


@flow(name="monitor", log_prints=True)
def monitor(config_path: str, note: str | None = None, force: bool = False) -> RunSummary:
    """One monitoring pass over the feeds that are due (all of them with `force`).

    One writer at a time: a pass that finds another one writing waits up to
    `[run].wait_for_lock_seconds`, then skips with the reason logged (status `skipped`).
    """
    started = time.monotonic()
    settings = load_settings(config_path)
    check_framing_model(settings)
    log = get_run_logger()
    summary = RunSummary(run_id=uuid.uuid4().hex[:16])
    try:
        with writer_lock(settings.warehouse_path, settings.wait_for_lock_s):
            _locked_pass(settings, summary, note, force, log)
    except WarehouseBusy as exc:
        summary.status = "skipped"
        summary.skip_reason = str(exc)
        log.warning("pass skipped: %s", exc)
    if summary.status == "completed" and settings.email and settings.email.send_after_monitor:
        from flows.digest.flow import digest

        digest(config_path)
    summary.elapsed_s = time.monotonic() - started
    artifacts.publish(summary, log)  # on the run's page in the Prefect UI
    log.info("pass %s: %s in %.1fs; snapshot %s", summary.status, summary.counts,
             summary.elapsed_s, summary.snapshot)
    return summary


def _locked_pass(settings: Settings, summary: RunSummary, note: str | None, force: bool,
                 log: Any) -> None:
    wh = str(settings.warehouse_path)
    with open_warehouse(wh, settings.wait_for_lock_s) as con:
        start_run(con, summary.run_id, runtime.flow_run.id, str(settings.config_path), note)
        validators = feed_validators(con)
        timing = feed_timing(con)
        seeds = _seed_versions(settings, seeds_loaded(con))
    complete(settings, summary,
             lambda: _pass(settings, summary, validators, timing, seeds, force, log))


def complete(settings: Settings, summary: RunSummary, work: Callable[[], None]) -> None:
    """Run `work` for a started run; record it `completed` (and publish the snapshot) or
    `failed` (and re-raise)."""
    wh = str(settings.warehouse_path)
    try:
        work()
    except BaseException:
        with open_warehouse(wh, settings.wait_for_lock_s) as con:
            finish_run(con, summary.run_id, "failed", summary.counts)
        raise
    with open_warehouse(wh, settings.wait_for_lock_s) as con:
        finish_run(con, summary.run_id, "completed", summary.counts)
    summary.status = "completed"
    summary.snapshot = str(publish_snapshot(wh))


def _one_batch(settings: Settings, summary: RunSummary, i: int,
               chunks: list[list[tasks.PageJob]], future: Any, bar: progress.Pages,
               log: Any) -> None:
    """Load batch `i` (1-based) once its pages are fetched and worked on; a failure is
    recorded and the pass goes on."""
    wh, jobs = str(settings.warehouse_path), chunks[i - 1]
    try:
        done: list[workers.PageWork] = future.result()
        bar.advance("fetched", len(jobs))
        batch, versions = _page_batch(summary.run_id, [w.result for w in done], summary)
        analysed = {w.result.version.version_id: w.analysis for w in done
                    if w.analysis is not None and w.result.version is not None}
        del done  # the pages' results are rows now; nothing of the batch outlives its load
        _load_versions(settings, summary.run_id, versions, batch, analysed)
        bar.advance("analysed", len(jobs))
    except Exception as exc:  # one broken batch must not sink the pass: record, go on
        _batch_failed(wh, summary, i, jobs, exc, log)
        bar.finish(len(jobs))
        return
    added = tasks.load(wh, as_is(batch))
    bar.advance("loaded", len(jobs))
    log.info("batch %d/%d: %d pages, %d new versions; rows added %s", i, len(chunks),
             len(jobs), len(versions), added)


def _fetch_pages(settings: Settings, summary: RunSummary, jobs: list[tasks.PageJob],
                 limits: tasks.PassLimits, pool: workers.PassPool | None, log: Any) -> None:
    """Fetch the pages batch by batch (three ahead), worked on by the pass's workers, and
    load each batch as it comes."""
    chunks = batches(jobs, settings.batch_size)
    spec = work_spec(settings)
    with progress.pages(len(jobs), log, min_pages=settings.batch_size + 1) as bar:
        for i, future in enumerate(window(chunks, lambda c: tasks.fetch_and_process.submit(
                as_is(c), settings.fetch, as_is(settings.story), limits, as_is(spec))), 1):
            _one_batch(settings, summary, i, chunks, future, bar, log)
    if pool is not None:
        s = pool.stats
        summary.workers = {"processes": pool.processes, "pages": s.pages,
                           "recycled": s.recycled, "peak_rss_mb": round(s.peak_worker_rss_mb)}
        log.info("worker processes: %s", summary.workers)


def _pass(settings: Settings, summary: RunSummary, validators: dict[str, Any],
          timing: dict[str, FeedTiming], seeds: list[VersionInput], force: bool,
          log: Any) -> None:
    wh = str(settings.warehouse_path)
    limits = tasks.PassLimits.of(summary.run_id, settings)
    feed_batch, jobs = _plan_pages(settings, summary, validators, timing, force, limits, log)
    # the pass's worker processes start now (when there are pages enough), and load their
    # models while robots.txt, seeds and feeds are dealt with
    processes = 1 if settings.task_runner == "dask" else settings.nlp_processes
    with workers.pass_pool(summary.run_id, work_spec(settings), processes, len(jobs)) as pool:
        if settings.obey_robots and jobs:
            jobs = obey_robots(wh, settings, jobs, limits, feed_batch, log)
        if seeds:
            _load_seeds(settings, summary, seeds, feed_batch, log)
        tasks.load(wh, as_is(feed_batch))
        del feed_batch
        log.info("%d pages to fetch, %d known and unchanged", len(jobs),
                 summary.counts["articles_skipped"])
        if not jobs and not seeds:
            log.info("no new entries: nothing to fetch or analyse")
        _fetch_pages(settings, summary, jobs, limits, pool, log)
        # the end steps run while the workers are up: matching has them encode for it
        _judge_pass(settings, summary, log)


def _judge_pass(settings: Settings, summary: RunSummary, log: Any) -> None:
    """The steps that judge the pass against the history: near-duplicates, framing
    changes, claims."""
    wh = str(settings.warehouse_path)
    copies = history_tasks.link_duplicates(wh, summary.run_id, settings.dedup_threshold)
    if copies:
        log.info("%d near-duplicate articles linked to their originals", copies)
    summary.framing = history_tasks.frame_articles(wh, summary.run_id, settings.framing,
                                                   as_is(settings.story))
    log.info("framing: %s", summary.framing)
    flagged = history_tasks.flag_claims(wh, summary.run_id, as_is(settings.story),
                                        settings.framing.model_dir)
    summary.claims = flagged
    log.info("claims judged: %s", flagged or "none new")


def _plan_pages(settings: Settings, summary: RunSummary, validators: dict[str, Any],
                timing: dict[str, FeedTiming], force: bool, limits: tasks.PassLimits,
                log: Any) -> tuple[Batch, list[tasks.PageJob]]:
    """Poll the feeds that are due; their rows, and the pages to fetch."""
    wh = str(settings.warehouse_path)
    due, later = due_feeds(settings.feeds, timing, utcnow(), force)
    summary.bump("feeds_not_due", len(later))
    polls = tasks.poll_feed.map(due, unmapped(settings.fetch),
                                [validators.get(f.url) for f in due],
                                unmapped(limits)).result() if due else []
    feed_batch = _feed_batch(summary.run_id, polls, summary)
    log.info("polled %d feeds (%d not due yet): %d changed, %d not modified, %d failed",
             len(polls), len(later),
             len(polls) - summary.counts["feeds_not_modified"] - summary.counts["feeds_failed"],
             summary.counts["feeds_not_modified"], summary.counts["feeds_failed"])
    urls = {e.canonical_url for p in polls if p.parsed for e in p.parsed.entries}
    with open_warehouse(wh, settings.wait_for_lock_s) as con:
        states = url_states(con, urls)
    feed_batch.add(*schedule_rows(summary.run_id, polls, states, timing, settings.cadence))
    jobs = plan(polls, states, summary)
    jobs += resumed(wh, settings, {j.entry.canonical_url for j in jobs}, log)
    return feed_batch, jobs


def _load_seeds(settings: Settings, summary: RunSummary, seeds: list[VersionInput],
                feed_batch: Batch, log: Any) -> None:
    """The seed articles' rows into `feed_batch`; a failure is recorded (retried next
    pass) and the feeds go on."""
    try:
        seed_batch = Batch()
        _load_versions(settings, summary.run_id, seeds, seed_batch)
        feed_batch.extend(seed_batch)
        summary.seeds_loaded = len(seeds)
    except Exception as exc:
        reason = f"seed analysis failed: {exc.__class__.__name__}: {exc}"
        log.error(reason)
        feed_batch.add(failure_row(summary.run_id, "seeds", None, reason))
