"""ARCHITECTURE.md matches the code: every path and every dotted name it gives exists."""

from __future__ import annotations

import importlib
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PAGE = (ROOT / "ARCHITECTURE.md").read_text(encoding="utf-8")
PACKAGES = ("flows", "extractors", "warehouse", "deploy")
# `flows/monitor.py`, `warehouse/views/040_claims.sql`, `deploy/cli/` (a folder)
PARTS = "|".join(PACKAGES)
PATH = re.compile(rf"`((?:{PARTS})/[\w/.-]*)`")
# `flows.monitor.monitor`, `extractors.claims.extract`
DOTTED = re.compile(rf"`((?:{PARTS})(?:\.\w+)+)`")


def resolve(dotted: str) -> object:
    """The module or attribute `dotted` names: the longest importable prefix, then
    attributes. Raises ImportError or AttributeError when it does not exist."""
    parts = dotted.split(".")
    for cut in range(len(parts), 0, -1):
        try:
            found: object = importlib.import_module(".".join(parts[:cut]))
        except ModuleNotFoundError:
            continue
        for name in parts[cut:]:
            found = getattr(found, name)
        return found
    raise ImportError(dotted)


def test_every_path_on_the_page_exists() -> None:
    paths = PATH.findall(PAGE)
    assert len(paths) >= 10, paths
    missing = [p for p in paths if not (ROOT / p).exists()]
    assert missing == [], f"ARCHITECTURE.md names paths that do not exist: {missing}"


def test_every_dotted_name_on_the_page_exists() -> None:
    names = DOTTED.findall(PAGE)
    assert len(names) >= 20, names
    missing = []
    for name in names:
        try:
            resolve(name)
        except (ImportError, AttributeError) as exc:
            missing.append(f"{name} ({exc})")
    assert missing == [], f"ARCHITECTURE.md names what the code lacks: {missing}"


def test_the_walk_crosses_every_part() -> None:
    walk = PAGE.split("## One article", 1)[1]
    for part in ("deploy", "flows", "extractors", "warehouse", "v_claims"):
        assert f"**{part}**" in walk or f"`{part}`" in walk, part
