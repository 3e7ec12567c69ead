"""Network guard: refuse targets that resolve to private, loopback or other non-public addresses.

The check runs on the resolved addresses (and the caller connects to the address it checked),
so a name that resolves differently a second time cannot slip past it (DNS rebinding).
"""

from __future__ import annotations

import ipaddress
import socket
from collections.abc import Callable, Sequence
from typing import Any

from extractors.errors import BlockedAddressError, TransientError

Resolver = Callable[..., Sequence[tuple[Any, ...]]]

ALLOWED_SCHEMES = ("http", "https")


def address_problem(ip: str) -> str | None:
    """Return why `ip` is not a public unicast address, or None when it is."""
    addr = ipaddress.ip_address(ip)
    if isinstance(addr, ipaddress.IPv6Address) and addr.ipv4_mapped is not None:
        addr = addr.ipv4_mapped
    for attr in ("is_loopback", "is_link_local", "is_multicast", "is_unspecified",
                 "is_reserved", "is_private"):
        if getattr(addr, attr):
            return attr.removeprefix("is_").replace("_", "-")
    if not addr.is_global:
        return "not-global"
    return None


def resolve(host: str, port: int, allow_private: bool,
            resolver: Resolver = socket.getaddrinfo,
            allowed_hosts: tuple[str, ...] = ()) -> str:
    """Resolve `host` and return the first address the guard accepts.

    `allowed_hosts` ("host" or "host:port") may use private addresses even when
    `allow_private` is off (an intranet feed). Raises BlockedAddressError when every
    address is refused, TransientError when the name does not resolve.
    """
    allow_private = allow_private or host in allowed_hosts or f"{host}:{port}" in allowed_hosts
    try:
        infos = resolver(host, port, 0, socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as exc:
        raise TransientError(f"cannot resolve {host!r}: {exc}") from exc
    reasons = []
    for info in infos:
        ip = str(info[4][0])
        problem = None if allow_private else address_problem(ip)
        if problem is None:
            return ip
        reasons.append(f"{ip} is {problem}")
    raise BlockedAddressError(f"refused {host!r}: {', '.join(reasons) or 'no address'}")
