"""The offline demo: serve the bundled sample corpus on loopback and run `monitor` on it.

The corpus has two editions (two days of news). A fresh warehouse gets both, in order, so
that the demo shows an article being updated; later demo runs poll the latest edition again,
which finds nothing new (304s for feeds, no new rows).
"""

from __future__ import annotations

import errno
import http.server
from pathlib import Path

from deploy.demo.build import FEED_FILE, error_pages, rendered_site
from deploy.demo.server import DevServer

DEMO_PORT = 8765
PAGE_DIR = "story"  # the story page, beside the warehouse
OUTLETS = (("The Northern Ledger", "northern-ledger", "rss2"),
           ("Eurasia Wire", "eurasia-wire", "atom"),
           ("Pacific Monitor", "pacific-monitor", "rss1"))


class DemoError(RuntimeError):
    """The demo cannot start (its port is taken, say); the message says what to do."""


def demo_config(workdir: Path, port: int = DEMO_PORT) -> Path:
    """Write `pactwatch-demo.toml` in `workdir` (warehouse `pactwatch.duckdb` beside it)."""
    feeds = "".join(f'\n[[feeds]]\nname = "{name}"\nurl = "http://127.0.0.1:{port}/{key}/'
                    f'{FEED_FILE[fmt]}"\n' for name, key, fmt in OUTLETS)
    text = ('# Written by `pactwatch demo`: the bundled sample corpus on loopback.\n'
            '[warehouse]\npath = "pactwatch.duckdb"\n\n[fetch]\n'
            'allow_private_addresses = true   # the demo server is on 127.0.0.1\n'
            'retries = 1\nbackoff_seconds = 0.2\n\n[report]\n'
            f'base_url = "{(workdir / PAGE_DIR).resolve().as_uri()}"   # the digest links here\n'
            + feeds)
    path = workdir / "pactwatch-demo.toml"
    path.write_text(text, encoding="utf-8")
    return path


def _fail_500(handler: http.server.BaseHTTPRequestHandler) -> None:
    handler.send_error(500, "Internal Server Error")


def serve_edition(edition: int, port: int = DEMO_PORT) -> DevServer:
    """A server (not yet started) for one edition of the corpus, with its broken pages."""
    try:
        server = DevServer(rendered_site() / f"day{edition}", port)
    except OSError as exc:
        if exc.errno == errno.EADDRINUSE:
            raise DemoError(f"port {port} on 127.0.0.1 is in use: stop what holds it, "
                            "or run `pactwatch demo --port N`") from exc
        raise
    for path in error_pages():
        server.routes[path] = _fail_500
    return server


def build_page(snapshot: Path, workdir: Path) -> Path:
    """Build the story page from `snapshot` into `workdir/story`; returns its index.html.
    Raises WarehouseError or OSError as `build_report` does."""
    from flows.report.build import build_report
    from warehouse.db import connect

    con = connect(snapshot, read_only=True)
    try:
        return build_report(con, workdir / PAGE_DIR).index
    finally:
        con.close()


def set_edition(server: DevServer, edition: int) -> None:
    server.root = (rendered_site() / f"day{edition}").resolve()
