"""Canonical URLs: one spelling per article, and never one spelling for two articles.

Identity only: pages are fetched at the link the feed gave, never at this spelling.
Dropping a parameter that selects content would merge two articles into one (a story lost);
keeping a tracking parameter at worst makes one article two, which near-duplicate linking
and the page's own <link rel=canonical> (see `agreed_canonical`) repair. So only parameters
known to be tracking are dropped; anything unknown is kept.
"""

from __future__ import annotations

import hashlib
import re
from urllib.parse import parse_qsl, quote, urlencode, urlsplit, urlunsplit

# Known to be analytics or ad-click markers, never content (the query-stripping lists of
# Firefox, AdGuard and ClearURLs, which courlan's TRACKERS_RE also draws on, minus every
# name a CMS uses to select an article: courlan's own rule drops `cid`, `source`, `ref`
# and anything starting with `ga`, which would merge `article.php?cid=101` and `?cid=202`).
TRACKING_PREFIXES = ("utm_", "mtm_", "pk_", "piwik_", "hsa_", "oly_", "mc_", "itm_", "at_",
                     "_hs", "vero_", "ga_")
TRACKING_PARAMS = frozenset({
    "fbclid", "gclid", "gclsrc", "dclid", "gbraid", "wbraid", "msclkid", "yclid", "ysclid",
    "twclid", "ttclid", "igshid", "igsh", "li_fat_id", "epik", "_ga", "_gl", "_ke",
    "mkt_tok", "ncid", "cmpid", "ocid", "icid", "ito", "smid", "smtyp", "spm", "xtor",
    "s_cid", "wt.mc_id", "wt_mc_id", "sr_share", "ref_src", "ref_url", "fb_action_ids",
    "fb_action_types", "fb_ref", "fb_source", "action_object_map", "action_type_map",
    "action_ref_map", "guccounter", "guce_referrer", "guce_referrer_sig",
    "__twitter_impression",
})
# Feed and share markers: usually not content, but not surely so. Dropped only when the
# page's own <link rel=canonical> leaves them out (`agreed_canonical`).
MARKER_PARAMS = frozenset({
    "ref", "src", "source", "rss", "feature", "share", "from", "via", "partner", "emc",
    "cmp", "campaign", "medium", "output", "utm", "s_src", "referrer", "referer", "feed",
})
_UNRESERVED = re.compile(r"%([0-9A-Fa-f]{2})")
_PATH_SAFE = "/:@!$&'()*+,;=-._~%"


def _is_tracking(key: str) -> bool:
    key = key.lower()
    return key in TRACKING_PARAMS or key.startswith(TRACKING_PREFIXES)


def _escape(match: re.Match[str]) -> str:
    """Decode an escape of an unreserved character (RFC 3986 2.3); keep any other escape,
    upper-cased: `%2F` inside a path segment is not a `/` and must stay one segment."""
    char = chr(int(match.group(1), 16))
    if char.isascii() and (char.isalnum() or char in "-._~"):
        return char
    return "%" + match.group(1).upper()


def _path(raw: str) -> str:
    path = quote(_UNRESERVED.sub(_escape, raw), safe=_PATH_SAFE) or "/"
    return (path.rstrip("/") or "/") if len(path) > 1 else path


def _host(scheme: str, hostname: str, port: int | None) -> str:
    host = hostname.rstrip(".")
    if ":" in host:
        host = f"[{host}]"
    if port and not ((scheme == "http" and port == 80) or (scheme == "https" and port == 443)):
        host = f"{host}:{port}"
    return host


def canonical_url(url: str) -> str:
    """Return the canonical form of an http(s) URL.

    Lower-cases scheme and host, drops default ports, tracking parameters, a trailing slash
    (except the root) and the fragment (unless it is a `#!` route, which selects content),
    sorts the remaining query parameters and decodes only escapes of unreserved characters.
    Raises ValueError for a URL that is not http(s) with a host.
    """
    parts = urlsplit(url.strip())
    scheme = parts.scheme.lower()
    if scheme not in ("http", "https") or not parts.hostname:
        raise ValueError(f"not an http(s) URL with a host: {url!r}")
    try:
        port = parts.port
    except ValueError as exc:
        raise ValueError(f"bad port in {url!r}") from exc
    query = sorted((k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True)
                   if not _is_tracking(k))
    fragment = parts.fragment if parts.fragment.startswith("!") else ""
    return urlunsplit((scheme, _host(scheme, parts.hostname, port), _path(parts.path),
                       urlencode(query), fragment))


def _site(host: str) -> str:
    return host.lower().removeprefix("www.")


def agreed_canonical(link_canonical: str, declared: str | None) -> str | None:
    """The page's declared <link rel=canonical> as identity, when it agrees with the link.

    It agrees when it names the same site (a leading `www.` and the scheme aside) and the
    same path, and its query is the link's less only feed or share markers
    (MARKER_PARAMS). A canonical pointing elsewhere (the home page, a syndication partner,
    another article's id) is ignored. Returns the canonical form to use, or None.
    """
    if not declared:
        return None
    try:
        page = urlsplit(canonical_url(declared))
    except ValueError:
        return None
    link = urlsplit(link_canonical)
    if _site(page.netloc) != _site(link.netloc) or page.path != link.path:
        return None
    kept, have = set(parse_qsl(page.query, True)), set(parse_qsl(link.query, True))
    dropped = {k.lower() for k, _v in have - kept}
    if not kept <= have or not dropped <= MARKER_PARAMS:
        return None
    return urlunsplit(page)


def url_id(canonical: str) -> str:
    """A stable 16-hex-digit id for a canonical URL."""
    return hashlib.sha256(canonical.encode()).hexdigest()[:16]
