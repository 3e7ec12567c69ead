"""Prefect's temporary API server, started before the pipeline is imported.

Without `PREFECT_API_URL`, Prefect starts a temporary ("ephemeral") API server when the
first flow runs: the command's process first imports the whole server package (FastAPI,
SQLAlchemy, the API's routes: more than Prefect itself costs), only to start a subprocess
that imports it all again and opens the database, while the command waits. `pactwatch`
starts that same subprocess (the command line and environment Prefect's
`SubprocessASGIServer` uses) as its first step, so that its start-up runs on the other core
while this process imports Prefect and the pipeline, then hands its address to Prefect
(`PREFECT_API_URL`, as for a server of one's own). The server stops when the process
exits, as Prefect's does.

It stands aside (and Prefect decides as usual) when `PREFECT_API_URL` is in the
environment, when Prefect is imported already (tests, a program calling the CLI), or when
Prefect's settings (a profile) name a server.
"""

from __future__ import annotations

import atexit
import os
import socket
import subprocess
import sys
import time
import urllib.request
from importlib.util import find_spec
from pathlib import Path

STARTS = 3  # another free port when the first was taken between choosing and binding


class EarlyServer:
    """A temporary Prefect API server started in a subprocess; `url()` waits for it."""

    def __init__(self) -> None:
        self.process: subprocess.Popen[bytes] | None = None
        self.port = 0
        self.handed_over = False  # PREFECT_API_URL names it
        self._spawn()

    def _spawn(self) -> None:
        spec = find_spec("prefect")
        assert spec is not None and spec.origin is not None
        self.port = _free_port()
        env = {**os.environ, "PREFECT_UI_ENABLED": "0", "PREFECT__SERVER_EPHEMERAL": "1",
               "PREFECT__SERVER_FINAL": "1"}
        self.process = subprocess.Popen(
            [sys.executable, "-m", "uvicorn", "--app-dir", str(Path(spec.origin).parents[1]),
             "--factory", "prefect.server.api.server:create_app", "--host", "127.0.0.1",
             "--port", str(self.port), "--log-level", "error", "--lifespan", "on"], env=env)

    def url(self, timeout_s: float) -> str:
        """The API's address once it answers /health. Raises RuntimeError when it did not
        start within `timeout_s` (after up to STARTS tries on other ports)."""
        deadline = time.monotonic() + timeout_s
        for _ in range(STARTS):
            assert self.process is not None
            while time.monotonic() < deadline and self.process.poll() is None:
                if _healthy(f"http://127.0.0.1:{self.port}/api/health"):
                    return f"http://127.0.0.1:{self.port}/api"
                time.sleep(0.05)
            if self.process.poll() is None:
                break
            self._spawn()  # it exited: most likely the port was taken meanwhile
        self.stop()
        raise RuntimeError(f"Prefect's temporary API server did not start within "
                           f"{timeout_s:.0f} s (PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS)")

    def stop(self) -> None:
        """Terminate the server (killed after 5 s, as Prefect does)."""
        if self.process is None:
            return
        self.process.terminate()
        try:
            self.process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        self.process = None


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _healthy(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=1) as response:  # loopback only
            return bool(response.status == 200)
    except OSError:
        return False


def early_server() -> EarlyServer | None:
    """An EarlyServer when Prefect would start a temporary one, else None. It stops when
    the process exits, after Prefect's own exit handlers (registered later, run earlier)
    have sent their last logs and events to it."""
    if os.environ.get("PREFECT_API_URL") or "prefect" in sys.modules:
        return None
    server = EarlyServer()
    atexit.register(server.stop)
    return server


def api_for_flows(server: EarlyServer | None) -> None:
    """Point this process's flows (and the processes it starts later) at `server`, once it
    answers; imports Prefect. Nothing changes when there is no server, or when Prefect's own
    settings (a profile, a prefect.toml) name one: then it is stopped."""
    from prefect.context import refresh_global_settings_context
    from prefect.settings import PREFECT_API_URL, PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS

    if server is not None and server.handed_over:  # a second flow of the same command
        return
    if server is None or PREFECT_API_URL.value():
        if server is not None:
            server.stop()
        return
    server.handed_over = True
    url = server.url(float(PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS.value()))
    # the process-wide settings, not a context: Prefect's own threads (logs, events) and
    # child processes must see the address too
    os.environ["PREFECT_API_URL"] = url
    refresh_global_settings_context()
