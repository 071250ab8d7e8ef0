"""A page's view as an A4 PDF for a team meeting: figures, charts, tables, definitions and the stamp.

Pure functions of their inputs (no Streamlit, no database). ``Report`` lays the document
out as it is written, top to bottom, and ``to_bytes`` returns the file::

    document = Report(title="My area: ...", stamp=downloads.stamp(page))
    document.heading("Survey results")
    document.metrics([("IT skills rated good", "42%", "n = 2,175 · 95% CI 40–44%")])
    document.chart(chart, alt="IT skills were rated good by 42% ...")
    document.table(frame, caption="Results by question")
    data = document.to_bytes()

Text is real text (selectable, found by search and read by screen readers), in DejaVu Sans,
bundled in ``dashboard/static/fonts`` (with its licence) so that the file does not depend on
the machine's fonts; only the glyphs used are embedded. A character the font lacks is
shown as U+FFFD rather than silently dropped. Headings are also the PDF's outline
(bookmarks). Charts are Vega-Lite specs drawn to PNG by vl-convert (no browser), with their
alt text. The same input gives the same bytes: the creation date is the data's build time.

Its parts: ``pdf_style`` (font, layout, colours), ``pdf_tables`` (tables), ``pdf_charts``
(charts to PNG) and ``pdf_values`` (cells as text, chart data as JSON).

Importing fpdf2 takes about 0.4 s: import this module when a PDF is asked for (as
``downloads.download_buttons`` does ``export``), not when a page loads. The first chart in a process
takes about half a second more (vl-convert starts its JavaScript runtime); later ones ~0.1 s.
"""

from __future__ import annotations

import datetime as dt
import unicodedata
from collections.abc import Mapping, Sequence

from fpdf import FPDF
from fpdf.enums import MethodReturnValue, XPos, YPos

from dashboard.render.pdf_charts import CHART_SCALE, CHART_WIDTH_PX, FONT_DIR, ROW_CHART_WIDTH_PX, chart_png, png_size
from dashboard.render.pdf_style import (
    BOTTOM_MARGIN,
    BUILT_KEY,
    CREATOR,
    FONT,
    FONT_FILES,
    GAP,
    GREY,
    HEADING_STYLES,
    LANGUAGE,
    MARGIN,
    NHS_BLUE,
    PALE,
    RULE,
    SYNTHETIC_KEY,
    TEXT_COLOUR,
    TEXT_PT,
    TILES_PER_ROW,
    TOP_MARGIN,
    WARNING,
)
from dashboard.render.pdf_tables import Tables
from dashboard.render.pdf_values import built_time

REPLACEMENT = "\ufffd"
# Categories never drawn: controls (other than line breaks, kept), format characters
# (zero-width space and joiners, soft hyphen, direction marks), unassigned code points.
DROPPED_CATEGORIES = frozenset({"Cc", "Cf", "Cn"})
PAGE_COUNT = "{pdf-page-count}"  # fpdf2 fills in the number of pages when the file is written


class ChartError(ValueError):
    """A chart could not be drawn; the message names it by its alt text."""


class _Document(FPDF):
    """fpdf2's document with this report's running header (synthetic label) and footer."""

    def __init__(self, footer_title: str, synthetic: str) -> None:
        super().__init__(orientation="portrait", unit="mm", format="A4")
        self.footer_title = footer_title
        self.synthetic = synthetic

    def header(self) -> None:
        if self.synthetic:
            self.set_xy(self.l_margin, 7)
            self.set_font(FONT, "B", 8)
            self.set_text_color(*WARNING)
            self.cell(self.epw, 4, self.synthetic, align="C")
            self.set_text_color(*TEXT_COLOUR)
        self.set_xy(self.l_margin, self.t_margin)

    def footer(self) -> None:
        self.set_y(-11)
        self.set_font(FONT, "", 7.5)
        self.set_text_color(*GREY)
        # Left-aligned in a box as wide as the widest it can be: fpdf2 writes the count last,
        # in the room the placeholder took.
        page_width = self.get_string_width(f"Page {self.page_no()} of {self.page_no()}999")
        self.cell(self.epw - page_width, 4, fit(self, self.footer_title, self.epw - page_width - 4))
        self.cell(page_width, 4, f"Page {self.page_no()} of {PAGE_COUNT}")
        self.set_text_color(*TEXT_COLOUR)


class Report(Tables):
    """An A4 portrait PDF, written top to bottom: ``heading``, ``paragraph``, ``metrics``,
    ``table`` and ``chart``, then ``to_bytes``.

    ``stamp`` (``downloads.stamp``: filters, disclosure note, build time, synthetic label) is
    printed under the title as "label: value" lines; a "Synthetic data" entry is also
    printed at the top of every page. ``created`` is the PDF's creation date; by
    default the stamp's "Data built" time (so the same input gives the same bytes), or
    now when that is missing or unreadable.
    """

    def __init__(
        self,
        title: str,
        stamp: Mapping[str, object] | None = None,
        created: dt.datetime | None = None,
        scale: float = 1.0,
        images: dict[object, bytes] | None = None,
    ) -> None:
        stamp = dict(stamp or {})
        self.scale = scale  # every size (type, spacing, margins) times this: below 1 to fit a page
        self._images = {} if images is None else images  # charts drawn before, by (chart, width)
        pdf = _Document(footer_title="", synthetic="")
        for style, name in FONT_FILES.items():
            pdf.add_font(FONT, style, str(FONT_DIR / name))
        # What every style can draw: the bold face covers a little less than the regular.
        self._glyphs = frozenset.intersection(*(frozenset(font.cmap) for font in pdf.fonts.values()))
        self._pdf = pdf
        self.title = self.clean(title)
        pdf.footer_title = self.title
        pdf.synthetic = self.clean(stamp.get(SYNTHETIC_KEY, "") or "")
        pdf.set_title(self.title)
        pdf.set_lang(LANGUAGE)
        pdf.set_creator(CREATOR)
        created = created or built_time(stamp.get(BUILT_KEY))
        if created is not None:
            pdf.set_creation_date(created)
        pdf.alias_nb_pages(PAGE_COUNT)
        pdf.set_margins(
            MARGIN * min(1.0, scale / 0.8), TOP_MARGIN * min(1.0, scale / 0.8), MARGIN * min(1.0, scale / 0.8)
        )
        pdf.set_auto_page_break(True, margin=BOTTOM_MARGIN * min(1.0, scale / 0.8))
        pdf.set_text_color(*TEXT_COLOUR)
        pdf.add_page()
        pdf.set_font(FONT, "B", 18 * scale)
        pdf.multi_cell(0, 8 * scale, self.title, align="L", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        pdf.ln(2 * scale)
        self._stamp(stamp)
        self._headings: list[tuple[str, int]] = []  # not yet drawn: each is kept with what follows
        self._bytes: bytes | None = None

    # -- text -------------------------------------------------------------------------

    def clean(self, value: object) -> str:
        """``value`` as text the bundled font can draw: NFC, line breaks kept, tabs as spaces,
        invisible characters dropped, any other character the font lacks as U+FFFD."""
        text = unicodedata.normalize("NFC", str(value)).replace("\r\n", "\n").replace("\r", "\n").replace("\t", " ")
        glyphs = getattr(self, "_glyphs", None)
        out = []
        for char in text:
            if char == "\n":
                out.append(char)
            elif unicodedata.category(char) in DROPPED_CATEGORIES:
                continue
            elif glyphs is not None and ord(char) not in glyphs:
                out.append(REPLACEMENT)
            else:
                out.append(char)
        return "".join(out)

    def heading(self, text: str, level: int = 1) -> None:
        """A heading (level 1, 2 or 3), also an entry in the PDF's outline (bookmarks). It is
        kept with what follows: a heading near the foot of a page starts the next one."""
        if level not in (1, 2, 3):
            raise ValueError(f"heading level must be 1, 2 or 3, not {level!r}")
        self._writable()
        self._headings.append((self.clean(text), level))

    def paragraph(self, text: str, size: float = TEXT_PT, bold: bool = False) -> None:
        """Plain text (no markdown), wrapped at the page width; line breaks are kept."""
        pdf = self._writable()
        text = self.clean(text)
        size *= self.scale
        line = size * 0.5
        self._start(min(len(self._lines(text, pdf.epw, size, "B" if bold else "")), 2) * line)
        pdf.set_font(FONT, "B" if bold else "", size)
        pdf.multi_cell(0, line, text, align="L", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        pdf.ln(GAP / 2 * self.scale)

    # -- figures ----------------------------------------------------------------------

    def metrics(self, tiles: Sequence[tuple[str, str] | tuple[str, str, str]]) -> None:
        """A row of figure tiles, each (label, value) or (label, value, small text); more than
        four tiles wrap onto further rows."""
        pdf = self._writable()
        tiles = [
            tuple(self.clean("" if part is None else part) for part in tile[:3]) + ("",) * (3 - len(tile))
            for tile in tiles
        ]
        s = self.scale
        gap = 3 * s
        width = (pdf.epw - gap * (TILES_PER_ROW - 1)) / TILES_PER_ROW
        pad = 2.5 * s
        inner = width - 2 * pad - 1  # the left accent bar takes 1 mm
        parts = (  # size, style, line, colour
            (8 * s, "", 3.8 * s, GREY),
            (15 * s, "B", 7 * s, NHS_BLUE),
            (7.5 * s, "", 3.5 * s, GREY),
        )
        for start in range(0, len(tiles), TILES_PER_ROW):
            row = tiles[start : start + TILES_PER_ROW]
            lines = [
                [
                    self._lines(text, inner, size, style) if text else []
                    for text, (size, style, _, _) in zip(tile, parts)
                ]
                for tile in row
            ]
            height = 2 * pad + max(sum(len(ls) * part[2] for ls, part in zip(tile, parts)) for tile in lines) + 1
            if start == 0:
                self._start(height)
            else:
                self._need(height)
            top = pdf.y
            for i, tile in enumerate(lines):
                x = pdf.l_margin + i * (width + gap)
                pdf.set_fill_color(*PALE)
                pdf.rect(x, top, width, height, style="F")
                pdf.set_fill_color(*NHS_BLUE)
                pdf.rect(x, top, 1, height, style="F")
                y = top + pad
                for text_lines, (size, style, line, colour) in zip(tile, parts):
                    if text_lines:
                        pdf.set_font(FONT, style, size)
                        pdf.set_text_color(*colour)
                        pdf.set_xy(x + 1 + pad, y)
                        pdf.multi_cell(inner, line, "\n".join(text_lines), align="L")
                        y += len(text_lines) * line + (0.5 if style == "B" else 0)
            pdf.set_text_color(*TEXT_COLOUR)
            pdf.set_xy(pdf.l_margin, top + height + gap)
        pdf.ln(GAP * s - gap)

    def chart(self, chart: object, alt: str) -> None:
        """A chart as an image (PNG at twice its size) with ``alt`` as its alternative text:
        a ``dashboard.render.charts.VegaLite`` or a Vega-Lite dict. A chart whose
        width is "container" (or unset) is drawn at the page width. The alt text is not
        printed: write the page's summary with ``paragraph`` if it should show.

        Raises ``ChartError``, naming the chart by its alt text, when it cannot be drawn."""
        pdf = self._writable()
        alt = self.clean(alt)
        png = self._png(chart, alt, CHART_WIDTH_PX)
        width_px, height_px = png_size(png)
        width = min(pdf.epw, width_px / CHART_SCALE * 25.4 / 72 * self.scale)
        height = width * height_px / width_px
        most = pdf.eph - 15 * (len(self._headings) + 1)  # room for the headings kept with it
        if height > most:
            width, height = width * most / height, most
        self._start(height)
        x = pdf.l_margin + (pdf.epw - width) / 2
        pdf.image(png, x=x, y=pdf.y, w=width, h=height, alt_text=alt)
        pdf.set_xy(pdf.l_margin, pdf.y + height + GAP * self.scale)

    def chart_row(self, charts: Sequence[tuple[str, int, object, str]]) -> None:
        """Charts side by side, each (heading, its level, chart, summary): in its column, its heading
        (an outline entry too), the chart drawn ``ROW_CHART_WIDTH_PX`` wide and the summary under it
        (also its alt text). Written column by column, so the text reads in the items' order."""
        pdf = self._writable()
        s = self.scale
        gap = 4 * s
        width = (pdf.epw - gap * (len(charts) - 1)) / len(charts)
        size = (TEXT_PT - 1.5) * s
        columns = []
        for heading, level, chart, summary in charts:
            heading, summary = self.clean(heading), self.clean(summary)
            png = self._png(chart, summary, ROW_CHART_WIDTH_PX)
            width_px, height_px = png_size(png)
            points = HEADING_STYLES[level - 1][0] * s
            title_lines = len(self._lines(heading, width, points, "B"))
            text_lines = len(self._lines(summary, width, size))
            columns.append(
                (heading, level, png, width * height_px / width_px, summary, points, title_lines, text_lines)
            )
        height = max(
            t * p * 25.4 / 72 + 1.5 * s + image + 1.5 * s + n * size * 0.5 for _, _, _, image, _, p, t, n in columns
        )
        self._start(height)
        top = pdf.y
        for i, (heading, level, png, image, summary, points, _, _) in enumerate(columns):
            x = pdf.l_margin + i * (width + gap)
            pdf.set_xy(x, top)
            pdf.start_section(heading, level=level - 1, strict=False)
            pdf.set_font(FONT, "B", points)
            pdf.set_text_color(*HEADING_STYLES[level - 1][1])
            pdf.multi_cell(width, points * 25.4 / 72, heading, align="L", new_x=XPos.LEFT, new_y=YPos.NEXT)
            pdf.set_text_color(*TEXT_COLOUR)
            y = pdf.y + 1.5 * s
            pdf.image(png, x=x, y=y, w=width, h=image, alt_text=summary)
            pdf.set_xy(x, y + image + 1.5 * s)
            pdf.set_font(FONT, "", size)
            pdf.multi_cell(width, size * 0.5, summary, align="L", new_x=XPos.LEFT, new_y=YPos.NEXT)
        pdf.set_xy(pdf.l_margin, top + height + GAP * s)

    @property
    def pages(self) -> int:
        """Pages written so far."""
        return self._pdf.page

    def _png(self, chart: object, alt: str, width_px: int) -> bytes:
        """The chart as PNG at ``width_px`` (where its width is the container's); drawn once per Report
        family (``images``). Raises ``ChartError`` naming it by its alt text."""
        key = (id(chart), width_px)
        if key not in self._images:
            try:
                self._images[key] = chart_png(chart, width_px)
            except Exception as error:
                raise ChartError(f"Could not draw the chart {alt!r} as an image for the PDF: {error}") from error
        return self._images[key]

    # -- output -----------------------------------------------------------------------

    def to_bytes(self) -> bytes:
        """The finished PDF. Nothing can be added afterwards."""
        if self._bytes is None:
            if self._headings:  # headings with nothing after them
                self._start(0)
            self._bytes = bytes(self._pdf.output())
        return self._bytes

    # -- helpers ----------------------------------------------------------------------

    def _writable(self) -> FPDF:
        if self._bytes is not None:
            raise RuntimeError("The PDF is finished (to_bytes was called): nothing can be added to it.")
        return self._pdf

    def _start(self, height: float) -> None:
        """Begin a block whose first ``height`` mm must share a page with the headings before
        it, then draw those headings."""
        pdf = self._pdf
        size = sum(self._heading_height(text, level) for text, level in self._headings)
        self._need(size + height)
        for text, level in self._headings:
            points, colour, above, below = (
                v * self.scale if i != 1 else v for i, v in enumerate(HEADING_STYLES[level - 1])
            )
            pdf.ln(above)
            # An outline entry only: fpdf2 would tag a heading it draws itself as a /Figure.
            pdf.start_section(text, level=level - 1, strict=False)
            pdf.set_font(FONT, "B", points)
            pdf.set_text_color(*colour)
            pdf.multi_cell(0, points * 25.4 / 72, text, align="L", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
            pdf.ln(below)
        self._headings.clear()
        pdf.set_text_color(*TEXT_COLOUR)

    def _heading_height(self, text: str, level: int) -> float:
        points, _, above, below = (v * self.scale if i != 1 else v for i, v in enumerate(HEADING_STYLES[level - 1]))
        return len(self._lines(text, self._pdf.epw, points, "B")) * points * 25.4 / 72 + above + below

    def _need(self, height: float) -> None:
        """Start a new page unless ``height`` mm fit below the current position."""
        pdf = self._pdf
        if pdf.y + height > pdf.page_break_trigger and pdf.y > pdf.t_margin + 1:
            pdf.add_page()

    def _lines(self, text: str, width: float, size: float, style: str = "") -> list[str]:
        pdf = self._pdf
        pdf.set_font(FONT, style, size)
        return pdf.multi_cell(width, 1, text, dry_run=True, output=MethodReturnValue.LINES, align="L")

    def _stamp(self, stamp: Mapping[str, object]) -> None:
        pdf = self._pdf
        s = self.scale if self.scale == 1 else self.scale * 0.9  # fitting a page: the stamp shrinks first
        pdf.set_text_color(*GREY)
        for label, value in stamp.items():
            if label == SYNTHETIC_KEY and self.scale < 1:  # fitting a page: the running header says it
                continue
            pdf.set_font(FONT, "B", 8.5 * s)
            pdf.write(4.2 * s, f"{self.clean(label)}: ")
            pdf.set_font(FONT, "", 8.5 * s)
            pdf.write(4.2 * s, self.clean("" if value is None else value))
            pdf.ln(4.2 * s)
            pdf.ln(0.8 * s)
        pdf.set_text_color(*TEXT_COLOUR)
        pdf.ln(1 * s)
        pdf.set_draw_color(*RULE)
        pdf.line(pdf.l_margin, pdf.y, pdf.l_margin + pdf.epw, pdf.y)
        pdf.set_draw_color(0)
        pdf.ln(GAP * s)


def fit(pdf: FPDF, text: str, width: float) -> str:
    """``text`` shortened with an ellipsis to fit ``width`` mm in the current font."""
    if pdf.get_string_width(text) <= width:
        return text
    while text and pdf.get_string_width(text + "…") > width:
        text = text[:-1]
    return text.rstrip() + "…"
