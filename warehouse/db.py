"""Connections, migrations and the read-only snapshot analysts query."""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from datetime import UTC, datetime
from importlib import resources
from pathlib import Path
from typing import Any

import duckdb

from warehouse.errors import SnapshotError as SnapshotError
from warehouse.errors import WarehouseError as WarehouseError  # re-exported: callers' import
from warehouse.errors import WarehouseLocked as WarehouseLocked
from warehouse.lock import holds_writer_lock, writer_lock

MIGRATIONS = "migrations"
VIEWS = "views"




def utcnow() -> datetime:
    """Now, in UTC, without tzinfo (how the warehouse stores every timestamp)."""
    return datetime.now(UTC).replace(tzinfo=None)


def _sql_files(folder: str) -> list[tuple[str, str]]:
    root = resources.files("warehouse") / folder
    files = sorted((p for p in root.iterdir() if p.name.endswith(".sql")), key=lambda p: p.name)
    return [(p.name, p.read_text(encoding="utf-8")) for p in files]


# DuckDB raises one type, IOException, for every I/O failure; a lock conflict is the one
# whose message begins with this fixed text (a path elsewhere in a message never matches).
_LOCK_CONFLICT = re.compile(r"IO Error: Could not set lock on file ")


def is_lock_conflict(exc: BaseException) -> bool:
    """True when `exc` is DuckDB's refusal to open a file another process holds."""
    return isinstance(exc, duckdb.IOException) and bool(_LOCK_CONFLICT.match(str(exc)))


def connect(path: str | Path, read_only: bool = False,
            wait_s: float = 0.0) -> duckdb.DuckDBPyConnection:
    """Open the warehouse file, waiting up to `wait_s` while another process holds it.

    Raises WarehouseError naming the file and the cause; WarehouseLocked for a file held by
    another process (an analyst who opened the live file instead of the snapshot).
    """
    path = Path(path)
    if read_only and not path.exists():
        raise WarehouseError(f"no warehouse at {path}: run `pactwatch run` first")
    deadline = time.monotonic() + wait_s
    while True:
        try:
            if not read_only:
                path.parent.mkdir(parents=True, exist_ok=True)
            return duckdb.connect(str(path), read_only=read_only)
        except (duckdb.Error, OSError) as exc:
            locked = is_lock_conflict(exc)
            if locked and time.monotonic() < deadline:
                time.sleep(0.25)
                continue
            if locked:
                raise WarehouseLocked(
                    f"warehouse {path} is held by another process ({exc}); waited "
                    f"{wait_s:g}s. Analysts must open the snapshot "
                    f"{snapshot_path(path)} instead of the live file") from exc
            raise WarehouseError(f"cannot open warehouse {path}: {exc}") from exc


def dict_rows(con: duckdb.DuckDBPyConnection, sql: str,
              params: list[Any] | None = None) -> list[dict[str, Any]]:
    """The rows of `sql` as dicts keyed by column name."""
    cur = con.execute(sql, params or [])
    names = [d[0] for d in cur.description or []]
    return [dict(zip(names, row, strict=True)) for row in cur.fetchall()]


def migrate(con: duckdb.DuckDBPyConnection) -> list[str]:
    """Apply pending numbered migrations, then (re)create the views when their SQL changed
    (or a migration ran). Returns the applied migrations' names."""
    con.execute("CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, "
                "name VARCHAR NOT NULL, applied_at TIMESTAMP NOT NULL)")
    done = {row[0] for row in con.execute("SELECT version FROM schema_migrations").fetchall()}
    applied = []
    for name, sql in _sql_files(MIGRATIONS):
        version = int(name.split("_", 1)[0])
        if version in done:
            continue
        with transaction(con):
            con.execute(sql)
            con.execute("INSERT INTO schema_migrations VALUES (?, ?, ?)",
                        [version, name, utcnow()])
        applied.append(name)
    _refresh_views(con, force=bool(applied))
    return applied


def _refresh_views(con: duckdb.DuckDBPyConnection, force: bool) -> None:
    """Recreate the views only when their files differ from the ones last applied: a pass
    opens the warehouse several times, and the catalogue need not be rewritten each time."""
    views = _sql_files(VIEWS)
    digest = hashlib.sha256("\x1f".join(sql for _n, sql in views).encode()).hexdigest()
    con.execute("CREATE TABLE IF NOT EXISTS schema_views (digest VARCHAR NOT NULL, "
                "applied_at TIMESTAMP NOT NULL)")
    current = con.execute("SELECT digest FROM schema_views").fetchall()
    if not force and current == [(digest,)]:
        return
    with transaction(con):
        for _name, sql in views:
            con.execute(sql)
        con.execute("DELETE FROM schema_views")
        con.execute("INSERT INTO schema_views VALUES (?, ?)", [digest, utcnow()])


@contextmanager
def transaction(con: duckdb.DuckDBPyConnection) -> Iterator[duckdb.DuckDBPyConnection]:
    """BEGIN … COMMIT, rolled back on any exception (which is re-raised)."""
    con.execute("BEGIN TRANSACTION")
    try:
        yield con
    except BaseException:
        con.execute("ROLLBACK")
        raise
    con.execute("COMMIT")


@contextmanager
def open_warehouse(path: str | Path,
                   wait_s: float = 0.0) -> Iterator[duckdb.DuckDBPyConnection]:
    """Open read-write and migrate, under the writer lock (taken here, waiting up to `wait_s`,
    unless this process holds it already); closes the connection on exit.

    Raises WarehouseBusy when another run holds the lock, WarehouseLocked when another
    process holds the file, WarehouseError for anything else.
    """
    with ExitStack() as stack:
        if not holds_writer_lock(path):  # migrations never run beside another writer
            stack.enter_context(writer_lock(path, wait_s))
        con = connect(path, wait_s=wait_s)
        try:
            migrate(con)
            yield con
        except duckdb.Error as exc:
            raise WarehouseError(f"warehouse {path}: {exc}") from exc
        finally:
            con.close()


def snapshot_path(path: str | Path) -> Path:
    """Where the read-only snapshot of `path` is published: `<stem>.snapshot.duckdb`."""
    path = Path(path)
    return path.with_name(f"{path.stem}.snapshot{path.suffix or '.duckdb'}")


def publish_snapshot(path: str | Path, wait_s: float = 60.0) -> Path:
    """Copy the (checkpointed) warehouse to its snapshot path, flushed to disk, then
    replaced atomically, under the writer lock (taken here unless this process holds it),
    so that no write can land between the checkpoint and the copy.

    Readers that hold the old snapshot open keep reading it; new readers get the new one.
    Returns the snapshot's path. Raises WarehouseBusy when another run holds the lock,
    SnapshotError when the copy cannot be made (the live warehouse is untouched).
    """
    path = Path(path)
    with ExitStack() as stack:
        if not holds_writer_lock(path):
            stack.enter_context(writer_lock(path, wait_s))
        con = connect(path, wait_s=wait_s)
        try:
            con.execute("CHECKPOINT")
        finally:
            con.close()
        return _replace_snapshot(path)


def _replace_snapshot(path: Path) -> Path:
    target = snapshot_path(path)
    tmp = target.with_name(f".{target.name}.{os.getpid()}.tmp")
    try:
        shutil.copyfile(path, tmp)
        _fsync(tmp)  # the data on disk before the name points at it: a crash after the
        os.replace(tmp, target)  # rename must not leave a snapshot with missing pages
        _fsync(target.parent)
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        raise SnapshotError(f"snapshot not published to {target}: {exc}") from exc
    return target


def _fsync(path: Path) -> None:
    """Flush a file's (or a folder's entries') data to disk."""
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
