"""Per-feed cadence: faster when changing, slower when quiet, backed off when failing."""

import pytest

from extractors.cadence import CadencePolicy, PollOutcome, max_age, next_interval

P = CadencePolicy(min_s=300, default_s=900, max_s=6 * 3600)


@pytest.mark.parametrize(("poll", "seconds", "reason"), [
    (PollOutcome("changed", None), 450, "changed"),
    (PollOutcome("changed", 400), 300, "changed"),                    # floor: min_s
    (PollOutcome("unchanged", 900), 1350, "unchanged"),
    (PollOutcome("unchanged", 20_000), 21_600, "unchanged"),          # ceiling: max_s
    (PollOutcome("failed", 900, consecutive_failures=1), 900, "failing (1 in a row)"),
    (PollOutcome("failed", 900, consecutive_failures=3), 3600, "failing (3 in a row)"),
    (PollOutcome("changed", 900, ttl_minutes=60), 3600, "held to feed ttl"),
    (PollOutcome("changed", 900, max_age_s=1200), 1200, "held to Cache-Control max-age"),
    (PollOutcome("failed", 900, 1, retry_after_s=86_400), 86_400, "held to Retry-After"),
])
def test_next_interval(poll: PollOutcome, seconds: float, reason: str) -> None:
    interval, why = next_interval(poll, P)
    assert interval == seconds and reason in why


def test_max_age() -> None:
    assert max_age("public, max-age=600, must-revalidate") == 600
    assert max_age("no-cache") is None and max_age(None) is None
