"""Dates in claims, for matching: do two claims' dates disagree, and does a claim date its
event after another was published (extractors.matching)."""

from __future__ import annotations

import functools
import re
from collections.abc import Mapping
from datetime import date, datetime, timedelta
from types import MappingProxyType

MONTHS = ("january", "february", "march", "april", "may", "june", "july", "august",
          "september", "october", "november", "december")


_YEAR = re.compile(r"\b(1[89]\d\d|20\d\d)\b")
_MONTH = tuple((m, re.compile(rf"\b({m}|{m[:3]}|{m[:4]})\b")) for m in MONTHS)
WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
_WEEKDAY = re.compile(rf"(on |last )?({'|'.join(WEEKDAYS)})")
_DAY = re.compile(r"\b([0-3]?\d)(st|nd|rd|th)?\b")


@functools.lru_cache(maxsize=65_536)
def _date_parts(text: str) -> Mapping[str, str]:
    """The year, month and day a date expression names (those it names). Cached: matching
    compares each claim's dates with many candidates'; the result is read-only."""
    low = text.lower()
    parts = {}
    if year := _YEAR.search(low):
        parts["year"] = year.group(1)
    if month := next((m for m, pattern in _MONTH if pattern.search(low)), None):
        parts["month"] = month
        if day := _DAY.search(low.replace(parts.get("year", "#"), "")):
            parts["day"] = day.group(1)
    return MappingProxyType(parts)


def dates_conflict(old: tuple[str, ...], new: tuple[str, ...]) -> bool:
    """True when every absolute date of `new` disagrees with every one of `old` on a part
    both give (year, month or day): "24 October" and "October" agree."""
    a = [p for d in old if (p := _date_parts(d))]
    b = [p for d in new if (p := _date_parts(d))]
    if not a or not b:
        return False
    def clash(x: Mapping[str, str], y: Mapping[str, str]) -> bool:
        return any(x[k] != y[k] for k in x.keys() & y.keys())
    return all(clash(x, y) for x in a for y in b)


def _absolute_day(text: str, published: datetime) -> date | None:
    """The calendar day a date expression names, read in the light of its article's
    publication ("August 13" in a piece of 16 August 2024 is 13 August 2024; a month later
    than publication means the year before; a bare weekday, "on Friday", the last such day
    up to publication: a piece tells of its week); None without a month and a day or a
    weekday."""
    parts = _date_parts(text)
    if "month" not in parts or "day" not in parts:
        weekday = _WEEKDAY.fullmatch(text.strip().lower()) if not parts else None
        if weekday is None:
            return None
        back = (published.weekday() - WEEKDAYS.index(weekday.group(2))) % 7
        return published.date() - timedelta(days=back)
    month, day = MONTHS.index(parts["month"]) + 1, int(parts["day"])
    year = int(parts.get("year", published.year))
    if "year" not in parts and month > published.month + 1:
        year -= 1
    try:
        return date(year, month, day)
    except ValueError:
        return None


def dated_after(dates: tuple[str, ...], published: datetime, day: date) -> bool:
    """True when every day that `dates` name (read in the light of `published`) is after
    `day`, and they name at least one."""
    days = [d for t in dates if (d := _absolute_day(t, published))]
    return bool(days) and all(d > day for d in days)
