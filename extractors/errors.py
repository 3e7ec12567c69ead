"""Error classes shared by the extractors: every failure is transient or terminal."""

from __future__ import annotations


class PactwatchError(Exception):
    """Base class; `error_class` says whether retrying can help."""

    error_class = "terminal"
    status: int | None = None  # the HTTP status behind the error, when there was one
    fetch_outcome = "failed"   # the fetch log's `outcome` for this error


class TransientError(PactwatchError):
    """Timeouts, connection resets, 429 and 5xx: worth retrying later."""

    error_class = "transient"

    def __init__(self, message: str, retry_after: float | None = None) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class TerminalError(PactwatchError):
    """404, refused addresses, not a feed, no text: retrying will not help."""


class BlockedAddressError(TerminalError):
    """The target resolves to an address the network guard refuses."""
