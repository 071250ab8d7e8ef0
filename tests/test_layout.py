"""The house's plan, held: dashboard/ in three rooms whose imports go one way (render -> features
-> core), no import circle, only render imports Streamlit, and no project import tucked inside a
function (where it would hide a circle) but the one that waits for a PDF click."""

from __future__ import annotations

import ast
import shutil
from pathlib import Path

import pytest

from tests.conftest import ROOT

ROOMS = ("core", "features", "render")  # lowest first: a room imports only its own and lower ones
PACKAGE = ROOT / "dashboard"
# (module, what it imports inside a function) -> why it may.
LATE_IMPORTS = {("dashboard.render.printout", "dashboard.render.pdf"): "fpdf and vl-convert take 0.6 s to import"}


def modules() -> dict[str, Path]:
    root = PACKAGE
    return {
        ".".join(path.relative_to(root.parent).with_suffix("").parts): path
        for path in sorted(root.rglob("*.py"))
        if path.name != "__init__.py"
    }


def imports(path: Path) -> list[tuple[str, bool]]:
    """(module imported, whether at the top level) for every import of ``path`` that runs (not those
    under ``if TYPE_CHECKING:``, for annotations only); ``from a import b`` names ``a.b`` too."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    top = {id(node) for node in tree.body}
    for_types = {
        id(inner)
        for node in tree.body
        if isinstance(node, ast.If) and ast.unparse(node.test) in ("TYPE_CHECKING", "typing.TYPE_CHECKING")
        for inner in ast.walk(node)
    }
    found = []
    for node in ast.walk(tree):
        if id(node) in for_types:
            continue
        if isinstance(node, ast.Import):
            found += [(alias.name, id(node) in top) for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found += [(f"{node.module}.{alias.name}", id(node) in top) for alias in node.names]
            found.append((node.module, id(node) in top))
    return found


def project_imports(path: Path, known: dict[str, Path]) -> list[tuple[str, bool]]:
    return [(name, at_top) for name, at_top in imports(path) if name in known]


def room(module: str) -> str:
    return module.split(".")[1]


def test_every_module_is_in_a_room() -> None:
    loose = [path.name for path in PACKAGE.glob("*.py") if path.name != "__init__.py"]
    assert not loose, f"put these in dashboard/core, features or render: {loose}"
    assert {room(m) for m in modules()} <= set(ROOMS)


def test_imports_go_one_way() -> None:
    known = modules()
    upward = [
        f"{module} imports {name}"
        for module, path in known.items()
        for name, _ in project_imports(path, known)
        if ROOMS.index(room(name)) > ROOMS.index(room(module))
    ]
    assert not upward, upward


def test_no_import_circle() -> None:
    known = modules()
    graph = {m: sorted({n for n, _ in project_imports(p, known) if n != m}) for m, p in known.items()}
    state: dict[str, str] = {}
    trail: list[str] = []
    circles: list[list[str]] = []

    def visit(module: str) -> None:
        state[module], _ = "open", trail.append(module)
        for other in graph[module]:
            if state.get(other) == "open":
                circles.append(trail[trail.index(other) :] + [other])
            elif other not in state:
                visit(other)
        state[module], _ = "done", trail.pop()

    for module in graph:
        if module not in state:
            visit(module)
    assert not circles, [" -> ".join(c) for c in circles]


def test_only_render_imports_streamlit() -> None:
    talking = [
        module
        for module, path in modules().items()
        if room(module) != "render" and any(n.split(".")[0] == "streamlit" for n, _ in imports(path))
    ]
    assert not talking, talking


def test_project_imports_are_at_the_top_of_the_module() -> None:
    known = modules()
    late = {
        (module, name) for module, path in known.items() for name, at_top in project_imports(path, known) if not at_top
    }
    assert late == set(LATE_IMPORTS), late ^ set(LATE_IMPORTS)


@pytest.mark.parametrize(
    ("source", "fails"),
    [
        ("from dashboard.render import ui\n", "test_imports_go_one_way"),
        ("import streamlit as st\n", "test_only_render_imports_streamlit"),
        ("def f():\n    from dashboard.core import db\n", "test_project_imports_are_at_the_top_of_the_module"),
    ],
)
def test_the_rules_catch_a_break(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, source: str, fails: str) -> None:
    """Each rule fails on a module that breaks it (a copy of the package with one bad module)."""
    copy = tmp_path / "dashboard"
    shutil.copytree(PACKAGE, copy, ignore=shutil.ignore_patterns("static", "__pycache__"))
    (copy / "core" / "broken.py").write_text(source, encoding="utf-8")
    monkeypatch.setitem(globals(), "PACKAGE", copy)
    with pytest.raises(AssertionError):
        globals()[fails]()


def test_a_circle_is_found(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    copy = tmp_path / "dashboard"
    (copy / "core").mkdir(parents=True)
    (copy / "core" / "a.py").write_text("from dashboard.core import b\n", encoding="utf-8")
    (copy / "core" / "b.py").write_text("from dashboard.core import a\n", encoding="utf-8")
    monkeypatch.setitem(globals(), "PACKAGE", copy)
    with pytest.raises(AssertionError, match="dashboard.core.a -> dashboard.core.b -> dashboard.core.a"):
        test_no_import_circle()
