"""Configuration: the only reader of TOML and the environment, and the built-in story files.

- `models.py`: the config file's schema, one pydantic model per table (defaults, bounds);
- `base.py`: what the models share, and pydantic's errors as one line naming file and key;
- `story.py` and `story_pact/`: the story's files, merged with a config's `[story]`;
- `settings.py`: `load_settings`, the typed options handed to each stage (`Settings`).
May import extractors and warehouse (the option types they take); nothing imports it but
flows and deploy. Import from `flows.config`, not its modules; never Prefect.
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
