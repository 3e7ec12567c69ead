"""Per-feed polling cadence: how long to wait before polling a feed again, and why."""

from __future__ import annotations

import re
from dataclasses import dataclass


@dataclass(frozen=True)
class CadencePolicy:
    """Bounds for adaptive polling, in seconds."""

    min_s: float = 300.0
    default_s: float = 900.0
    max_s: float = 6 * 3600.0


@dataclass(frozen=True)
class PollOutcome:
    """What one poll found, and what the feed or server asked for."""

    outcome: str                     # changed | unchanged | failed
    previous_interval_s: float | None
    consecutive_failures: int = 0
    ttl_minutes: float | None = None
    max_age_s: float | None = None
    retry_after_s: float | None = None


def max_age(cache_control: str | None) -> float | None:
    """`max-age` seconds from a Cache-Control header, or None."""
    found = re.search(r"max-age\s*=\s*(\d+)", cache_control or "", re.IGNORECASE)
    return float(found.group(1)) if found else None


def next_interval(poll: PollOutcome, policy: CadencePolicy) -> tuple[float, str]:
    """Seconds until the next poll and the reason: faster while a feed changes, slower while
    it does not, backed off while it fails; never sooner than its ttl, Cache-Control max-age
    or Retry-After allow (those may exceed `max_s`)."""
    prev = poll.previous_interval_s or policy.default_s
    if poll.outcome == "failed":
        n = max(1, poll.consecutive_failures)
        interval = policy.default_s * 2 ** min(n - 1, 8)
        reason = f"failing ({n} in a row): backing off"
    elif poll.outcome == "changed":
        interval, reason = prev / 2, "changed: polling more often"
    else:
        interval, reason = prev * 1.5, "unchanged: polling less often"
    interval = min(policy.max_s, max(policy.min_s, interval))
    floors = [(poll.ttl_minutes * 60 if poll.ttl_minutes else 0, "feed ttl"),
              (poll.max_age_s or 0, "Cache-Control max-age"),
              (poll.retry_after_s or 0, "Retry-After")]
    floor, why = max(floors)
    if floor > interval:
        return floor, f"{reason}; held to {why} ({floor:g}s)"
    return interval, reason
