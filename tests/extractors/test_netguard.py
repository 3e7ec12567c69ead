"""The address check itself, with name resolution answered by the test (no packet leaves)."""

import socket

import pytest

from extractors.errors import BlockedAddressError
from extractors.netguard import address_problem, resolve


@pytest.mark.parametrize(("ip", "problem"), [
    ("127.0.0.1", "loopback"), ("10.1.2.3", "private"), ("192.168.0.1", "private"),
    ("169.254.169.254", "link-local"), ("::1", "loopback"), ("::ffff:127.0.0.1", "loopback"),
    ("224.0.0.1", "multicast"), ("0.0.0.0", "unspecified"), ("fe80::1", "link-local"),
    ("100.64.0.1", "not-global"), ("240.0.0.1", "reserved"),
    ("93.184.216.34", None), ("2606:4700::1111", None),
])
def test_address_problem(ip: str, problem: str | None) -> None:
    assert address_problem(ip) == problem


def fake(*ips: str):
    def resolver(host, port, family=0, type=0):
        return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", (ip, port)) for ip in ips]
    return resolver


def test_name_resolving_to_metadata_address_is_refused() -> None:
    with pytest.raises(BlockedAddressError, match=r"169\.254\.169\.254"):
        resolve("metadata.example", 80, False, fake("169.254.169.254"))


def test_public_address_is_returned_for_pinning() -> None:
    assert resolve("news.example", 443, False, fake("10.0.0.5", "93.184.216.34")) == \
        "93.184.216.34"


def test_switch_allows_private() -> None:
    assert resolve("intranet.example", 80, True, fake("10.0.0.5")) == "10.0.0.5"
