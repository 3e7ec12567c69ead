"""Pages that stand between us and the article: bot challenges, login walls, paywalls.

A 200 answer is not always the article. Such a page's text is not the story (a challenge's
"Checking your browser…" must never become an article's text), so the caller stores the
feed's text instead and records which obstacle it met.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

# Markers that bot-management services put in their challenge pages (Cloudflare, DataDome,
# PerimeterX, Imperva/Incapsula, reCAPTCHA/hCaptcha walls), and what they say to people.
CHALLENGE_MARKERS = (
    "cf-chl-", "/cdn-cgi/challenge-platform", "challenges.cloudflare.com",
    "captcha-delivery.com", "px-captcha", "_incapsula_resource", "g-recaptcha",
    "hcaptcha.com/", "checking your browser", "verify you are human", "are you a robot",
    "enable javascript and cookies to continue", "<title>just a moment...</title>",
    "attention required! | cloudflare",
)
PAYWALL_PHRASES = (
    "subscribe to continue reading", "subscribe to read", "to continue reading, subscribe",
    "for subscribers only", "subscriber-only", "this article is reserved for subscribers",
    "sign in to continue reading", "log in to continue reading",
    "create a free account to continue", "you have reached your free article limit",
    "you've reached your article limit",
)
_PASSWORD = re.compile(r"""<input[^>]+type\s*=\s*["']?password""", re.IGNORECASE)
_NOT_FREE = re.compile(r""""isAccessibleForFree"\s*:\s*"?false""", re.IGNORECASE)
# a real article may mention a captcha or carry a login box in its header: markers count
# only on a page whose main text is short
SHORT_PAGE_CHARS = 1000


@dataclass(frozen=True)
class Obstacle:
    """What the page was instead of the article: `problem` is a `page_problem` value."""

    problem: str          # bot-challenge | login | paywall
    reason: str


def find_obstacle(html: str, text: str) -> Obstacle | None:
    """The obstacle `html` is (its main text being `text`), or None for an ordinary page.

    A paywall keeps its teaser (the caller adds the feed's text); a challenge or a login
    page has no article text at all.
    """
    lower = html.lower()
    short = len(text) < SHORT_PAGE_CHARS
    marker = next((m for m in CHALLENGE_MARKERS if m in lower), None)
    if short and marker:
        return Obstacle("bot-challenge", f"a bot challenge page ({marker!r})")
    if short and _PASSWORD.search(html):
        return Obstacle("login", "a login page (a password form and little text)")
    if _NOT_FREE.search(html):
        return Obstacle("paywall", "a paywall (isAccessibleForFree: false)")
    phrase = next((p for p in PAYWALL_PHRASES if p in lower), None)
    if short and phrase:
        return Obstacle("paywall", f"a paywall ({phrase!r})")
    return None
