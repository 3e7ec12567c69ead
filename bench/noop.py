"""Issue 15, target 4: a pass where every feed answers 304, with 5,000 known entries.

    nice .venv/bin/python bench/noop.py [--entries 5000] [--relevant 100] [--keep DIR]

Builds a site of `--entries` pages behind 10 RSS feeds on loopback (`--relevant` of them
~700-word articles on the treaty, analysed in full; the rest short pages on other news,
stored and not analysed) and loads them with one real `pactwatch run --all` (minutes; with
`--keep DIR` the site and warehouse are kept there and reused by later runs). Then, every
feed answering 304 (the server honours If-None-Match):

- **fresh process**: `pactwatch run --all --quiet` as a new process, Prefect's ephemeral
  server included (its database already created by the set-up pass), wall clock from
  outside, median of `--rounds`;
- **running server**: a `prefect server start` on loopback, then in one process the
  `monitor` flow called `--rounds` + 1 times against it; the first call (which pays for
  this process's imports and first contact with the server) is shown apart, the figure is
  the median of the others.

Prints one line: `no-op: fresh process Xs, running server Ys (first call Zs); ...`.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
OTHER_NEWS = ["The city council approved the new budget for road repairs after a long debate.",
              "Heavy rain is expected across the region this weekend, forecasters said.",
              "The local football club signed a new striker on a two-year contract.",
              "A new exhibition of modern art opens at the museum on Saturday.",
              "Shares in the retailer rose after it reported higher holiday sales."]


def build_site(site: Path, entries: int, relevant: int, feeds: int = 10) -> None:
    """`entries` pages, every entries/relevant-th one on the treaty, behind `feeds` feeds."""
    sys.path.insert(0, str(ROOT / "bench"))
    from pipeline import sentence

    rng = random.Random(15)
    step = max(1, entries // max(relevant, 1)) if relevant else entries + 1
    items: dict[int, list[str]] = {f: [] for f in range(feeds)}
    for i in range(entries):
        if i % step == 0:
            title = f"Report {i} on the Russia-North Korea treaty"
            body = "".join("<p>" + " ".join(sentence(rng) for _ in range(4)) + "</p>"
                           for _ in range(6))
        else:
            title = f"Local news {i}"
            body = "<p>" + " ".join(rng.choice(OTHER_NEWS) for _ in range(12)) + "</p>"
        (site / f"a{i}.html").write_text(
            f"<html lang='en'><head><title>{title}</title></head><body><article>"
            f"<h1>{title}</h1>{body}</article></body></html>", encoding="utf-8")
        items[i % feeds].append(f"<item><title>{title}</title><link>/a{i}.html</link>"
                                f"<guid>n{i}</guid></item>")
    for f, rows in items.items():
        (site / f"feed{f}.xml").write_text("<rss version='2.0'><channel><title>F</title>"
                                           + "".join(rows) + "</channel></rss>",
                                           encoding="utf-8")


def write_config(workdir: Path, site_url: str) -> Path:
    config = workdir / "noop.toml"
    feeds = "".join(f"\n[[feeds]]\nname = 'Feed {f}'\nurl = '{site_url}/feed{f}.xml'\n"
                    for f in range(10))
    config.write_text("[warehouse]\npath = 'noop.duckdb'\n[fetch]\n"
                      "allow_private_addresses = true\nper_host_concurrency = 8\n" + feeds,
                      encoding="utf-8")
    return config


def _env(workdir: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k != "PREFECT_API_URL"}
    env.update(PREFECT_HOME=str(workdir / "prefect-home"), PREFECT_LOGGING_LEVEL="WARNING",
               PREFECT_SERVER_ANALYTICS_ENABLED="false", DO_NOT_TRACK="1")
    env.update(extra)
    return env


def pactwatch_run(config: Path, workdir: Path) -> tuple[float, str]:
    """`pactwatch run --all --quiet` in a new process: (wall seconds, its output)."""
    started = time.perf_counter()
    done = subprocess.run([str(BIN / "pactwatch"), "run", "--config", str(config), "--all",
                           "--quiet"], capture_output=True, text=True, env=_env(workdir),
                          cwd=workdir, check=False)
    wall = time.perf_counter() - started
    if done.returncode != 0:
        sys.exit(f"pactwatch run failed ({done.returncode}):\n{done.stdout}\n{done.stderr}")
    return wall, done.stdout


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def running_server(workdir: Path) -> tuple[subprocess.Popen[bytes], str]:
    """A `prefect server start` on loopback with its own home; waits until it answers."""
    port = _free_port()
    home = workdir / "prefect-server-home"
    proc = subprocess.Popen([str(BIN / "prefect"), "server", "start", "--host", "127.0.0.1",
                             "--port", str(port), "--no-ui"], env=_env(
                                 workdir, PREFECT_HOME=str(home)),
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}/api"
    deadline = time.monotonic() + 180
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url + "/health", timeout=2) as r:  # loopback only
                if r.status == 200:
                    return proc, url
        except OSError:
            time.sleep(0.5)
    proc.terminate()
    sys.exit("bench/noop.py: the Prefect server did not start in 180 s")


def warm_calls(config: Path, rounds: int) -> list[dict[str, float]]:
    """Child side: call the monitor flow `rounds` + 1 times; one JSON line per call."""
    sys.path.insert(0, str(ROOT))
    from flows.config.settings import prefect_defaults

    prefect_defaults()
    from flows.monitor import monitor

    out = []
    for _ in range(rounds + 1):
        started = time.perf_counter()
        s = monitor(str(config), force=True)
        out.append({"wall_s": time.perf_counter() - started,
                    "fetched": s.counts["articles_new"] + s.counts["articles_updated"],
                    "not_modified": s.counts["feeds_not_modified"]})
    return out


def against_server(config: Path, workdir: Path, rounds: int) -> list[dict[str, float]]:
    proc, url = running_server(workdir)
    try:
        done = subprocess.run([sys.executable, __file__, "--warm-child", str(config),
                               str(rounds)], capture_output=True, text=True, cwd=workdir,
                              env=_env(workdir, PREFECT_API_URL=url), check=False)
    finally:
        proc.terminate()
        proc.wait(30)
    if done.returncode != 0:
        sys.exit(f"the warm no-op passes failed:\n{done.stdout}\n{done.stderr}")
    line = [x for x in done.stdout.splitlines() if x.startswith("RESULT ")][-1]
    return list(json.loads(line[7:]))


def _setup(workdir: Path, entries: int, relevant: int) -> None:
    site = workdir / "site"
    if not site.is_dir():
        site.mkdir(parents=True)
        build_site(site, entries, relevant)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--entries", type=int, default=5000)
    parser.add_argument("--relevant", type=int, default=100)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--keep", metavar="DIR", help="keep (and reuse) site and warehouse")
    parser.add_argument("--warm-child", nargs=2, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.warm_child:
        print("RESULT " + json.dumps(warm_calls(Path(args.warm_child[0]),
                                                int(args.warm_child[1]))))
        return
    workdir = Path(args.keep or tempfile.mkdtemp(prefix="pactwatch-noop-")).resolve()
    try:
        measure(workdir, args)
    finally:
        if not args.keep:
            shutil.rmtree(workdir, ignore_errors=True)


def measure(workdir: Path, args: argparse.Namespace) -> None:
    sys.path.insert(0, str(ROOT))
    from deploy.demo.server import DevServer

    _setup(workdir, args.entries, args.relevant)
    # a kept warehouse knows its entries by URL: serve them on the same port again
    old = workdir / "noop.toml"
    port = int(re.findall(r"127\.0\.0\.1:(\d+)", old.read_text())[0]) if old.exists() else 0
    with DevServer(workdir / "site", port) as server:
        config = write_config(workdir, server.base_url)
        if not (workdir / "noop.duckdb").exists():
            started = time.perf_counter()
            _, out = pactwatch_run(config, workdir)
            print(f"set-up pass: {time.perf_counter() - started:.0f} s\n{out.strip()}")
        load = os.getloadavg()[0]
        fresh = [pactwatch_run(config, workdir) for _ in range(args.rounds)]
        warm = against_server(config, workdir, args.rounds)
        load_after = os.getloadavg()[0]
    last = fresh[-1][1].strip().splitlines()
    fetched = [int(w["fetched"]) for w in warm]
    print(f"no-op: fresh process {statistics.median(t for t, _ in fresh):.2f}s, running "
          f"server {statistics.median(w['wall_s'] for w in warm[1:]):.2f}s (first call "
          f"{warm[0]['wall_s']:.2f}s); {args.entries} known entries, pages fetched {fetched}; "
          f"load average {load:.1f} before, {load_after:.1f} after")
    print("last fresh pass said: " + " | ".join(line for line in last if line))


if __name__ == "__main__":
    main()
