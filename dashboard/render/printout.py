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


# A one-page printout is written at these sizes in turn (``Report.scale``) until it fits one page.
ONE_PAGE_SCALES = (1.0, 0.9, 0.82, 0.76, 0.72, 0.68, 0.64)


class Printout:
    """``one_page``: a scorecard for a meeting (My area): charts that follow one another, each under
    its own heading, side by side, and everything a little smaller until it fits one A4 page
    (``ONE_PAGE_SCALES``; at the smallest it may still run on)."""

    def __init__(self, title: str, one_page: bool = False) -> None:
        self.title = title
        self.one_page = one_page
        self._parts: dict[str, Part] = {}

    def part(self, name: str) -> Part:
        """A fresh part named ``name``: what it recorded before is dropped, its place kept."""
        self._parts[name] = Part()
        return self._parts[name]

    def to_pdf(self, stamp: Mapping[str, str]) -> bytes:
        """The PDF of everything recorded, with the stamp under the title. A chart vl-convert can't
        draw is left out with a line saying so; its table alternative is printed as usual."""
        from dashboard.render import pdf  # here, not at the top: fpdf and vl-convert take 0.6 s to import

        steps = [step for part in list(self._parts.values()) for step in list(part.steps)]
        # A described chart is drawn here, not on every rerun (once, whatever the number of tries).
        steps = [
            (m, (view_charts.chart(a[0]),) if m == "chart" and isinstance(a[0], view.Chart) else a, k)
            for m, a, k in steps
        ]
        if self.one_page:
            steps = _rows_of_charts(steps)
        images: dict[object, bytes] = {}
        for scale in ONE_PAGE_SCALES if self.one_page else (1.0,):
            report = pdf.Report(self.title, stamp, scale=scale, images=images)
            for method, args, kwargs in steps:
                try:
                    getattr(report, method)(*args, **kwargs)
                except pdf.ChartError as error:
                    report.paragraph(f"(This chart could not be drawn in the PDF: {error}. Its table follows.)")
            written = report.to_bytes()
            if report.pages == 1:
                break
        return written


def _rows_of_charts(steps: list[tuple[str, tuple, dict]]) -> list[tuple[str, tuple, dict]]:
    """Steps with each run of two or more charts that follow one another, each a heading below level 1,
    the chart and its summary (no table), recorded as one ``chart_row``, up to three to a row."""
    out: list[tuple[str, tuple, dict]] = []
    run: list[tuple[str, int, object, str]] = []

    def flush() -> None:
        if len(run) >= 2:
            out.extend(("chart_row", (run[i : i + 3],), {}) for i in range(0, len(run), 3))
        else:
            for heading, level, chart, summary in run:
                out.extend(
                    [
                        ("heading", (heading, level), {}),
                        ("chart", (chart,), {"alt": summary}),
                        ("paragraph", (summary,), {}),
                    ]
                )
        run.clear()

    i = 0
    while i < len(steps):
        window = [step[0] for step in steps[i : i + 4]]
        if window[:3] == ["heading", "chart", "paragraph"] and steps[i][1][1] > 1 and window[3:] != ["table"]:
            (heading, level), (chart,), (summary,) = steps[i][1], steps[i + 1][1], steps[i + 2][1]
            run.append((heading, level, chart, summary))
            i += 3
            continue
        flush()
        out.append(steps[i])
        i += 1
    flush()
    return out


def of_view(described: view.View, one_page: bool = False) -> Printout:
    """The PDF of a described page: titled "<title>: <subject>", its items in order (``one_page``: see
    ``Printout``)."""
    printout = Printout(f"{described.title}: {described.subject}", one_page=one_page)
    printout.part("view").items(described.items)
    return printout
