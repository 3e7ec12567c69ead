"""robots.txt: fetched through the guarded client, read as RFC 9309 reads it (protego:
wildcards, the longest match wins), kept per origin for a day."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime

from protego import Protego

from extractors.errors import PactwatchError, TerminalError, TransientError
from extractors.http import FetchPolicy, fetch_with_retries
from extractors.politeness import HostLimiter, host_key

MAX_ROBOTS_BYTES = 512_000  # RFC 9309 2.5: parse at least 500 KiB


class RobotsDisallowed(TerminalError):
    """robots.txt disallows the page: no request is made, the feed's text is kept."""

    fetch_outcome = "disallowed"


@dataclass(frozen=True)
class RobotsRecord:
    """One origin's robots.txt as fetched (a `robots` row)."""

    origin: str
    fetched_at: datetime
    status_code: int | None
    outcome: str          # rules | allow-all | unreachable
    body: str | None
    error: str | None


def fetch_robots(origin: str, policy: FetchPolicy, at: datetime,
                 limiter: HostLimiter | None = None) -> RobotsRecord:
    """Fetch `origin`/robots.txt. Never raises: a 4xx means no rules (allow all, RFC 9309
    2.3.1.3); no answer or a 5xx means `unreachable` (allow nothing, RFC 9309 2.3.1.4).
    Another terminal error (the network guard refused the address, a file over the cap)
    also allows all: the pages' own fetches meet the same refusal and record it."""
    capped = replace(policy, max_bytes=min(policy.max_bytes, MAX_ROBOTS_BYTES))
    try:
        response = fetch_with_retries(f"{origin}/robots.txt", capped, limiter=limiter)
    except TransientError as exc:
        return RobotsRecord(origin, at, exc.status, "unreachable", None, str(exc))
    except PactwatchError as exc:
        return RobotsRecord(origin, at, exc.status, "allow-all", None, str(exc))
    body = response.body.decode("utf-8", "replace")
    return RobotsRecord(origin, at, response.status, "rules", body, None)


class RobotsRules:
    """Whether a user agent may fetch a URL, from the robots.txt of each origin."""

    def __init__(self, records: list[RobotsRecord], user_agent: str) -> None:
        self.user_agent = user_agent
        self._records = {r.origin: r for r in records}
        self._parsed = {r.origin: Protego.parse(r.body or "") for r in records
                        if r.outcome == "rules"}

    def refusal(self, url: str) -> PactwatchError | None:
        """Why `url` may not be fetched (RobotsDisallowed; TransientError when its
        robots.txt could not be had this pass), or None when it may."""
        origin = host_key(url)
        record = self._records.get(origin)
        if record is None or record.outcome == "allow-all":
            return None
        if record.outcome == "unreachable":
            return TransientError(f"robots.txt of {origin} could not be read "
                                  f"({record.error}); the page is tried next pass")
        if self._parsed[origin].can_fetch(url, self.user_agent):
            return None
        return RobotsDisallowed(f"disallowed by {origin}/robots.txt for "
                                f"{self.user_agent.split('/')[0]!r}")
