"""One writer at a time: an advisory lock file beside the warehouse."""

from __future__ import annotations

import fcntl
import os
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from warehouse.db import WarehouseError


class WarehouseBusy(WarehouseError):
    """Another run holds the warehouse; the message names its process id."""


def lock_path(path: str | Path) -> Path:
    path = Path(path)
    return path.with_name(path.name + ".lock")


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
        deadline = time.monotonic() + wait_s
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    holder = os.pread(fd, 32, 0).decode(errors="replace").strip() or "?"
                    raise WarehouseBusy(f"another pactwatch run (pid {holder}) is writing "
                                        f"{path}; waited {wait_s:g}s") from None
                time.sleep(0.2)
        os.ftruncate(fd, 0)
        os.pwrite(fd, str(os.getpid()).encode(), 0)
        try:
            yield
        finally:
            fcntl.flock(fd, fcntl.LOCK_UN)
    finally:
        os.close(fd)
