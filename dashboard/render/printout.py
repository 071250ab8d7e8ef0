"""A page's PDF: the items of its description (``dashboard.features.view``), written only when its
button is clicked.

A page's content is described once and drawn on screen by ``dashboard.render.screen``; its printout
holds the same items, in the same order, with the same text and figures: ``of_view(view)`` for a page
drawn in one go (My area), or ``printout.part(name).items(items)`` for each part as the page draws it
(the theme pages): recording is appending to a list, so a rerun costs next to nothing. Clicking
"Download this view as PDF" replays the parts, in the order the page first drew them, onto a
``dashboard.render.pdf.Report`` (charts drawn by vl-convert, text kept as text). A part drawn again
(a section's own rerun, such as a new breakdown) replaces what it recorded before, so the PDF is the
view on screen when clicked.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from dashboard.core.text import plain_text
from dashboard.features.view import (
    Chart,
    Downloads,
    Heading,
    Item,
    Notice,
    Paragraph,
    Section,
    Table,
    Tile,
    Tiles,
    View,
)
from dashboard.render import view_charts


class Part:
    """The steps one part of a page records: each a ``dashboard.render.pdf.Report`` method and its arguments."""

    def __init__(self) -> None:
        self.steps: list[tuple[str, tuple[Any, ...], dict[str, Any]]] = []

    def _record(self, method: str, *args: Any, **kwargs: Any) -> Part:
        self.steps.append((method, args, kwargs))
        return self

    def heading(self, text: str, level: int = 1) -> Part:
        return self._record("heading", text, level)

    def paragraph(self, text: str) -> Part:
        """Text as the page shows it (this app's markdown: escapes and bold are dropped)."""
        return self._record("paragraph", plain_text(text))

    def text(self, text: str) -> Part:
        """Plain text, printed as it is."""
        return self._record("paragraph", text)

    def table(self, frame, caption: str | None = None) -> Part:
        return self._record("table", frame, caption=caption)

    def chart(self, chart, summary: str, table=None) -> Part:
        """A drawn chart (``dashboard.render.charts.VegaLite``), its one-sentence summary (plain text: its
        alternative text, printed below it) and its table alternative."""
        self._record("chart", chart, alt=summary)
        self.text(summary)
        return self._record("table", table) if table is not None else self

    def items(self, items: Sequence[Item]) -> Part:
        """A described page's items (``dashboard.features.view``), as ``dashboard.render.screen`` draws
        them: headings, paragraphs as plain text, a notice as a paragraph, tiles (the change beside the
        figure, the line under it), tables with their caption (a list shown on screen only: its sentence),
        charts with their summary and table alternative, a section's items in place; downloads are
        screen controls, left out."""
        for item in items:
            if isinstance(item, Heading):
                self.heading(item.text, item.level)
            elif isinstance(item, Paragraph):
                self.text(item.text)
            elif isinstance(item, Notice):
                self.paragraph(item.markdown)
            elif isinstance(item, Tiles):
                self._record("metrics", [_tile(tile) for tile in item.tiles])
            elif isinstance(item, Table):
                if item.not_printed:
                    self.text(item.not_printed)
                else:
                    self.table(item.frame, caption=item.caption)
            elif isinstance(item, Chart):
                self.chart(view_charts.chart(item), item.summary, item.table)
            elif isinstance(item, Section):
                self.items(item.items)
            elif not isinstance(item, Downloads):
                raise TypeError(f"not an item of a view: {type(item).__name__}")
        return self


def _tile(tile: Tile) -> tuple[str, str, str]:
    """A tile as the PDF prints it: (label, the figure with its change, the line under it)."""
    return tile.label, tile.value + (f" ({tile.change})" if tile.change else ""), tile.note


class Printout:
    def __init__(self, title: str) -> None:
        self.title = title
        self._parts: dict[str, Part] = {}

    def part(self, name: str) -> Part:
        """A fresh part named ``name``: what it recorded before is dropped, its place kept."""
        self._parts[name] = Part()
        return self._parts[name]

    def to_pdf(self, stamp: Mapping[str, str]) -> bytes:
        """The PDF of everything recorded, with the stamp under the title. A chart vl-convert can't
        draw is left out with a line saying so; its table alternative is printed as usual."""
        from dashboard.render import pdf  # here, not at the top: fpdf and vl-convert take 0.6 s to import

        report = pdf.Report(self.title, stamp)
        for part in list(self._parts.values()):
            for method, args, kwargs in list(part.steps):
                try:
                    getattr(report, method)(*args, **kwargs)
                except pdf.ChartError as error:
                    report.paragraph(f"(This chart could not be drawn in the PDF: {error}. Its table follows.)")
        return report.to_bytes()


def of_view(view: View) -> Printout:
    """The PDF of a described page: titled "<title>: <subject>", its items in order."""
    printout = Printout(f"{view.title}: {view.subject}")
    printout.part("view").items(view.items)
    return printout
