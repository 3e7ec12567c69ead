"""README.md's configuration blocks against the models, both ways: every key the README shows
exists and its block loads; every key the models accept is shown in the README; the block of
optional keys shows each default as the models hold it."""

from __future__ import annotations

import re
import shutil
import tomllib
import typing
from pathlib import Path
from typing import Any

import pytest
from pydantic import BaseModel

from flows.config import load_settings
from flows.config.models import ConfigFile

ROOT = Path(__file__).resolve().parents[3]
README = (ROOT / "README.md").read_text(encoding="utf-8")
BLOCKS = re.findall(r"```toml\n(.*?)```", README, re.DOTALL)
MINIMAL = "[warehouse]\npath = 'w.duckdb'\n[[feeds]]\nname = 'a'\nurl = 'https://a.example/rss'\n"


def model_in(annotation: Any) -> type[BaseModel] | None:
    """The model a field holds (itself, optional, or a tuple of them), else None: a dict or
    a list of values is data whose keys are the user's (group names, frame names…)."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    if typing.get_origin(annotation) is dict:
        return None
    for arg in typing.get_args(annotation):
        if (found := model_in(arg)) is not None:
            return found
    return None


def model_keys(model: type[BaseModel], prefix: str = "") -> set[str]:
    """Every key path the models accept ("fetch.retries", "story.aliases.canonical")."""
    out = set()
    for name, info in model.model_fields.items():
        inner = model_in(info.annotation)
        out |= model_keys(inner, f"{prefix}{name}.") if inner else {prefix + name}
    return out


def readme_keys(data: dict[str, Any], model: type[BaseModel] = ConfigFile,
                prefix: str = "") -> set[str]:
    """The key paths a README block writes, descending only where the models have tables."""
    out = set()
    for key, value in data.items():
        field = model.model_fields.get(key)
        inner = model_in(field.annotation) if field else None
        items = value if isinstance(value, list) else [value]
        if inner and all(isinstance(v, dict) for v in items) and items:
            for item in items:
                out |= readme_keys(item, inner, f"{prefix}{key}.")
        else:
            out.add(prefix + key)
    return out


def shown() -> set[str]:
    return set().union(*(readme_keys(tomllib.loads(b)) for b in BLOCKS))


def test_the_readme_has_its_configuration_blocks() -> None:
    assert len(BLOCKS) >= 3 and all(b.strip() for b in BLOCKS)


def test_every_key_in_the_readme_exists_in_the_models() -> None:
    unknown = shown() - model_keys(ConfigFile)
    assert not unknown, f"README shows keys the config refuses: {sorted(unknown)}"


def test_every_key_of_the_models_is_documented_in_the_readme() -> None:
    missing = model_keys(ConfigFile) - shown()
    assert not missing, f"keys missing from README's configuration blocks: {sorted(missing)}"


@pytest.mark.parametrize("n", range(len(BLOCKS)))
def test_each_block_loads_as_a_config(tmp_path: Path, n: int) -> None:
    block = BLOCKS[n]
    data = tomllib.loads(block)
    text = block
    if "warehouse" not in data:
        text = "[warehouse]\npath = 'w.duckdb'\n" + text
    if "feeds" not in data:
        text += "\n[[feeds]]\nname = 'a'\nurl = 'https://a.example/rss'\n"
    for name in ("frame_prototypes.toml", "tone_prototypes.toml"):   # read beside the config
        shutil.copy(ROOT / "flows" / "config" / "story_pact" / name, tmp_path / name)
    (tmp_path / "c.toml").write_text(text, encoding="utf-8")
    settings = load_settings(tmp_path / "c.toml")
    assert settings.feeds and settings.warehouse_path.name.endswith(".duckdb")


def defaults(model: type[BaseModel], prefix: str = "") -> dict[str, Any]:
    out: dict[str, Any] = {}
    for name, info in model.model_fields.items():
        inner = model_in(info.annotation)
        if inner is not None:
            out |= defaults(inner, f"{prefix}{name}.")
        elif not info.is_required() and info.default is not None:
            out[prefix + name] = info.default
    return out


def flat(data: dict[str, Any], prefix: str = "") -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in data.items():
        if isinstance(value, dict):
            out |= flat(value, f"{prefix}{key}.")
        elif isinstance(value, list) and value and all(isinstance(v, dict) for v in value):
            out |= flat(value[0], f"{prefix}{key}.")
        else:
            out[prefix + key] = tuple(value) if isinstance(value, list) else value
    return out


def test_the_optional_keys_show_the_models_defaults() -> None:
    [block] = [b for b in BLOCKS if "Optional keys" in README.split(b)[0][-200:]]
    written = {k: v for k, v in flat(tomllib.loads(block)).items()
               if not k.startswith("story.")}   # the story's keys are examples
    known = defaults(ConfigFile)
    differ = {k: (v, known[k]) for k, v in written.items() if k in known and v != known[k]}
    assert not differ, f"README default differs from the model's: {differ}"
    assert len(set(written) & set(known)) >= 25   # the check compared something
