"""The seed articles shipped with the project (warehouse/seeds/)."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from datetime import datetime
from importlib import resources


@dataclass(frozen=True)
class SeedArticle:
    url: str
    title: str
    outlet: str
    author: str | None
    published_at: datetime
    text: str


def seed_articles() -> list[SeedArticle]:
    """Read the seed manifest and texts. The first line of each text is its title."""
    root = resources.files("warehouse") / "seeds"
    manifest = tomllib.loads((root / "seeds.toml").read_text(encoding="utf-8"))
    out = []
    for item in manifest["seeds"]:
        text = (root / item["file"]).read_text(encoding="utf-8").strip()
        out.append(SeedArticle(item["url"], item["title"], item["outlet"],
                               item["author"] or None,
                               datetime.fromisoformat(item["published_at"]), text))
    return out
