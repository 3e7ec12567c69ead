"""spaCy worker processes: throughput of one analyse batch, as the analyse task runs it.

`.venv/bin/python bench/nlp_workers.py [BATCH] [CALLS] [PROCESSES...]` — BATCH synthetic
~700-word articles (bench/pipeline.py's generator), `nlp.analyse` called CALLS times from a
worker thread while another thread runs (as in a Prefect flow), with each number of
processes (default 1 and 2). Prints docs/s for the first call (worker start-up included) and
the mean of the later calls.
"""

from __future__ import annotations

import random
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.pipeline import sentence  # noqa: E402
from extractors import checkworthy, nlp  # noqa: E402
from flows.config import DEFAULT_MODEL, builtin_story  # noqa: E402


def texts(n: int, seed: int = 7) -> list[str]:
    rng = random.Random(seed)
    return ["\n\n".join(" ".join(sentence(rng) for _ in range(4)) for _ in range(6))
            for _ in range(n)]


def measure(processes: int, batch: list[str], calls: int) -> list[float]:
    pipeline = nlp.load_model(DEFAULT_MODEL)
    scorer = checkworthy.default_model()
    aliases = builtin_story().alias_index()
    times: list[float] = []

    def work() -> None:
        for _ in range(calls):
            started = time.perf_counter()
            nlp.analyse(pipeline, batch, aliases, scorer.scores, scorer.threshold,
                        processes=processes)
            times.append(time.perf_counter() - started)

    busy = threading.Event()
    other = threading.Thread(target=lambda: busy.wait(600), daemon=True)  # another thread
    other.start()
    worker = threading.Thread(target=work)
    worker.start()
    worker.join()
    busy.set()
    return times


def main(n: int, calls: int, counts: list[int]) -> None:
    batch = texts(n)
    words = sum(len(t.split()) for t in batch)
    print(f"batch of {n} articles, {words / n:.0f} words each")
    for processes in counts:
        times = measure(processes, batch, calls)
        later = sum(times[1:]) / max(1, len(times) - 1)
        print(f"processes={processes}: first call {n / times[0]:.2f} docs/s "
              f"({times[0]:.1f} s); later calls {n / later:.2f} docs/s ({later:.1f} s)")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 32,
         int(sys.argv[2]) if len(sys.argv) > 2 else 3,
         [int(a) for a in sys.argv[3:]] or [1, 2])
