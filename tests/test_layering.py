"""The house rules, read from the source: imports run one way and no module grows past 400
lines.

    deploy -> flows -> (extractors, warehouse)

extractors/ and warehouse/ import neither Prefect nor flows/ nor deploy/, nor each other;
flows/ never imports deploy/; flows/config/ (the only reader of TOML and the environment)
imports no Prefect and nothing else of flows/. Every import statement counts, including the
ones inside functions (the CLI imports its flows lazily).
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("flows", "extractors", "warehouse", "deploy")
MAX_LINES = 400
# (folder, imported module prefixes it must never import)
FORBIDDEN = {
    "extractors": ("prefect", "flows", "deploy", "warehouse"),
    "warehouse": ("prefect", "flows", "deploy", "extractors"),
    "flows": ("deploy",),
    "flows/config": ("prefect", "prefect_dask", "flows.monitor", "flows.tasks", "flows.digest",
                     "flows.report", "flows.backfill", "flows.pages", "flows.claims",
                     "flows.framing_step", "flows.schedule", "flows.discovery",
                     "flows.artifacts", "flows.progress", "flows.rows"),
}


def modules(folder: str, root: Path = ROOT) -> list[Path]:
    """Every Python file under root/folder (data folders included), sorted."""
    return sorted(p for p in (root / folder).rglob("*.py") if "__pycache__" not in p.parts)


def imported(path: Path, root: Path = ROOT) -> set[str]:
    """The absolute module names a file imports anywhere in it (relative imports are resolved
    against the file's own package)."""
    package = path.relative_to(root).parent.parts
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = package[: len(package) - node.level + 1] if node.level else ()
            module = ".".join([*base, *([node.module] if node.module else [])])
            if module:
                names.add(module)
            names.update(".".join(filter(None, (module, alias.name))) for alias in node.names)
    return names


def breaches(folder: str, forbidden: tuple[str, ...], root: Path = ROOT) -> list[str]:
    """`file imports name` for each forbidden import under root/folder."""
    found = []
    for path in modules(folder, root):
        for name in sorted(imported(path, root)):
            if any(name == f or name.startswith(f + ".") for f in forbidden):
                found.append(f"{path.relative_to(root)} imports {name}")
    return found


@pytest.mark.parametrize("folder", sorted(FORBIDDEN))
def test_imports_run_one_way(folder: str) -> None:
    assert modules(folder), f"{folder}/ has no modules: the rule checks nothing"
    assert breaches(folder, FORBIDDEN[folder]) == []


def test_the_check_sees_lazy_and_relative_imports(tmp_path: Path) -> None:
    # a breach hidden in a function, and relative imports, are read like any other
    (tmp_path / "extractors" / "sub").mkdir(parents=True)
    (tmp_path / "extractors" / "sub" / "probe.py").write_text(
        "from . import fine\nfrom ..feeds import parse\n\n"
        "def f() -> None:\n    import prefect.tasks\n    from ... import flows\n"
        "    from warehouse.db import connect\n")
    assert breaches("extractors", FORBIDDEN["extractors"], tmp_path) == [
        "extractors/sub/probe.py imports flows",
        "extractors/sub/probe.py imports prefect.tasks",
        "extractors/sub/probe.py imports warehouse.db",
        "extractors/sub/probe.py imports warehouse.db.connect"]
    assert {"extractors.sub.fine", "extractors.feeds.parse"} <= imported(
        tmp_path / "extractors" / "sub" / "probe.py", tmp_path)


def test_no_module_over_400_lines() -> None:
    too_long = [f"{p.relative_to(ROOT)}: {n} lines"
                for folder in PACKAGES for p in modules(folder)
                if (n := len(p.read_text().splitlines())) > MAX_LINES]
    assert too_long == [], f"modules over {MAX_LINES} lines (split them): {too_long}"


def test_each_package_says_what_lives_there_and_what_it_may_import() -> None:
    inits = [p for folder in PACKAGES for p in modules(folder) if p.name == "__init__.py"]
    assert len(inits) >= len(PACKAGES)
    missing = [str(p.relative_to(ROOT)) for p in inits
               if "May import" not in (ast.get_docstring(ast.parse(p.read_text())) or "")]
    assert missing == [], f"no opening docstring saying what it may import: {missing}"
