"""A static HTTP server on loopback for the offline demo and the tests.

Serves a folder with content-hash ETags (so a re-poll gets 304 even after a restart),
gzip when asked, and lets tests add routes with scripted behaviour (status codes, delays,
redirects). It binds to 127.0.0.1 only.
"""

from __future__ import annotations

import gzip
import hashlib
import mimetypes
import threading
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

Route = Callable[[BaseHTTPRequestHandler], None]
TYPES = {".xml": "application/xml", ".rss": "application/rss+xml",
         ".atom": "application/atom+xml", ".rdf": "application/rdf+xml",
         ".html": "text/html; charset=utf-8"}


class _Handler(BaseHTTPRequestHandler):
    server: DevServer

    def log_message(self, format: str, *args: object) -> None:
        """Quiet: requests are recorded in `server.requests` instead."""

    def do_GET(self) -> None:
        self.server.requests.append(f"GET {self.path}")
        path = self.path.split("?", 1)[0]
        route = self.server.routes.get(path)
        if route is not None:
            route(self)
            return
        file = (self.server.root / path.lstrip("/")).resolve()
        if self.server.root not in file.parents or not file.is_file():
            self.send_error(404, "Not Found")
            return
        self.send_file(file.read_bytes(), TYPES.get(file.suffix) or
                       mimetypes.guess_type(file.name)[0] or "application/octet-stream")

    def send_file(self, body: bytes, content_type: str) -> None:
        """Send `body` with an ETag, honouring If-None-Match and Accept-Encoding: gzip."""
        etag = '"' + hashlib.sha256(body).hexdigest()[:20] + '"'
        if self.headers.get("If-None-Match") == etag:
            self.send_response(304)
            self.send_header("ETag", etag)
            self.end_headers()
            return
        gz = "gzip" in (self.headers.get("Accept-Encoding") or "")
        payload = gzip.compress(body, mtime=0) if gz else body
        self.send_response(200)
        self.send_header("Content-Type", content_type)
        self.send_header("ETag", etag)
        if gz:
            self.send_header("Content-Encoding", "gzip")
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)


class DevServer(ThreadingHTTPServer):
    """`with DevServer(root) as server:` serves `root` at `server.base_url` until the block ends."""

    daemon_threads = True

    def __init__(self, root: Path, port: int = 0) -> None:
        super().__init__(("127.0.0.1", port), _Handler)
        self.root = Path(root).resolve()
        self.routes: dict[str, Route] = {}
        self.requests: list[str] = []
        self._thread = threading.Thread(target=self.serve_forever, daemon=True)

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"

    def __enter__(self) -> DevServer:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.shutdown()
        self.server_close()
