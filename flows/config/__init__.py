"""Configuration: the only reader of TOML and the environment, and the built-in story.

Lives here: settings.py (the TOML config file to typed settings, bounds checked) and
story_pact.toml (the built-in story). Import from `flows.config`, not its modules.

May import: extractors, warehouse. Never Prefect, the rest of flows, or deploy.
"""

from flows.config.settings import (
    DEFAULT_MODEL,
    ConfigError,
    EmailConfig,
    FeedConfig,
    FramingConfig,
    ScheduleConfig,
    Settings,
    builtin_story,
    default_config_path,
    load_settings,
    prefect_defaults,
)

__all__ = [
    "DEFAULT_MODEL",
    "ConfigError",
    "EmailConfig",
    "FeedConfig",
    "FramingConfig",
    "ScheduleConfig",
    "Settings",
    "builtin_story",
    "default_config_path",
    "load_settings",
    "prefect_defaults",
]
