"""The digest as people read it: rendered by headless Chromium, read back with OCR."""

from __future__ import annotations

import os
import shutil
import subprocess
from datetime import datetime
from pathlib import Path

import pytest

from flows.digest.render import build, render_html

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
TESSERACT = shutil.which("tesseract")


def _tools() -> None:
    if CHROMIUM and TESSERACT:
        return
    message = "needs Debian's chromium and tesseract-ocr (.ci/run installs them)"
    if os.environ.get("PACTWATCH_REQUIRE_BROWSER"):
        pytest.fail(message)
    pytest.skip(message)


def screenshot_text(page: Path, tmp_path: Path, height: int = 1100) -> str:
    """Render `page` in headless Chromium (900 pixels wide, `height` high) and return what
    OCR reads on the screenshot."""
    _tools()
    assert CHROMIUM and TESSERACT
    shot = tmp_path / "digest.png"
    subprocess.run([CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
                    "--no-first-run", "--disable-background-networking", "--disable-sync",
                    "--disable-component-update", f"--user-data-dir={tmp_path / 'profile'}",
                    "--hide-scrollbars", f"--window-size=900,{height}", f"--screenshot={shot}",
                    page.as_uri()], check=True, capture_output=True, timeout=120)
    assert shot.stat().st_size > 10_000
    ocr = subprocess.run([TESSERACT, str(shot), "-", "--psm", "3"], check=True,
                         capture_output=True, text=True, timeout=120).stdout
    return " ".join(ocr.split())


def row(status: str, sentence: str, outlet: str, url: str, origin: str, **extra: object) -> dict:
    return {"claim_id": url + sentence[:5], "is_seed": False, "status": status,
            "origin_claim_id": origin, "sentence": sentence, "claim_text": sentence,
            "claimant": extra.get("claimant", ""), "certainty": "reported", "outlet": outlet,
            "article_url": url, "published_at": datetime(2024, 11, 5), "first_seen_at": None,
            "changes": extra.get("changes", []), "matched_sentence": extra.get("matched"),
            "matched_outlet": "Harbour Times", "matched_article_url": "https://h.example/1",
            "checkworthiness": 0.9, "judged_at": datetime(2024, 11, 5)}


def test_digest_reads_right_in_a_browser(tmp_path: Path) -> None:
    _tools()
    rows = [
        row("changed", "South Korea's spy agency now says North Korea has sent 3,000 troops to "
            "Russia.", "Baltic Courier", "https://b.example/2", "c1", claimant="South Korea",
            changes=[{"field": "quantity", "old": "1,500 troop", "new": "3,000 troop"}],
            matched="North Korea had sent 1,500 special forces troops to Russia."),
        row("repeated", "North Korea has sent 3,000 troops to Russia, officials said.",
            "Steppe Review", "https://s.example/9", "c1"),
        row("new", "Russia will open a consulate in Wonsan <script>alert(1)</script>.",
            "Pacific Monitor", "https://p.example/3", "c2"),
    ]
    digest = build(rows, [], [{"name": "Broken Feed", "url": "https://x.example/rss",
                               "consecutive_failures": 3, "last_error": "HTTP 404"}],
                   None, datetime(2024, 11, 6))
    page = tmp_path / "digest.html"
    page.write_text(render_html(digest), encoding="utf-8")
    words = screenshot_text(page, tmp_path)
    for expected in ("1 new claims, 1 changed, 1 failing feeds", "quantity", "3,000 troop",
                     "1,500 special forces troops", "Baltic Courier", "Steppe Review",
                     "Failing feeds", "Broken Feed", "HTTP 404"):
        assert expected in words, (expected, words)
    # the hostile title is shown as text, not run or swallowed as a tag
    assert "alert(1)" in words and "</script>" in words
