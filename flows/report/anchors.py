"""Where things are on the story page: the ids the page gives them and the links the
digest makes to them. One place, so that the page and the digest always agree."""

from __future__ import annotations

import re

WHAT_IS_NEW = "new"
TIMELINES = "timelines"
FRAMING = "framing"
COVERAGE = "coverage"
RISING = "rising"
FAILING = "failing"


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-") or "x"


def claim(origin_claim_id: str) -> str:
    """The id of an assertion on the page: its timeline, or its item under What is new."""
    return "claim-" + _slug(origin_claim_id)


def outlet_framing(outlet: str) -> str:
    """The id of an outlet's framing changes."""
    return "framing-" + _slug(outlet)


def page_link(base_url: str, anchor: str) -> str:
    """The URL of `anchor` on the page published at `base_url` (the page's folder)."""
    return f"{base_url.rstrip('/')}/index.html#{anchor}"
