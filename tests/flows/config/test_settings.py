"""Every number in the config has bounds; a value outside them names the file and the key."""

from __future__ import annotations

from pathlib import Path

import pytest

from flows.config import ConfigError, load_settings

BASE = ("[warehouse]\npath = 'w.duckdb'\n[[feeds]]\nname = 'a'\n"
        "url = 'https://a.example/rss'\n")
EMAIL = ("smtp_host = 'mail.example'\nsender = 'p@example.org'\n"
         "recipients = ['a@example.org']\n")

# every numeric key a user can write, with a value below and one above what makes sense
OUT_OF_BOUNDS = {
    "fetch.timeout_seconds": (0, 100_000), "fetch.deadline_seconds": (-1, 100_000),
    "fetch.max_bytes": (0, 10**12), "fetch.max_redirects": (-1, 1000),
    "fetch.per_host_concurrency": (0, 10_000), "fetch.retries": (-1, 1000),
    "fetch.max_pages_in_flight": (0, 10**6),
    "fetch.backoff_seconds": (-0.5, 100_000), "fetch.max_retry_after_seconds": (-1, 10**7),
    "nlp.processes": (0, 1000), "run.batch_size": (0, 10**7),
    "run.wait_for_lock_seconds": (-1, 10**7), "dedup.threshold": (0, 1.5),
    "schedule.monitor_every_minutes": (0, 10**7), "schedule.min_poll_minutes": (0, 10**7),
    "schedule.default_poll_minutes": (0, 10**7), "schedule.max_poll_minutes": (0, 10**7),
    "email.smtp_port": (0, 70_000), "email.timeout_seconds": (0, 100_000),
    "story.threshold": (-0.1, 1.5),
}


def config(tmp_path: Path, key: str, value: float) -> Path:
    table, name = key.split(".")
    text = BASE + f"[{table}]\n{name} = {value!r}\n" + (EMAIL if table == "email" else "")
    path = tmp_path / "c.toml"
    path.write_text(text)
    return path


@pytest.mark.parametrize("key", sorted(OUT_OF_BOUNDS))
def test_a_number_outside_its_bounds_is_refused_naming_file_and_key(tmp_path: Path,
                                                                    key: str) -> None:
    table, name = key.split(".")
    for value in OUT_OF_BOUNDS[key]:
        path = config(tmp_path, key, value)
        with pytest.raises(ConfigError) as info:
            load_settings(path)
        message = str(info.value)
        assert message.startswith(f"{path}: [{table}].{name} must be between ")
        assert f"got {value!r}" in message


def test_retries_minus_one_is_refused_not_a_pass_where_every_fetch_fails(tmp_path: Path) -> None:
    path = config(tmp_path, "fetch.retries", -1)
    with pytest.raises(ConfigError, match=r"\[fetch\]\.retries must be between 0 and 10"):
        load_settings(path)


def test_values_at_the_bounds_are_accepted(tmp_path: Path) -> None:
    path = tmp_path / "c.toml"
    path.write_text(BASE + "[fetch]\nretries = 0\nmax_redirects = 0\n[run]\n"
                    "wait_for_lock_seconds = 0\n[dedup]\nthreshold = 1.0\n")
    settings = load_settings(path)
    assert (settings.fetch.retries, settings.fetch.max_redirects) == (0, 0)
    assert settings.wait_for_lock_s == 0 and settings.dedup_threshold == 1.0


def test_poll_bounds_must_be_in_order(tmp_path: Path) -> None:
    path = tmp_path / "c.toml"
    path.write_text(BASE + "[schedule]\nmin_poll_minutes = 60\nmax_poll_minutes = 30\n")
    with pytest.raises(ConfigError, match=r"\[schedule\]\.min_poll_minutes .*must not exceed"):
        load_settings(path)


def test_the_smtp_password_comes_from_the_environment_and_is_never_shown(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PACTWATCH_SMTP_PASSWORD", "hunter2-secret")
    path = tmp_path / "c.toml"
    path.write_text(BASE + "[email]\n" + EMAIL, encoding="utf-8")
    settings = load_settings(path)
    assert settings.email is not None
    assert settings.email.password.get_secret_value() == "hunter2-secret"
    assert "hunter2" not in repr(settings) and "hunter2" not in str(settings.email)


def test_a_password_in_the_file_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "c.toml"
    path.write_text(BASE + "[email]\npassword = 'x'\n" + EMAIL, encoding="utf-8")
    with pytest.raises(ConfigError, match=r"\[email\]\.password unknown key"):
        load_settings(path)


def test_every_number_a_config_may_hold_has_bounds() -> None:
    import typing

    from pydantic import BaseModel

    from flows.config.base import Bounds
    from flows.config.models import ConfigFile

    def kinds(annotation: object, metadata: list[object]) -> list[tuple[object, list[object]]]:
        """(type, its metadata) for the annotation and each type inside it."""
        if typing.get_origin(annotation) is typing.Annotated:
            base, *meta = typing.get_args(annotation)
            return kinds(base, [*metadata, *meta])
        return [(annotation, metadata)] + [k for a in typing.get_args(annotation)
                                           for k in kinds(a, [])]

    numbers, unbounded = [], []

    def walk(model: type[BaseModel], prefix: str = "") -> None:
        for name, info in model.model_fields.items():
            found = kinds(info.annotation, list(info.metadata))
            inner = [t for t, _m in found if isinstance(t, type) and issubclass(t, BaseModel)]
            if inner:
                walk(inner[0], f"{prefix}{name}.")
            for t, meta in found:
                if t in (int, float):
                    numbers.append(prefix + name)
                    if not any(isinstance(m, Bounds) for m in meta):
                        unbounded.append(prefix + name)

    walk(ConfigFile)
    assert len(numbers) >= 20 and "nlp.processes" in numbers and "story.threshold" in numbers
    assert unbounded == []
