"""The `backfill` flow: load history from WARC files or sitemaps through the same
extraction, relevance, analysis and load path as live articles."""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Iterator
from datetime import UTC, date, datetime
from itertools import islice
from typing import Any
from urllib.parse import urlsplit

from prefect import flow, get_run_logger, runtime

from extractors.archive import ArchivedPage, SitemapEntry, parse_sitemap, read_warc
from extractors.errors import PactwatchError
from extractors.feeds import FeedEntry
from extractors.http import Response, fetch_with_retries
from extractors.urls import canonical_url
from flows import history_tasks, progress, tasks
from flows.config import FeedConfig, Settings, load_settings
from flows.framing_step import check_framing_model
from flows.monitor import RunSummary, _batch_failed, _load_versions, _page_batch, complete
from flows.rows import failure_row
from flows.tasks import as_is
from warehouse.db import open_warehouse
from warehouse.load import Batch
from warehouse.lock import writer_lock
from warehouse.state import start_run, url_states

MAX_SITEMAPS = 50


def _in_range(when: datetime | None, since: date | None, until: date | None) -> bool:
    if when is None:
        return since is None and until is None
    day = when.date()
    return (since is None or day >= since) and (until is None or day <= until)


def _job(url: str, outlet: str | None, source: str, published: datetime | None = None,
         title: str = "") -> tasks.PageJob:
    canonical = canonical_url(url)
    entry = FeedEntry(url, canonical, url, title, "", published, None)
    return tasks.PageJob(entry, FeedConfig(outlet or urlsplit(canonical).hostname or "?",
                                           source), None)


def _chunks(items: Iterable[Any], size: int) -> Iterator[list[Any]]:
    it = iter(items)
    while chunk := list(islice(it, size)):
        yield chunk


def _known(settings: Settings, urls: list[str]) -> set[str]:
    with open_warehouse(settings.warehouse_path, settings.wait_for_lock_s) as con:
        return {u for u, s in url_states(con, urls).items() if s.article_id}


def _process(settings: Settings, summary: RunSummary, n: int, results: list[tasks.PageResult],
             jobs: list[tasks.PageJob], log: Any, bar: progress.Pages) -> None:
    wh = str(settings.warehouse_path)
    bar.advance("fetched", len(jobs))
    try:
        batch, versions = _page_batch(summary.run_id, results, summary)
        _load_versions(settings, summary.run_id, versions, batch)
        bar.advance("analysed", len(jobs))
    except Exception as exc:  # one broken batch must not sink the backfill
        _batch_failed(wh, summary, n, jobs, exc, log)
        bar.finish(len(jobs))
        return
    tasks.load(wh, as_is(batch))
    bar.advance("loaded", len(jobs))
    log.info("backfill batch %d: %d pages, %d new versions", n, len(jobs), len(versions))


def _warc(settings: Settings, summary: RunSummary, files: list[str], since: date | None,
          until: date | None, outlet: str | None, log: Any) -> None:
    def pages() -> Iterator[ArchivedPage]:
        for file in files:
            try:
                yield from read_warc(file, settings.fetch.max_bytes)
            except PactwatchError as exc:
                summary.failures.append((file, "archive", str(exc)))
                tasks.load(str(settings.warehouse_path), _one_failure(summary, file, exc))
    in_range = (p for p in pages() if _in_range(p.captured_at, since, until))
    with progress.pages(None, log) as bar:  # WARC files stream: the total is not known
        for n, chunk in enumerate(_chunks(in_range, settings.batch_size), 1):
            known = _known(settings, [canonical_url(p.url) for p in chunk])
            todo = [p for p in chunk if canonical_url(p.url) not in known]
            summary.bump("articles_skipped", len(chunk) - len(todo))
            bar.finish(len(chunk) - len(todo))
            items = [(_job(p.url, outlet, f"warc:{p.url}"),
                      Response(p.url, p.url, 200, p.body, 0.0, {"content-type": p.content_type}),
                      p.captured_at) for p in todo]
            if items:
                results = tasks.extract_archived(as_is(items), as_is(settings.story))
                _process(settings, summary, n, results, [j for j, _r, _a in items], log, bar)


def _one_failure(summary: RunSummary, where: str, exc: Exception) -> Batch:
    batch = Batch()
    batch.add(failure_row(summary.run_id, "archive", where, str(exc)))
    return batch


def _sitemap_entries(settings: Settings, root: str, summary: RunSummary
                     ) -> list[SitemapEntry]:
    queue: list[str] = [root]
    seen: set[str] = set()
    out: list[SitemapEntry] = []
    while queue and len(seen) < MAX_SITEMAPS:
        url = queue.pop(0)
        if url in seen:
            continue
        seen.add(url)
        try:
            sitemap = parse_sitemap(fetch_with_retries(url, settings.fetch).body)
        except PactwatchError as exc:
            summary.failures.append((url, "sitemap", str(exc)))
            tasks.load(str(settings.warehouse_path), _one_failure(summary, url, exc))
            continue
        out.extend(sitemap.entries)
        queue.extend(sitemap.children)
    return out


def _sitemap(settings: Settings, summary: RunSummary, url: str, since: date | None,
             until: date | None, outlet: str | None, log: Any) -> None:
    entries = [e for e in _sitemap_entries(settings, url, summary)
               if _in_range(e.published_at, since, until)]
    entries.sort(key=lambda e: e.published_at or datetime.min.replace(tzinfo=UTC))
    log.info("sitemap %s: %d pages in range", url, len(entries))
    with progress.pages(len(entries), log) as bar:
        for n, chunk in enumerate(_chunks(entries, settings.batch_size), 1):
            known = _known(settings, [canonical_url(e.url) for e in chunk])
            jobs = [_job(e.url, outlet, url, e.published_at, e.title) for e in chunk
                    if canonical_url(e.url) not in known]
            summary.bump("articles_skipped", len(chunk) - len(jobs))
            bar.finish(len(chunk) - len(jobs))
            if jobs:
                results = tasks.fetch_and_extract(
                    as_is(jobs), settings.fetch, as_is(settings.story),
                    tasks.PassLimits.of(summary.run_id, settings))
                _process(settings, summary, n, results, jobs, log, bar)


@flow(name="backfill", log_prints=True)
def backfill(config_path: str, warc_files: list[str] | None = None,
             sitemap_url: str | None = None, since: str | None = None,
             until: str | None = None, outlet: str | None = None) -> RunSummary:
    """Load archived pages (WARC) or a site's sitemap, skipping what is already loaded.

    Their claims join the history in publication order, so "first seen" stays true.
    """
    settings = load_settings(config_path)
    check_framing_model(settings)
    log = get_run_logger()
    summary = RunSummary(run_id=uuid.uuid4().hex[:16])
    start = date.fromisoformat(since) if since else None
    end = date.fromisoformat(until) if until else None
    wh = str(settings.warehouse_path)
    with writer_lock(wh, settings.wait_for_lock_s):
        with open_warehouse(wh, settings.wait_for_lock_s) as con:
            start_run(con, summary.run_id, runtime.flow_run.id, str(settings.config_path),
                      f"backfill {' '.join(warc_files or [])}{sitemap_url or ''}".strip())

        def work() -> None:
            if warc_files:
                _warc(settings, summary, warc_files, start, end, outlet, log)
            if sitemap_url:
                _sitemap(settings, summary, sitemap_url, start, end, outlet, log)
            history_tasks.link_duplicates(wh, summary.run_id, settings.dedup_threshold)
            history_tasks.frame_articles(wh, summary.run_id, settings.framing,
                                         as_is(settings.story))
            summary.claims = history_tasks.flag_claims(wh, summary.run_id, as_is(settings.story),
                                               settings.framing.model_dir)

        complete(settings, summary, work)
    return summary
