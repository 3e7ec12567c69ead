"""Shared fixtures: real loopback HTTP servers, real DuckDB files, one Prefect harness."""

from __future__ import annotations

import email
import os
import socket
from collections.abc import Iterator
from email.message import Message
from email.policy import default
from pathlib import Path
from typing import TypeVar

import pytest
from aiosmtpd.controller import Controller

from deploy.demo.server import DevServer
from warehouse.schemas import TableRow

R = TypeVar("R", bound=TableRow)

DATA = Path(__file__).parent / "data"
SHARED = Path(__file__).resolve().parents[1].parent / "shared"


@pytest.fixture
def server(tmp_path: Path) -> Iterator[DevServer]:
    """A loopback server over an empty folder; tests add files and routes."""
    with DevServer(tmp_path / "site") as srv:
        (tmp_path / "site").mkdir()
        yield srv


@pytest.fixture(scope="session")
def prefect_harness(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """One Prefect test server for the session, heartbeat off (it costs 1 s per flow run)."""
    os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
    os.environ.setdefault("DO_NOT_TRACK", "1")
    from prefect.settings import PREFECT_FLOWS_HEARTBEAT_FREQUENCY, temporary_settings
    from prefect.testing.utilities import prefect_test_harness

    with temporary_settings(updates={PREFECT_FLOWS_HEARTBEAT_FREQUENCY: None}), \
            prefect_test_harness(server_startup_timeout=90):
        yield


def query(path: Path, sql: str) -> list[tuple]:
    """Rows of `sql` on the DuckDB file at `path`, opened read-only and closed again."""
    import duckdb

    con = duckdb.connect(str(path), read_only=True)
    try:
        return con.execute(sql).fetchall()
    finally:
        con.close()


def row(schema: type[R], **given: object) -> R:
    """A `schema` row with the given columns and NULL in every other one: for tests that
    write a few columns (a NOT NULL column left out fails at load, as it would)."""
    from warehouse.schemas import column_names

    return schema(**{**dict.fromkeys(column_names(schema)), **given})


def write_config(path: Path, feeds: list[tuple[str, str]], extra: str = "") -> Path:
    """A config with loopback allowed, fast retries, and the given (name, url) feeds."""
    text = ('[warehouse]\npath = "wh/pactwatch.duckdb"\n[fetch]\nallow_private_addresses = true\n'
            'retries = 1\nbackoff_seconds = 0.05\ntimeout_seconds = 2\n' + extra)
    for name, url in feeds:
        text += f'\n[[feeds]]\nname = "{name}"\nurl = "{url}"\n'
    path.write_text(text, encoding="utf-8")
    return path


class Inbox:
    """An aiosmtpd handler: keeps each accepted message and its envelope recipients;
    `refuse` refuses every message, `refuse_rcpt` the listed recipients only."""

    def __init__(self) -> None:
        self.messages: list[Message] = []
        self.envelopes: list[tuple[str, ...]] = []
        self.refuse = False
        self.refuse_rcpt: set[str] = set()

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options) -> str:
        if address in self.refuse_rcpt:
            return "550 5.1.1 mailbox unavailable (refused for the test)"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope) -> str:
        if self.refuse:
            return "554 5.0.0 refused for the test"
        self.messages.append(email.message_from_bytes(envelope.content, policy=default))
        self.envelopes.append(tuple(envelope.rcpt_tos))
        return "250 OK"

    def received(self, address: str) -> int:
        """How many messages were delivered to `address`."""
        return sum(address in rcpts for rcpts in self.envelopes)


@pytest.fixture
def inbox() -> Iterator[tuple[Inbox, int]]:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    handler = Inbox()
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield handler, port
    finally:
        controller.stop()
