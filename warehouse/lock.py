"""One writer at a time: an advisory lock file beside the warehouse."""

from __future__ import annotations

import fcntl
import os
import threading
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from warehouse.errors import WarehouseBusy as WarehouseBusy  # re-exported: callers' import

# Paths whose lock this process holds: flock locks one open file, so a second writer_lock
# in the same process would wait for itself; open_warehouse asks here instead.
_held: Counter[Path] = Counter()
_held_guard = threading.Lock()


def lock_path(path: str | Path) -> Path:
    path = Path(path)
    return path.with_name(path.name + ".lock")


def holds_writer_lock(path: str | Path) -> bool:
    """True while this process holds the writer lock of the warehouse at `path`."""
    with _held_guard:
        return _held[Path(path).resolve()] > 0


@contextmanager
def writer_lock(path: str | Path, wait_s: float) -> Iterator[None]:
    """Hold the warehouse's writer lock, waiting up to `wait_s` for a running pass to end.

    Raises WarehouseBusy when it is still held after that. The lock is released when the
    process ends, however it ends, so a crashed run never leaves it stuck.
    """
    file = lock_path(path)
    file.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(file, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        _acquire(fd, path, wait_s)
        os.ftruncate(fd, 0)
        os.pwrite(fd, str(os.getpid()).encode(), 0)
        key = Path(path).resolve()
        with _held_guard:
            _held[key] += 1
        try:
            yield
        finally:
            with _held_guard:
                _held[key] -= 1
            fcntl.flock(fd, fcntl.LOCK_UN)
    finally:
        os.close(fd)


def _acquire(fd: int, path: str | Path, wait_s: float) -> None:
    deadline = time.monotonic() + wait_s
    while True:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            return
        except BlockingIOError:
            if time.monotonic() >= deadline:
                holder = os.pread(fd, 32, 0).decode(errors="replace").strip() or "?"
                raise WarehouseBusy(f"another pactwatch run (pid {holder}) is writing "
                                    f"{path}; waited {wait_s:g}s") from None
            time.sleep(0.2)
