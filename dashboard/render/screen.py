"""A page's content (``dashboard.features.view``) drawn with Streamlit: the one screen renderer.

The PDF of the same description is ``dashboard.render.printout.of_view``: each item here has its
counterpart there, so what the screen shows and what the PDF prints agree by construction.
Headings: level 1 a subheader, level 2 a smaller heading. Paragraphs: data escaped for
Streamlit's markdown, ``Strong`` in bold. Tables: static, or interactive when they have a key.
Sections: folded away in an expander (the PDF prints them in place). Downloads: buttons (screen
only: controls, not content)."""

from __future__ import annotations

import re
from collections.abc import Sequence

import streamlit as st

from dashboard.core.text import escape_markdown
from dashboard.features.view import (
    Chart,
    Code,
    Downloads,
    Heading,
    Item,
    Notice,
    Paragraph,
    Section,
    Strong,
    Table,
    View,
)
from dashboard.render import downloads, ui, view_charts
from dashboard.render.charts import CONFIG

# A colon before a space or the end cannot start a :directive: or an :icon:, so prose keeps it plain.
_OWN_COLON = re.compile(r"\\:(?=\s|$)")


def draw_view(view: View, page: ui.Page) -> None:
    """The view's subject as the page's heading, then its items."""
    st.subheader(escape_markdown(view.subject))
    draw(view.items, page)


def draw(items: Sequence[Item], page: ui.Page) -> None:
    for item in items:
        if isinstance(item, Heading):
            if item.level == 1:
                st.subheader(escape_markdown(item.text))
            else:
                st.markdown(f"{'#' * (item.level + 2)} {escape_markdown(item.text)}")
        elif isinstance(item, Paragraph):
            st.markdown(markdown(item))
        elif isinstance(item, Notice):
            st.error(item.markdown, icon=":material/lock:")
        elif isinstance(item, Table):
            if item.caption:
                st.caption(escape_markdown(item.caption))
            if item.key:
                ui.show_table(item.frame, key=item.key)
            else:
                st.table(item.frame)
        elif isinstance(item, Chart):
            _chart(item)
        elif isinstance(item, Downloads):
            downloads.download_buttons(item.frame, item.name, page, note=item.note, key=item.key)
        elif isinstance(item, Section):
            with st.expander(item.title):
                draw(item.items, page)
        else:
            raise TypeError(f"not an item of a view: {type(item).__name__}")


def markdown(item: Paragraph) -> str:
    """The paragraph as Streamlit markdown: data escaped (spaces around it kept), bold and code marked."""
    out = []
    for run in item.runs:
        if isinstance(run, Strong):
            out.append(f"**{escape_markdown(run.text)}**")
        elif isinstance(run, Code):
            out.append(f"`{run.text.replace('`', '')}`")
        else:
            text = _OWN_COLON.sub(":", escape_markdown(run))
            out.append((" " if run[:1].isspace() else "") + text + (" " if run[-1:].isspace() and text else ""))
    return "".join(out)


def _chart(item: Chart) -> None:
    """The chart, its summary under it, and its table alternative when it has one."""
    chart = view_charts.chart(item)
    spec = {**chart.spec, "config": CONFIG | chart.spec.get("config", {})}  # readable axis and legend text
    st.vega_lite_chart(chart.data, spec, width="stretch", key=f"chart_{item.key}", alt=item.summary)
    st.markdown(escape_markdown(item.summary))
    if item.table is not None:
        with st.expander("View as table"):
            ui.show_table(item.table, key=f"table_{item.key}")
