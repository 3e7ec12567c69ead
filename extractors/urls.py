"""Canonical URLs: one spelling per article, tracking parameters dropped."""

from __future__ import annotations

import hashlib
from urllib.parse import parse_qsl, quote, unquote, urlencode, urlsplit, urlunsplit

TRACKING_PREFIXES = ("utm_", "mc_", "pk_", "piwik_", "hsa_", "oly_")
TRACKING_PARAMS = frozenset({
    "fbclid", "gclid", "dclid", "msclkid", "yclid", "igshid", "ref", "ref_src", "ref_url",
    "cmpid", "ito", "icid", "ncid", "smid", "spm", "share", "src", "feature", "at_medium",
    "at_campaign", "_ga", "_gl", "mkt_tok", "rss", "cid",
})


def _is_tracking(key: str) -> bool:
    key = key.lower()
    return key in TRACKING_PARAMS or key.startswith(TRACKING_PREFIXES)


def canonical_url(url: str) -> str:
    """Return the canonical form of an http(s) URL.

    Lower-cases scheme and host, drops default ports, fragments, tracking parameters and
    a trailing slash (except the root), sorts the remaining query parameters and
    normalises percent-escapes. Raises ValueError for a URL that is not http(s) with a host.
    """
    parts = urlsplit(url.strip())
    scheme = parts.scheme.lower()
    if scheme not in ("http", "https") or not parts.hostname:
        raise ValueError(f"not an http(s) URL with a host: {url!r}")
    host = parts.hostname.rstrip(".")
    if ":" in host:
        host = f"[{host}]"
    port = parts.port
    if port and not ((scheme == "http" and port == 80) or (scheme == "https" and port == 443)):
        host = f"{host}:{port}"
    path = quote(unquote(parts.path), safe="/:@!$&'()*+,;=-._~") or "/"
    if len(path) > 1:
        path = path.rstrip("/") or "/"
    query = sorted((k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True)
                   if not _is_tracking(k))
    return urlunsplit((scheme, host, path, urlencode(query), ""))


def url_id(canonical: str) -> str:
    """A stable 16-hex-digit id for a canonical URL."""
    return hashlib.sha256(canonical.encode()).hexdigest()[:16]
