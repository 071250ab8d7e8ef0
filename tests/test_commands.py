"""What the docs name works: every command they name starts (its module imports and its --help
exits 0), and every link between them reaches a file of the repository and a heading in it.

The import errors a refactor leaves behind in a command no other test runs (the load test, the
profiler, the nginx filler) show here, not in the hands of the next person who runs it; so does a
section moved from one document to another with links still pointing at its old place.
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import ROOT

COMMANDS = ("pipeline", "demo", "bench", "bench.profile", "load", "deploy.serve", "deploy.nginx", "tests.attacks")
DOCS = (ROOT / "README.md", ROOT / "CHANGELOG.md", *sorted((ROOT / "docs").rglob("*.md")))
FENCE = re.compile(r"^```.*?^```", re.M | re.S)
LINK = re.compile(r"\[[^\]]*\]\(([^)\s]+)\)")


@pytest.mark.parametrize("module", COMMANDS)
def test_the_command_starts(module: str) -> None:
    done = subprocess.run(
        [sys.executable, "-m", module, "--help"], cwd=ROOT, capture_output=True, text=True, timeout=120, check=False
    )
    assert done.returncode == 0, done.stderr[-3000:]
    assert "usage:" in done.stdout, done.stdout[:500]


def test_the_list_is_the_docs() -> None:
    """The commands above are the ones the README and docs/*.md name (Streamlit's own aside): a
    command added there is started here too."""
    text = "\n".join(p.read_text(encoding="utf-8") for p in DOCS if p.name != "CHANGELOG.md")
    named = set(re.findall(r"python -m ([a-z_.]+[a-z_])", text)) - {"streamlit"}
    assert named == set(COMMANDS)


def _anchors(path: Path) -> set[str]:
    """GitHub's anchors of a Markdown file's headings: lower case, punctuation dropped, spaces to hyphens."""
    anchors: set[str] = set()
    for heading in re.findall(r"^#+ (.+)$", FENCE.sub("", path.read_text(encoding="utf-8")), re.M):
        anchor = re.sub(r"[^\w\- ]", "", heading.strip().lower()).replace(" ", "-")
        n, unique = 0, anchor
        while unique in anchors:
            n += 1
            unique = f"{anchor}-{n}"
        anchors.add(unique)
    return anchors


@pytest.mark.parametrize("doc", DOCS, ids=lambda p: p.relative_to(ROOT).as_posix())
def test_every_link_reaches_a_file_and_a_heading(doc: Path) -> None:
    """Relative links only inside the repository, to a file that exists, and to a heading it has."""
    broken = []
    for target in LINK.findall(FENCE.sub("", doc.read_text(encoding="utf-8"))):
        if re.match(r"[a-z]+:", target):  # https:, mailto: ... are not the repository's
            continue
        path, _, anchor = target.partition("#")
        file = (doc.parent / path).resolve() if path else doc
        if not file.is_relative_to(ROOT) or not file.exists():
            broken.append(f"{target}: no such file in the repository")
        elif anchor and file.suffix == ".md" and anchor not in _anchors(file):
            broken.append(f"{target}: {file.name} has no such heading")
    assert not broken, broken
