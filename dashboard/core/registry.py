"""The app's pages: one list, used by the navigation, the benchmarks, the tests and the load run.

The Overview (``app.py``) comes first, then every script in ``pages/`` in Streamlit's order,
each with the name and URL path Streamlit gives it (``pages/3_IT_reliability.py`` ->
"IT reliability" at ``/IT_reliability``). Streamlit's rules (``streamlit.source_util``:
``page_sort_key``, ``page_icon_and_name``; which files its pages folder holds) are restated
here so that this module imports nothing but the standard library: no Streamlit, no app.
Pages whose file name starts with an emoji are not supported (none does).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
ENTRY = "app.py"
ENTRY_LABEL = "Overview"
_FILE_NAME = re.compile(r"([0-9]*)[_ -]*(.*)\.py")  # streamlit.source_util.PAGE_FILENAME_REGEX


@dataclass(frozen=True)
class Page:
    """One page of the app."""

    script: str  # relative to the project root: "app.py", "pages/3_IT_reliability.py"
    label: str  # shown in the navigation: "Overview", "IT reliability"
    url_path: str  # "/", "/IT_reliability"

    @property
    def name(self) -> str:
        """Streamlit's page name (the URL path without its slash): "IT_reliability"; "" for the entry page."""
        return self.url_path.lstrip("/")


def _sort_key(script: Path) -> tuple[float, str]:
    number, rest = _FILE_NAME.match(script.name).groups()
    return (float(number) if number else float("inf"), rest.lower())


def page_name(script: Path) -> str:
    """Streamlit's name for a script in pages/: '3_IT_reliability.py' -> 'IT_reliability'."""
    number, rest = _FILE_NAME.match(script.name).groups()
    return re.sub(r"[_ ]+", "_", rest).strip() or number


def page_scripts(root: Path = ROOT) -> list[Path]:
    """The scripts Streamlit makes pages of, in its order: no hidden files, no ``__init__.py``."""
    folder = root / "pages"
    if not folder.is_dir():
        return []
    found = [p for p in folder.glob("*.py") if not p.name.startswith(".") and p.name != "__init__.py"]
    return sorted(found, key=_sort_key)


def pages(root: Path = ROOT) -> list[Page]:
    """Every page, in navigation order: the Overview, then pages/ as Streamlit orders it.

    ``root`` is the folder holding ``app.py`` (another app laid out the same way, e.g. the
    benchmarks' reference app, can be listed too).
    """
    listed = [Page(ENTRY, ENTRY_LABEL, "/")]
    for script in page_scripts(root):
        name = page_name(script)
        listed.append(Page(f"pages/{script.name}", name.replace("_", " "), f"/{name}"))
    return listed
