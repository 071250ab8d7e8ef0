"""Every command the README names starts: its module imports and its --help exits 0.

The import errors a refactor leaves behind in a command no other test runs (the load test, the
profiler, the nginx filler) show here, not in the hands of the next person who runs it.
"""

from __future__ import annotations

import re
import subprocess
import sys

import pytest

from tests.conftest import ROOT

COMMANDS = ("pipeline", "demo", "bench", "bench.profile", "load", "deploy.serve", "deploy.nginx", "tests.attacks")


@pytest.mark.parametrize("module", COMMANDS)
def test_the_command_starts(module: str) -> None:
    done = subprocess.run(
        [sys.executable, "-m", module, "--help"], cwd=ROOT, capture_output=True, text=True, timeout=120, check=False
    )
    assert done.returncode == 0, done.stderr[-3000:]
    assert "usage:" in done.stdout, done.stdout[:500]


def test_the_list_is_the_readmes() -> None:
    """The commands above are the ones the README names (Streamlit's own aside): a command added
    there is started here too."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    named = set(re.findall(r"python -m ([a-z_.]+[a-z_])", readme)) - {"streamlit"}
    assert named == set(COMMANDS)
