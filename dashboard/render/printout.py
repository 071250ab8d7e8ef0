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
from dashboard.features import view
from dashboard.render import view_charts


class Part:
    """The steps one part of a page records: each a ``dashboard.render.pdf.Report`` method and its
    arguments. A chart is recorded as described and drawn only when the PDF is written."""

    def __init__(self) -> None:
        self.steps: list[tuple[str, tuple[Any, ...], dict[str, Any]]] = []

    def _record(self, method: str, *args: Any, **kwargs: Any) -> None:
        self.steps.append((method, args, kwargs))

    def chart(self, chart: Any, summary: str, table: Any = None) -> Part:
        """A chart (described, ``dashboard.features.view.Chart``, or drawn, a
        ``dashboard.render.charts.VegaLite``), its one-sentence summary (plain text: its alternative
        text, printed below it) and its table alternative."""
        self._record("chart", chart, alt=summary)
        self._record("paragraph", summary)
        if table is not None:
            self._record("table", table)
        return self

    def items(self, items: Sequence[view.Item]) -> Part:
        """A described page's items (``dashboard.features.view``), as ``dashboard.render.screen`` draws
        them: headings, paragraphs as plain text, a notice as a paragraph (this app's markdown: escapes
        and bold dropped), tiles (the change beside the figure, the line under it), tables with their
        caption (a list shown on screen only: its sentence), charts with their summary (their alternative
        text, printed below them) and table alternative, a section's items in place; downloads are
        screen controls, left out."""
        for item in items:
            if isinstance(item, view.Heading):
                self._record("heading", item.text, item.level)
            elif isinstance(item, view.Paragraph):
                self._record("paragraph", item.text)
            elif isinstance(item, view.Notice):
                self._record("paragraph", plain_text(item.markdown))
            elif isinstance(item, view.Tiles):
                self._record("metrics", [_tile(tile) for tile in item.tiles])
            elif isinstance(item, view.Table):
                if item.not_printed:
                    self._record("paragraph", item.not_printed)
                else:
                    self._record("table", item.frame, caption=item.caption)
            elif isinstance(item, view.Chart):
                self.chart(item, item.summary, item.table)
            elif isinstance(item, view.Section):
                self.items(item.items)
            elif not isinstance(item, view.Downloads):
                raise TypeError(f"not an item of a view: {type(item).__name__}")
        return self


def _tile(tile: view.Tile) -> tuple[str, str, str]:
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
                if method == "chart" and isinstance(args[0], view.Chart):  # drawn here, not on every rerun
                    args = (view_charts.chart(args[0]),)
                try:
                    getattr(report, method)(*args, **kwargs)
                except pdf.ChartError as error:
                    report.paragraph(f"(This chart could not be drawn in the PDF: {error}. Its table follows.)")
        return report.to_bytes()


def of_view(described: view.View) -> Printout:
    """The PDF of a described page: titled "<title>: <subject>", its items in order."""
    printout = Printout(f"{described.title}: {described.subject}")
    printout.part("view").items(described.items)
    return printout
