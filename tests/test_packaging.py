"""The project is a package: pyproject.toml's setuptools configuration builds `dashboard` and `pipeline`.

Offline and without the `wheel` package: setuptools' own commands (``egg_info``, then ``build_py``,
which is what a wheel holds) run on a copy of what a build reads, so nothing is written into the
repository. What is checked: the two packages and every subpackage, module and data file under them
(a file added later is caught until pyproject.toml names it), nothing else of the repository, and
the dependencies are requirements.txt's pins. `pip install .` and `pip install -e .` were run by
hand (docs/DEVELOPMENT.md, "Installing as a package").
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import ROOT

PACKAGES = ("dashboard", "pipeline")
NOT_SHIPPED = {"__pycache__", ".pytest_cache"}


def _pins(text: str) -> list[str]:
    """requirements.txt's requirement lines, without comments: what the metadata must require."""
    lines = (line.split("#", 1)[0].strip() for line in text.splitlines())
    return [line for line in lines if line]


def _shipped(folder: Path) -> set[str]:
    """Every file under a package that an install should hold, relative to the repository."""
    return {
        p.relative_to(ROOT).as_posix()
        for p in folder.rglob("*")
        if p.is_file() and not NOT_SHIPPED & set(p.relative_to(ROOT).parts) and p.suffix != ".pyc"
    }


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A copy of what the build reads, built with setuptools' commands; returns the copy."""
    src = tmp_path_factory.mktemp("src")
    for name in ("pyproject.toml", "requirements.txt", "README.md", "LICENSE"):
        shutil.copy2(ROOT / name, src / name)
    for name in PACKAGES:
        shutil.copytree(ROOT / name, src / name, ignore=shutil.ignore_patterns(*NOT_SHIPPED, "*.pyc"))
    commands = ["egg_info", "build_py", "--build-lib", "lib"]
    done = subprocess.run(
        [sys.executable, "-c", "from setuptools import setup; setup()", "-q", *commands],
        cwd=src,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return src


def test_the_build_holds_both_packages_and_nothing_else(built: Path) -> None:
    lib = built / "lib"
    got = {p.relative_to(lib).as_posix() for p in lib.rglob("*") if p.is_file()}
    want = set().union(*(_shipped(ROOT / name) for name in PACKAGES))
    assert got == want, f"missing: {sorted(want - got)}; not expected: {sorted(got - want)}"
    (info,) = built.glob("*.egg-info")
    assert set((info / "top_level.txt").read_text(encoding="utf-8").split()) == set(PACKAGES)


def test_the_dependencies_are_requirements_txt(built: Path) -> None:
    (info,) = built.glob("*.egg-info")
    required = _pins((info / "requires.txt").read_text(encoding="utf-8"))
    assert required == _pins((ROOT / "requirements.txt").read_text(encoding="utf-8"))
    assert "Requires-Python: >=3.11" in (info / "PKG-INFO").read_text(encoding="utf-8")
