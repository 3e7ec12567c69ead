"""robots.txt fetched from a real loopback server and read as RFC 9309 reads it."""

from __future__ import annotations

from datetime import UTC, datetime

from deploy.demo.server import DevServer
from extractors.errors import TransientError
from extractors.politeness import host_key
from extractors.robots import RobotsDisallowed, RobotsRules, fetch_robots
from tests.extractors.test_http import POLICY, reply

AT = datetime(2026, 11, 24, tzinfo=UTC)
UA = "pactwatch/0.1 (news monitor)"
ROBOTS = """# a news site's rules
User-agent: *
Disallow: /private/
Allow: /private/press/
Disallow: /*?print=

User-agent: pactwatch
Disallow: /members/
"""


def test_rules_wildcards_and_the_longest_match(server: DevServer) -> None:
    (server.root / "robots.txt").write_text(ROBOTS)
    record = fetch_robots(host_key(server.base_url), POLICY, AT)
    assert (record.outcome, record.status_code) == ("rules", 200)
    rules = RobotsRules([record], UA)
    base = server.base_url
    assert rules.refusal(f"{base}/news/pact") is None
    # our own group replaces the * group (RFC 9309 2.2.1): /private/ is not ours to avoid
    assert isinstance(rules.refusal(f"{base}/members/a"), RobotsDisallowed)
    assert rules.refusal(f"{base}/private/a") is None
    other = RobotsRules([record], "otherbot/1.0")
    assert isinstance(other.refusal(f"{base}/private/a"), RobotsDisallowed)
    assert other.refusal(f"{base}/private/press/a") is None     # longest match wins
    assert isinstance(other.refusal(f"{base}/a?print=1"), RobotsDisallowed)  # wildcard


def test_no_robots_file_allows_everything(server: DevServer) -> None:
    record = fetch_robots(host_key(server.base_url), POLICY, AT)
    assert (record.outcome, record.status_code) == ("allow-all", 404)
    assert RobotsRules([record], UA).refusal(f"{server.base_url}/any") is None


def test_an_unreachable_robots_file_allows_nothing_this_pass(server: DevServer) -> None:
    server.routes["/robots.txt"] = reply(503)
    record = fetch_robots(host_key(server.base_url), POLICY, AT)
    assert record.outcome == "unreachable" and "503" in (record.error or "")
    refusal = RobotsRules([record], UA).refusal(f"{server.base_url}/a")
    assert isinstance(refusal, TransientError) and "tried next pass" in str(refusal)


def test_robots_fetch_goes_through_the_network_guard(server: DevServer) -> None:
    guarded = POLICY.__class__(allow_private=False, timeout=1, deadline=2)
    record = fetch_robots(host_key(server.base_url), guarded, AT)
    # the pages' own fetches meet the same refusal and record it as theirs
    assert record.outcome == "allow-all" and "refused '127.0.0.1'" in (record.error or "")
    assert server.requests == []
