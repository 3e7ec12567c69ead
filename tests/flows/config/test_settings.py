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
