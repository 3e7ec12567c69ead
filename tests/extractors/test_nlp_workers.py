"""spaCy worker processes are never forks of this (threaded) process."""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

from extractors import checkworthy
from extractors.nlp import analyse, load_model
from flows.config import DEFAULT_MODEL, builtin_story

TEXT = ("Vladimir Putin met Kim Jong Un in Pyongyang on Wednesday, officials in Seoul said.\n"
        "North Korea has sent {n} artillery shells to Russia under the treaty, Ukraine said.")


T = TypeVar("T")


def children(pid: int) -> set[int]:
    out: set[int] = set()
    for task in Path(f"/proc/{pid}/task").iterdir():
        try:
            out |= {int(c) for c in (task / "children").read_text().split()}
        except OSError:  # the thread ended meanwhile
            continue
    return out


def cmdline(pid: int) -> bytes:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:  # it ended meanwhile
        return b""


def test_parsing_in_two_processes_forks_nothing_from_this_threaded_process() -> None:
    pipeline = load_model(DEFAULT_MODEL)
    scorer = checkworthy.default_model()
    story = builtin_story()
    aliases, units = story.alias_index(), story.matching.units
    texts = [TEXT.format(n=1000 + i) for i in range(16)]
    alone = analyse(pipeline, texts, aliases, scorer.scores, scorer.threshold, processes=1,
                    units=units)
    two, forks = forks_during(lambda: analyse(pipeline, texts, aliases, scorer.scores,
                                              scorer.threshold, processes=2, units=units))
    assert forks == [], "worker processes forked from this threaded process"
    assert two == alone  # same sentences, mentions and claims as in one process


def forks_during(run: Callable[[], T]) -> tuple[T, list[int]]:
    """What `run` returns, and the child processes of this process that were forks of it
    (same command line, no exec) while it ran, watched from another thread."""
    own, seen, stop = cmdline(os.getpid()), {}, threading.Event()

    def watch() -> None:  # a thread running beside the work, as in a Prefect flow
        # the latest command line of each child: a process started by fork + exec (the
        # forkserver, the resource tracker) shows ours only between the two, and a loaded
        # machine can catch it there; a worker forked without exec keeps ours all its life
        while not stop.is_set():
            for child in children(os.getpid()):
                seen[child] = cmdline(child) or seen.get(child, b"")
            time.sleep(0.005)

    watcher = threading.Thread(target=watch)
    watcher.start()
    try:
        out = run()
    finally:
        stop.set()
        watcher.join()
    return out, [pid for pid, cmd in seen.items() if cmd == own]
