"""Progress of long work (a pass with many pages, a backfill): pages fetched, analysed and
loaded, the rate and the time left.

On a terminal a rich progress bar; otherwise (cron, a worker, `--quiet`) one plain log line
per batch. Only the CLI knows whether there is a terminal: it calls `show_bar(True)`; flows
run anywhere and default to log lines.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from typing import Any

from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    ProgressColumn,
    Task,
    TaskID,
    TextColumn,
)
from rich.text import Text
from rich.theme import Theme

STAGES = ("fetched", "analysed", "loaded")
_bar = {"on": False}


def show_bar(on: bool) -> None:
    """Draw a progress bar (True: the CLI is on a terminal and not --quiet) or log lines."""
    _bar["on"] = on


def _eta(done: int, total: int | None, elapsed: float) -> str:
    if not total or done <= 0 or done >= total:
        return ""
    left = (total - done) * elapsed / done
    return f"; about {left:.0f} s left" if left < 120 else f"; about {left / 60:.0f} min left"


class Pages:
    """Counts pages through fetch, analysis and load. `total` is None when unknown (a WARC
    file is read as it streams)."""

    def __init__(self, total: int | None, log: Any) -> None:
        self.total, self.log = total, log
        self.done = dict.fromkeys(STAGES, 0)
        self.started = time.monotonic()

    def advance(self, stage: str, n: int) -> None:
        self.done[stage] += n
        if stage == "loaded":
            self.report()

    def finish(self, n: int) -> None:
        """`n` more pages are done with, whatever stage they reached (already loaded, or
        their batch failed and was recorded): every stage counts them. Batches finish one
        at a time, so the loaded count plus `n` is where every stage stands after them."""
        if n <= 0:
            return
        target = self.done["loaded"] + n
        for stage in STAGES:
            self.advance(stage, target - self.done[stage])

    def rate(self) -> float:
        return self.done["loaded"] / max(1e-9, time.monotonic() - self.started)

    def report(self) -> None:
        of = f"/{self.total}" if self.total is not None else ""
        elapsed = time.monotonic() - self.started
        self.log.info("pages fetched %d%s, analysed %d%s, loaded %d%s; %.1f pages/s%s",
                      self.done["fetched"], of, self.done["analysed"], of,
                      self.done["loaded"], of, self.rate(),
                      _eta(self.done["loaded"], self.total, elapsed))


class RateAndTimeLeft(ProgressColumn):
    """Pages per second since the start and the time left at that rate (rich's own speed
    needs samples over several seconds; a batch takes longer than that to land)."""

    def render(self, task: Task) -> Text:
        elapsed = task.finished_time if task.finished else task.elapsed
        if not elapsed or not task.completed:
            return Text("  …  pages/s", style="progress.data.speed")
        rate = task.completed / elapsed
        left = "" if task.total is None or task.finished else \
            f", {timedelta(seconds=round((task.total - task.completed) / rate))} left"
        return Text(f"{rate:5.1f} pages/s{left}", style="progress.data.speed")


class Bar(Pages):
    """The same counts drawn as three rich progress bars, with rate and time left."""

    def __init__(self, total: int | None, log: Any, console: Console) -> None:
        super().__init__(total, log)
        self.progress = Progress(
            TextColumn("pages {task.description:<8}"), BarColumn(), MofNCompleteColumn(),
            RateAndTimeLeft(), console=console, transient=False)
        self.tasks: dict[str, TaskID] = {s: self.progress.add_task(s, total=total)
                                         for s in STAGES}

    def advance(self, stage: str, n: int) -> None:
        self.done[stage] += n
        self.progress.advance(self.tasks[stage], n)


def _prefect_console() -> Console:
    """The console Prefect logs to, so that its log lines print above the bar instead of
    through it; a stderr console when Prefect's logging is not set up."""
    from prefect.logging.handlers import PrefectConsoleHandler

    for name in ("prefect.flow_runs", "prefect", ""):
        for handler in logging.getLogger(name).handlers:
            if isinstance(handler, PrefectConsoleHandler):
                return handler.console
    return Console(stderr=True)


@contextmanager
def pages(total: int | None, log: Any, min_pages: int = 1) -> Iterator[Pages]:
    """Progress for `total` pages: a bar when the CLI asked for one and there are at least
    `min_pages`, else log lines. The bar is removed from the screen's live area on exit
    (its last state stays printed)."""
    if not _bar["on"] or (total is not None and total < min_pages):
        yield Pages(total, log)
        return
    console = _prefect_console()
    console.push_theme(Theme())  # Prefect's console has only its own styles, not the bar's
    try:
        bar = Bar(total, log, console)
        with bar.progress:
            yield bar
    finally:
        console.pop_theme()
