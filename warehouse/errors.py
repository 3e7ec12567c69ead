"""The warehouse's error classes (their own module: `db` and `lock` both raise them)."""

from __future__ import annotations


class WarehouseError(Exception):
    """The warehouse cannot be opened, migrated or written; the message says why."""


class WarehouseLocked(WarehouseError):
    """Another process holds the warehouse file (DuckDB's file lock); waiting can help."""


class WarehouseBusy(WarehouseError):
    """Another run holds the writer lock; the message names its process id."""


class SnapshotError(WarehouseError):
    """The analysts' snapshot could not be published; the live warehouse is intact."""
