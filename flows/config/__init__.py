"""Configuration: the only reader of TOML and the environment, and the built-in story files."""

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
