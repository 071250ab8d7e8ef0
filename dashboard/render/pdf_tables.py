"""Tables in the PDF: at the page width, text wrapping in its cells, a long table continuing on the
next page under its header row again. A part of ``dashboard.render.pdf.Report``."""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd
from fpdf.enums import XPos, YPos
from fpdf.fonts import FontFace

from dashboard.render import pdf_values
from dashboard.render.pdf_style import FONT, GAP, PALE, RULE, STRIPE

TABLE_FONT_PT = (9, 8, 7)  # tried in turn until the columns' longest words fit the page width
LONG_CELL = 200  # characters; a longer cell is checked against the page height


class Tables:
    """``Report.table`` and what it needs; ``Report`` gives ``_pdf``, ``clean``, ``_lines``,
    ``_start``, ``paragraph`` and ``scale``."""

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
        headers = [self.clean(pdf_values.column_name(column)) for column in frame.columns]
        numeric = [
            pd.api.types.is_numeric_dtype(dtype) and not pd.api.types.is_bool_dtype(dtype) for dtype in frame.dtypes
        ]
        rows = [
            [self.clean(pdf_values.cell_text(value)) for value in row]
            for row in frame.itertuples(index=False, name=None)
        ]
        caption = self.clean(caption) if caption else ""
        caption_height = (
            (len(self._lines(caption, pdf.epw, 9 * self.scale, "B")) * 4.5 * self.scale + 1) if caption else 0
        )
        if not headers:
            self._start(caption_height)
            self._caption(caption)
            self.paragraph("(No columns.)", size=9)
            return
        size, widths = self._column_widths(headers, rows)
        line = size * 0.45
        padding = (1 * self.scale, 1.2 * self.scale)  # vertical, horizontal
        rows = [
            [self._fit_cell(text, width - 2 * padding[1], size, line) for text, width in zip(row, widths)]
            for row in rows
        ]
        # The caption, the header row and the first row together.
        first = sum(
            self._row_height(row, widths, size, line, padding, style)
            for row, style in ((headers, "B"), *(((rows[0], ""),) if rows else ()))
        )
        self._start(caption_height + first)
        self._caption(caption)
        pdf.set_font(FONT, "", size)
        pdf.set_draw_color(*RULE)
        pdf.set_line_width(0.2)
        pdf.set_fill_color(255)
        with pdf.table(
            width=pdf.epw,
            col_widths=widths,
            line_height=line,
            padding=padding,
            v_align="TOP",
            text_align=tuple("RIGHT" if is_number else "LEFT" for is_number in numeric),
            headings_style=FontFace(emphasis="BOLD", fill_color=PALE),
            borders_layout="HORIZONTAL_LINES",
            cell_fill_mode="ROWS",
            cell_fill_color=STRIPE,
            repeat_headings=1,
            first_row_as_headings=True,
        ) as table:
            table.row(headers)
            for row in rows:
                table.row(row)
        if not rows:
            self.paragraph("(No rows.)", size=9)
        pdf.set_draw_color(0)
        pdf.ln(GAP * self.scale)

    def _caption(self, caption: str) -> None:
        if caption:
            pdf = self._pdf
            pdf.set_font(FONT, "B", 9 * self.scale)
            pdf.multi_cell(0, 4.5 * self.scale, caption, align="L", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
            pdf.ln(1 * self.scale)

    def _row_height(
        self,
        row: Sequence[str],
        widths: Sequence[float],
        size: float,
        line: float,
        padding: tuple[float, float],
        style: str = "",
    ) -> float:
        lines = max(
            len(self._lines(text, width - 2 * padding[1], size, style)) if text else 1
            for text, width in zip(row, widths)
        )
        return lines * line + 2 * padding[0]

    def _column_widths(self, headers: list[str], rows: list[list[str]]) -> tuple[float, list[float]]:
        """A font size and column widths (mm) summing to the page width: each column at least
        as wide as its longest word (shrinking the font for that if need be), then widened
        towards the width of its longest text on one line (at most half the page)."""
        pdf = self._pdf
        columns = list(zip(headers, *rows))
        longest = [max(column, key=len) for column in columns]
        longest_word = [
            max((word for text in column for word in text.split()), key=len, default="") for column in columns
        ]
        pad = (2.4 + 0.5) * self.scale
        for size in (points * self.scale for points in TABLE_FONT_PT):
            pdf.set_font(FONT, "B", size)  # the header is bold: measure bold, a little wider
            least = [pdf.get_string_width(word) + pad for word in longest_word]
            wanted = [
                max(min(pdf.get_string_width(max(text.split("\n"), key=len)) + pad, pdf.epw / 2), low)
                for text, low in zip(longest, least)
            ]
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
