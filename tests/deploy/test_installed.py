"""pactwatch as a user installs it: a wheel, not the source tree."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.e2e

ROOT = Path(__file__).parents[2]
RUN = """
import sys, flows, deploy.cli
assert flows.__file__.startswith(sys.argv[1]), flows.__file__  # the wheel, not the source
sys.exit(deploy.cli.main(sys.argv[2:]))
"""


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The project built and installed (no dependencies) into a folder of its own."""
    tmp = tmp_path_factory.mktemp("wheel")
    src = tmp / "src"
    src.mkdir()
    for name in ("pyproject.toml", "README.md"):
        shutil.copy(ROOT / name, src / name)
    for package in ("flows", "extractors", "warehouse", "deploy"):
        shutil.copytree(ROOT / package, src / package,
                        ignore=shutil.ignore_patterns("__pycache__"))
    site = tmp / "site"
    # pip builds the wheel with the build backend pyproject.toml asks for, as a user's does
    subprocess.run([sys.executable, "-m", "pip", "install", "--quiet", "--no-deps",
                    "--target", str(site), str(src)], check=True, capture_output=True,
                   timeout=300)
    return site


def run_installed(site: Path, *args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(site)}
    return subprocess.run([sys.executable, "-c", RUN, str(site), *args], cwd=cwd, env=env,
                          text=True, capture_output=True, timeout=600)


def test_eval_claims_works_from_an_installed_wheel(installed: Path, tmp_path: Path) -> None:
    result = run_installed(installed, "eval", "claims", cwd=tmp_path)
    assert result.returncode == 0, result.stderr[-2000:]
    assert "changed" in result.stdout and "precision" in result.stdout


def test_eval_framing_works_from_an_installed_wheel(installed: Path, tmp_path: Path) -> None:
    result = run_installed(installed, "eval", "framing", "--lexicons-only", cwd=tmp_path)
    assert result.returncode == 0, result.stderr[-2000:]
    assert "dominant frame right" in result.stdout
