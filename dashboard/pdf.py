"""A page's view as an A4 PDF for a team meeting: figures, charts, tables, definitions and the stamp.

Pure functions of their inputs (no Streamlit, no database). ``Report`` lays the document
out as it is written, top to bottom, and ``to_bytes`` returns the file::

    document = Report(title="My area: ...", stamp=ui.stamp(page))
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

Importing fpdf2 takes about 0.4 s: import this module when a PDF is asked for (as
``ui.download_buttons`` does ``export``), not when a page loads. The first chart in a process
takes about half a second more (vl-convert starts its JavaScript runtime); later ones ~0.1 s.
"""

from __future__ import annotations

import datetime as dt
import decimal
import json
import math
import re
import struct
import threading
import unicodedata
from collections.abc import Mapping, Sequence
from pathlib import Path

import pandas as pd
from fpdf import FPDF
from fpdf.enums import MethodReturnValue, XPos, YPos
from fpdf.fonts import FontFace

FONT_DIR = Path(__file__).parent / "static" / "fonts"
FONT = "dejavu"  # fpdf2's name for the bundled family
FONT_FILES = {"": "DejaVuSans.ttf", "B": "DejaVuSans-Bold.ttf"}
# The same family in charts, registered with vl-convert. vl-convert draws no text at all in a
# font it cannot find, so the list falls back to its own bundled Liberation Sans ("sans-serif"
# when the machine has no fonts).
CHART_FONT = "DejaVu Sans, sans-serif"
CREATOR = "Digital strategy engagement dashboard"
LANGUAGE = "en-GB"
SYNTHETIC_KEY = "Synthetic data"
BUILT_KEY = "Data built"

# Layout, in millimetres unless named _PT (points) or _PX (CSS pixels, drawn as points).
MARGIN = 15
TOP_MARGIN = 16
BOTTOM_MARGIN = 16
GAP = 4  # after a block
TEXT_PT = 10
CHART_WIDTH_PX = 510  # A4 width less margins (180 mm) in points: a chart is drawn at 1 px = 1 pt
CHART_HEIGHT_PX = 300  # for a chart whose height is "container"
CHART_SCALE = 2  # PNG pixels per CSS pixel: 144 dpi at the size drawn
TILES_PER_ROW = 4
TABLE_FONT_PT = (9, 8, 7)  # tried in turn until the columns' longest words fit the page width
LONG_CELL = 200  # characters; a longer cell is checked against the page height

NHS_BLUE = (0, 94, 184)
TEXT_COLOUR = (33, 43, 50)
GREY = (66, 85, 99)
PALE = (240, 244, 245)
STRIPE = (248, 250, 250)
RULE = (174, 183, 189)
WARNING = (174, 37, 28)

# Headings, levels 1, 2 and 3: size (pt), colour, space above and below (mm).
HEADING_STYLES = ((14, NHS_BLUE, 3, 2), (12, TEXT_COLOUR, 2, 1.5), (10.5, TEXT_COLOUR, 1.5, 1))

REPLACEMENT = "\ufffd"
BUILT_RE = re.compile(r"(\d{4})-(\d{2})-(\d{2})[ T](\d{2}):(\d{2})")
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


class Report:
    """An A4 portrait PDF, written top to bottom: ``heading``, ``paragraph``, ``metrics``,
    ``table`` and ``chart``, then ``to_bytes``.

    ``stamp`` (``ui.stamp``: filters, disclosure note, build time, synthetic label) is
    printed under the title as "label: value" lines; a "Synthetic data" entry is also
    printed at the top of every page. ``created`` is the PDF's creation date; by
    default the stamp's "Data built" time (so the same input gives the same bytes), or
    now when that is missing or unreadable.
    """

    def __init__(self, title: str, stamp: Mapping[str, object] | None = None,
                 created: dt.datetime | None = None) -> None:
        stamp = dict(stamp or {})
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
        pdf.set_margins(MARGIN, TOP_MARGIN, MARGIN)
        pdf.set_auto_page_break(True, margin=BOTTOM_MARGIN)
        pdf.set_text_color(*TEXT_COLOUR)
        pdf.add_page()
        pdf.set_font(FONT, "B", 18)
        pdf.multi_cell(0, 8, self.title, align="L", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        pdf.ln(2)
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
        line = size * 0.5
        self._start(min(len(self._lines(text, pdf.epw, size, "B" if bold else "")), 2) * line)
        pdf.set_font(FONT, "B" if bold else "", size)
        pdf.multi_cell(0, line, text, align="L", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        pdf.ln(GAP / 2)

    # -- figures ----------------------------------------------------------------------

    def metrics(self, tiles: Sequence[tuple[str, str] | tuple[str, str, str]]) -> None:
        """A row of figure tiles, each (label, value) or (label, value, small text); more than
        four tiles wrap onto further rows."""
        pdf = self._writable()
        tiles = [tuple(self.clean("" if part is None else part) for part in tile[:3]) + ("",) * (3 - len(tile))
                 for tile in tiles]
        gap = 3
        width = (pdf.epw - gap * (TILES_PER_ROW - 1)) / TILES_PER_ROW
        pad = 2.5
        inner = width - 2 * pad - 1  # the left accent bar takes 1 mm
        parts = ((8, "", 3.8, GREY), (15, "B", 7, NHS_BLUE), (7.5, "", 3.5, GREY))  # size, style, line, colour
        for start in range(0, len(tiles), TILES_PER_ROW):
            row = tiles[start:start + TILES_PER_ROW]
            lines = [[self._lines(text, inner, size, style) if text else [] for text, (size, style, _, _)
                      in zip(tile, parts)] for tile in row]
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
        pdf.ln(GAP - gap)

    def table(self, frame: pd.DataFrame, caption: str | None = None, index: bool | None = None) -> None:
        """``frame`` as a table at the page width: text wraps in its cells, the font shrinks a
        little for many columns, and a long table continues on the next page under its header
        row again. Missing values (None, NaN, NaT) are empty cells. The index is a first
        column when ``index`` is True, or by default when it is named (as ``st.table`` shows it).

        A cell too long for one page is cut, ending "… (cut)": downloads carry the full text.
        """
        pdf = self._writable()
        if index is None:
            index = any(name is not None for name in frame.index.names)
        if index:
            frame = frame.reset_index()
        headers = [self.clean(_column_name(column)) for column in frame.columns]
        numeric = [pd.api.types.is_numeric_dtype(dtype) and not pd.api.types.is_bool_dtype(dtype)
                   for dtype in frame.dtypes]
        rows = [[self.clean(cell_text(value)) for value in row] for row in frame.itertuples(index=False, name=None)]
        caption = self.clean(caption) if caption else ""
        caption_height = (len(self._lines(caption, pdf.epw, 9, "B")) * 4.5 + 1) if caption else 0
        if not headers:
            self._start(caption_height)
            self._caption(caption)
            self.paragraph("(No columns.)", size=9)
            return
        size, widths = self._column_widths(headers, rows)
        line = size * 0.45
        padding = (1, 1.2)  # vertical, horizontal
        rows = [[self._fit_cell(text, width - 2 * padding[1], size, line) for text, width in zip(row, widths)]
                for row in rows]
        # The caption, the header row and the first row together.
        first = sum(self._row_height(row, widths, size, line, padding, style) for row, style
                    in ((headers, "B"), *(((rows[0], ""),) if rows else ())))
        self._start(caption_height + first)
        self._caption(caption)
        pdf.set_font(FONT, "", size)
        pdf.set_draw_color(*RULE)
        pdf.set_line_width(0.2)
        pdf.set_fill_color(255)
        with pdf.table(
            width=pdf.epw, col_widths=widths, line_height=line, padding=padding, v_align="TOP",
            text_align=tuple("RIGHT" if is_number else "LEFT" for is_number in numeric),
            headings_style=FontFace(emphasis="BOLD", fill_color=PALE), borders_layout="HORIZONTAL_LINES",
            cell_fill_mode="ROWS", cell_fill_color=STRIPE, repeat_headings=1, first_row_as_headings=True,
        ) as table:
            table.row(headers)
            for row in rows:
                table.row(row)
        if not rows:
            self.paragraph("(No rows.)", size=9)
        pdf.set_draw_color(0)
        pdf.ln(GAP)

    def chart(self, chart: object, alt: str) -> None:
        """A chart as an image (PNG at twice its size) with ``alt`` as its alternative text:
        a ``dashboard.charts.VegaLite``, an Altair chart or a Vega-Lite dict. A chart whose
        width is "container" (or unset) is drawn at the page width. The alt text is not
        printed: write the page's summary with ``paragraph`` if it should show.

        Raises ``ChartError``, naming the chart by its alt text, when it cannot be drawn."""
        pdf = self._writable()
        alt = self.clean(alt)
        try:
            png = chart_png(chart)
        except Exception as error:
            raise ChartError(f"Could not draw the chart {alt!r} as an image for the PDF: {error}") from error
        width_px, height_px = png_size(png)
        width = min(pdf.epw, width_px / CHART_SCALE * 25.4 / 72)
        height = width * height_px / width_px
        most = pdf.eph - 15 * (len(self._headings) + 1)  # room for the headings kept with it
        if height > most:
            width, height = width * most / height, most
        self._start(height)
        x = pdf.l_margin + (pdf.epw - width) / 2
        pdf.image(png, x=x, y=pdf.y, w=width, h=height, alt_text=alt)
        pdf.set_xy(pdf.l_margin, pdf.y + height + GAP)

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
            points, colour, above, below = HEADING_STYLES[level - 1]
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
        points, _, above, below = HEADING_STYLES[level - 1]
        return len(self._lines(text, self._pdf.epw, points, "B")) * points * 25.4 / 72 + above + below

    def _caption(self, caption: str) -> None:
        if caption:
            pdf = self._pdf
            pdf.set_font(FONT, "B", 9)
            pdf.multi_cell(0, 4.5, caption, align="L", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
            pdf.ln(1)

    def _row_height(self, row: Sequence[str], widths: Sequence[float], size: float, line: float,
                    padding: tuple[float, float], style: str = "") -> float:
        lines = max(len(self._lines(text, width - 2 * padding[1], size, style)) if text else 1
                    for text, width in zip(row, widths))
        return lines * line + 2 * padding[0]

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
        pdf.set_text_color(*GREY)
        for label, value in stamp.items():
            pdf.set_font(FONT, "B", 8.5)
            pdf.write(4.2, f"{self.clean(label)}: ")
            pdf.set_font(FONT, "", 8.5)
            pdf.write(4.2, self.clean("" if value is None else value))
            pdf.ln(4.2)
            pdf.ln(0.8)
        pdf.set_text_color(*TEXT_COLOUR)
        pdf.ln(1)
        pdf.set_draw_color(*RULE)
        pdf.line(pdf.l_margin, pdf.y, pdf.l_margin + pdf.epw, pdf.y)
        pdf.set_draw_color(0)
        pdf.ln(GAP)

    def _column_widths(self, headers: list[str], rows: list[list[str]]) -> tuple[float, list[float]]:
        """A font size and column widths (mm) summing to the page width: each column at least
        as wide as its longest word (shrinking the font for that if need be), then widened
        towards the width of its longest text on one line (at most half the page)."""
        pdf = self._pdf
        columns = list(zip(headers, *rows))
        longest = [max(column, key=len) for column in columns]
        longest_word = [max((word for text in column for word in text.split()), key=len, default="")
                        for column in columns]
        pad = 2.4 + 0.5
        for size in TABLE_FONT_PT:
            pdf.set_font(FONT, "B", size)  # the header is bold: measure bold, a little wider
            least = [pdf.get_string_width(word) + pad for word in longest_word]
            wanted = [max(min(pdf.get_string_width(max(text.split("\n"), key=len)) + pad, pdf.epw / 2), low)
                      for text, low in zip(longest, least)]
            if sum(least) <= pdf.epw:
                break
        if sum(least) > pdf.epw:  # still too many: share by least width; long words break
            return size, [pdf.epw * low / sum(least) for low in least]
        if sum(wanted) <= pdf.epw:
            spare = pdf.epw - sum(wanted)
            return size, [want + spare * want / sum(wanted) for want in wanted]
        # Fill up from the least widths, sharing what is left equally among the columns
        # still short of their wanted width: short columns (numbers, dates) end up on one
        # line and the long text columns share the rest.
        widths = list(least)
        while True:
            short = [i for i, (width, want) in enumerate(zip(widths, wanted)) if want - width > 0.01]
            spare = pdf.epw - sum(widths)
            if not short or spare <= 0.01:
                return size, widths
            share = spare / len(short)
            for i in short:
                widths[i] = min(wanted[i], widths[i] + share)

    def _fit_cell(self, text: str, width: float, size: float, line: float) -> str:
        """``text``, cut so that its row fits on one page (fpdf2 cannot split a row)."""
        if len(text) <= LONG_CELL and text.count("\n") < 20:
            return text
        most = int((self._pdf.eph * 0.75) // line)
        lines = self._lines(text, width, size)
        if len(lines) <= most:
            return text
        return "\n".join(lines[: most - 1]) + "\n… (cut)"


def fit(pdf: FPDF, text: str, width: float) -> str:
    """``text`` shortened with an ellipsis to fit ``width`` mm in the current font."""
    if pdf.get_string_width(text) <= width:
        return text
    while text and pdf.get_string_width(text + "…") > width:
        text = text[:-1]
    return text.rstrip() + "…"


def built_time(value: object) -> dt.datetime | None:
    """The stamp's "Data built" text (``2024-05-01 12:00 UTC``) as a UTC datetime, else None."""
    match = BUILT_RE.search(str(value or ""))
    if not match:
        return None
    try:
        return dt.datetime(*map(int, match.groups()), tzinfo=dt.UTC)
    except ValueError:
        return None


def _column_name(column: object) -> str:
    if isinstance(column, tuple):
        return " / ".join(str(part) for part in column if str(part))
    return str(column)


def _missing(value: object) -> bool:
    try:
        return value is None or bool(pd.isna(value))
    except (TypeError, ValueError):  # a list or array in a cell
        return False


def cell_text(value: object) -> str:
    """A table cell as text: missing values empty, whole numbers with thousands separators,
    other numbers with up to four decimals, dates as 31 Jan 2024."""
    if _missing(value):
        return ""
    if hasattr(value, "item") and not isinstance(value, (str, bytes)):  # a NumPy scalar
        try:
            value = value.item()
        except (AttributeError, ValueError, TypeError):
            pass
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if isinstance(value, int):
        return f"{value:,}"
    if isinstance(value, (float, decimal.Decimal)):
        if math.isinf(value):
            return "∞" if value > 0 else "−∞"
        if float(value).is_integer():
            return f"{int(value):,}"
        return f"{value:,.4f}".rstrip("0").rstrip(".")
    if isinstance(value, dt.datetime):
        return f"{value:%d %b %Y}" if value.time() == dt.time() else f"{value:%d %b %Y %H:%M}"
    if isinstance(value, dt.date):
        return f"{value:%d %b %Y}"
    return str(value)


# -- charts ---------------------------------------------------------------------------

_fonts_registered = threading.Lock()
_registered: list[bool] = []


def _register_fonts() -> None:
    """Give vl-convert the bundled font, once per process (it also bundles Liberation Sans;
    without this, charts on a machine without DejaVu would fall back to that)."""
    import vl_convert

    with _fonts_registered:
        if not _registered:
            vl_convert.register_font_directory(str(FONT_DIR))
            _registered.append(True)


def chart_spec(chart: object) -> dict:
    """The Vega-Lite spec the PDF draws: the page's spec (``ui.chart_block``: ``charts.CONFIG``
    merged in), its data inline, and a fixed width where the page's was "container"."""
    from dashboard.charts import CONFIG, VegaLite

    if isinstance(chart, VegaLite):
        spec = dict(chart.spec)
        if chart.data is not None:
            spec["data"] = {"values": records(chart.data)}
    elif isinstance(chart, Mapping):
        spec = dict(chart)
    elif hasattr(chart, "to_dict"):  # an Altair chart
        spec = chart.to_dict()
    else:
        raise TypeError(f"not a chart: {type(chart).__name__}")
    spec["config"] = {"font": CHART_FONT, **CONFIG, **spec.get("config", {})}
    composite = any(key in spec for key in ("hconcat", "vconcat", "concat", "facet", "repeat"))
    if not composite and spec.get("width", "container") == "container":
        spec["width"] = CHART_WIDTH_PX
        spec.setdefault("autosize", {"type": "fit-x", "contains": "padding"})
    if spec.get("height") == "container":
        spec["height"] = CHART_HEIGHT_PX
    return spec


def chart_png(chart: object) -> bytes:
    """The chart (see ``chart_spec``) as PNG at ``CHART_SCALE`` times its size."""
    import vl_convert

    _register_fonts()
    text = json.dumps(chart_spec(chart), default=_json_default, allow_nan=False)
    # The data is inline: nothing is fetched (allowed_base_urls=[] refuses any "url").
    return vl_convert.vegalite_to_png(text, scale=CHART_SCALE, allowed_base_urls=[])


def records(frame: pd.DataFrame) -> list[dict]:
    """A DataFrame as Vega-Lite inline values: missing values null, dates ISO 8601 text."""
    columns = [str(column) for column in frame.columns]
    values = [[_json_value(value) for value in frame[column].tolist()] for column in frame.columns]
    return [dict(zip(columns, row)) for row in zip(*values)]


def _json_value(value: object) -> object:
    if _missing(value):
        return None
    if isinstance(value, float) and math.isinf(value):
        return None
    return _json_default(value) if not isinstance(value, (str, int, float, bool)) else value


def _json_default(value: object) -> object:
    if isinstance(value, dt.datetime):
        return value.isoformat()
    if isinstance(value, dt.date):  # midnight local time, as a datetime: a bare date reads as UTC
        return dt.datetime.combine(value, dt.time()).isoformat()
    if isinstance(value, decimal.Decimal):
        return float(value)
    if hasattr(value, "item"):  # NumPy scalar
        return _json_value(value.item())
    if isinstance(value, (set, frozenset, tuple)):
        return list(value)
    return str(value)


def png_size(png: bytes) -> tuple[int, int]:
    """Width and height in pixels, from a PNG's header."""
    if png[:8] != b"\x89PNG\r\n\x1a\n":
        raise ValueError("not a PNG image")
    return struct.unpack(">II", png[16:24])
