"""What a page shows, as plain data: headings, paragraphs, notices, tiles, tables and charts, in order.

A feature builds a ``View`` once (My area: ``features.my_area_view``; the survey theme pages:
``features.theme_page``); ``dashboard.render.screen`` draws it with Streamlit and
``dashboard.render.printout`` writes the same items to the page's PDF. Screen and PDF
therefore show the same figures, in the same order, with the same rounding and the same titles:
every cell is text or a number here already, and neither renderer formats a figure of its own.

Text is plain (data is never markdown): a paragraph is a run of plain strings, ``Strong`` (bold)
and ``Code`` parts; the screen escapes each string for Streamlit's markdown, the PDF prints it as
it is. Controls (pickers, search boxes, download buttons) are not content: the render layer reads
them and passes their values to the feature; ``Downloads`` only marks where the screen's buttons go.
A chart is described, not drawn: its kind, its frame and its titles (``dashboard.render``
turns it into a Vega-Lite spec). No Streamlit here.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import pandas as pd


@dataclass(frozen=True)
class Strong:
    """Bold text in a paragraph."""

    text: str


@dataclass(frozen=True)
class Code:
    """A name to type (a column, a setting) in a paragraph."""

    text: str


Run = str | Strong | Code


@dataclass(frozen=True)
class Heading:
    """A heading: level 1 a section, level 2 a part of one."""

    text: str
    level: int = 1


@dataclass(frozen=True)
class Paragraph:
    """One paragraph of plain text and bold or code parts."""

    runs: tuple[Run, ...]

    @property
    def text(self) -> str:
        """The paragraph as plain text (the PDF's, a chart's alternative text)."""
        return "".join(run if isinstance(run, str) else run.text for run in self.runs)


def paragraph(*runs: Run) -> Paragraph:
    return Paragraph(tuple(runs))


@dataclass(frozen=True)
class Notice:
    """A notice the page must show where the figures would be (the app's own markdown: data in it is
    escaped). ``kind``: "withheld" (no survey figure may be shown) or "hidden" (these figures or
    comments are hidden to protect small groups)."""

    markdown: str
    kind: str = "withheld"


@dataclass(frozen=True)
class Tile:
    """One figure as a tile: its label, its value, its change since the compared wave (None: no
    change shown) and how the change is coloured ("normal": up is good, "inverse": down is good,
    "off"), the line under it, and its help (on screen, behind the tile's icon)."""

    label: str
    value: str
    note: str
    help: str
    change: str | None = None
    colour: str = "off"


@dataclass(frozen=True)
class Tiles:
    """A row of tiles."""

    tiles: tuple[Tile, ...]


@dataclass(frozen=True, eq=False)
class Table:
    """A table of figures already as shown. Its index is a first column when it is named.
    ``key``: shown on screen as an interactive table (sortable, searchable) under this key;
    otherwise as a static one. ``caption``: a line above it. ``not_printed``: a list shown on screen
    only (comments); the PDF prints this sentence in its place."""

    frame: pd.DataFrame
    caption: str | None = None
    key: str | None = None
    not_printed: str | None = None


@dataclass(frozen=True, eq=False)
class Chart:
    """A chart described: ``kind`` names its builder in ``dashboard.render.view_charts``, which reads
    ``frame`` (``category`` rows) and the titles. ``summary`` is its one-sentence text, printed under
    it and its alternative text; ``table``, when given, is its table alternative. ``sides``: a diverging
    chart's answers left, in the middle and right. ``fit_width``: the chart fits the width only, its
    height the plot's own (a one-row chart then keeps room for its legend)."""

    kind: str
    frame: pd.DataFrame
    category: str
    category_title: str
    value_title: str
    summary: str
    key: str
    table: pd.DataFrame | None = None
    sides: tuple[tuple[str, ...], tuple[str, ...], tuple[str, ...]] | None = None
    fit_width: bool = False


@dataclass(frozen=True, eq=False)
class Downloads:
    """CSV and Excel buttons for ``frame`` on screen (controls, not content: not in the PDF); ``frame``
    may be a callable returning it, called only when a button is clicked (a list shown capped)."""

    frame: pd.DataFrame | Callable[[], pd.DataFrame]
    name: str
    note: str
    key: str


@dataclass(frozen=True)
class Section:
    """Items the screen folds away under ``title`` (an expander); the PDF prints them in place."""

    title: str
    items: tuple[Item, ...]


Item = Heading | Paragraph | Notice | Tiles | Table | Chart | Downloads | Section


@dataclass(frozen=True, eq=False)
class View:
    """A page's content: ``subject`` shown as its heading on screen, ``title: subject`` the PDF's
    title; ``download`` the long table the page offers beside it (None: none)."""

    title: str
    subject: str
    items: tuple[Item, ...]
    download: pd.DataFrame | None = field(default=None)


def flat(items: Sequence[Item]) -> list[Item]:
    """The items in order, a section's in its place."""
    out: list[Item] = []
    for item in items:
        out.extend(flat(item.items) if isinstance(item, Section) else [item])
    return out
