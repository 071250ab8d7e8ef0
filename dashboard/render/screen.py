"""A page's content (``dashboard.features.view``) drawn with Streamlit: the one screen renderer.

The PDF of the same description is ``dashboard.render.printout.of_view``: each item here has its
counterpart there, so what the screen shows and what the PDF prints agree by construction.
Headings: level 1 a section heading (h2, under the page's title), level 2 one below it (h3). Tiles: a column each (figure, change,
help, the line under it). Paragraphs: data escaped for
Streamlit's markdown, ``Strong`` in bold. Tables: static, or interactive when they have a key.
Sections: folded away in an expander (the PDF prints them in place). Downloads: buttons (screen
only: controls, not content)."""

from __future__ import annotations

import re
from collections.abc import Sequence

import streamlit as st

from dashboard.core.text import escape_markdown
from dashboard.features import view
from dashboard.render import downloads, ui, view_charts
from dashboard.render.charts import CONFIG

# A colon before a space or the end cannot start a :directive: or an :icon:, so prose keeps it plain.
_OWN_COLON = re.compile(r"\\:(?=\s|$)")
# Bold data keeps its colons escaped; a colon ending a bold label ("**Hidden:** ...") is the app's own.
_LABEL_COLON = re.compile(r"\\:$")


def draw_view(described: view.View, page: ui.Page) -> None:
    """The view's subject as the page's heading, then its items."""
    st.header(escape_markdown(described.subject))
    draw(described.items, page)


def draw(items: Sequence[view.Item], page: ui.Page) -> None:
    for item in items:
        if isinstance(item, view.Heading):
            if item.level == 1:
                st.header(escape_markdown(item.text))
            else:
                st.markdown(f"{'#' * (item.level + 1)} {escape_markdown(item.text)}")
        elif isinstance(item, view.Paragraph):
            st.markdown(markdown(item))
        elif isinstance(item, view.Notice):
            if item.kind == "hidden":
                st.info(item.markdown, icon=":material/visibility_off:")
            else:
                st.error(item.markdown, icon=":material/lock:")
        elif isinstance(item, view.Tiles):
            _tiles(item)
        elif isinstance(item, view.Table):
            if item.caption:
                st.caption(escape_markdown(item.caption))
            if item.key:
                ui.show_table(item.frame, key=item.key)
            else:
                st.table(item.frame)
        elif isinstance(item, view.Chart):
            _chart(item)
        elif isinstance(item, view.Downloads):
            downloads.download_buttons(item.frame, item.name, page, note=item.note, key=item.key)
        elif isinstance(item, view.Section):
            with st.expander(item.title):
                draw(item.items, page)
        else:
            raise TypeError(f"not an item of a view: {type(item).__name__}")


def markdown(item: view.Paragraph) -> str:
    """The paragraph as Streamlit markdown: data escaped (spaces around it kept), bold and code marked."""
    out = []
    for run in item.runs:
        if isinstance(run, view.Strong):
            out.append(f"**{_LABEL_COLON.sub(':', escape_markdown(run.text))}**")
        elif isinstance(run, view.Code):
            out.append(f"`{run.text.replace('`', '')}`")
        else:
            text = _OWN_COLON.sub(":", escape_markdown(run))
            out.append((" " if run[:1].isspace() else "") + text + (" " if run[-1:].isspace() and text else ""))
    return "".join(out)


def _tiles(item: view.Tiles) -> None:
    """A column per tile: its figure with its change and help, and the line under it."""
    for column, tile in zip(st.columns(len(item.tiles)), item.tiles):
        column.metric(tile.label, tile.value, border=True, help=tile.help, delta=tile.change, delta_color=tile.colour)
        column.markdown(markdown(view.paragraph(tile.note)))


def _chart(item: view.Chart) -> None:
    """The chart, its summary under it, and its table alternative when it has one."""
    chart = view_charts.chart(item)
    spec = {**chart.spec, "config": CONFIG | chart.spec.get("config", {})}  # readable axis and legend text
    st.vega_lite_chart(chart.data, spec, width="stretch", key=f"chart_{item.key}", alt=item.summary)
    st.markdown(escape_markdown(item.summary))
    if item.table is not None:
        with st.expander("View as table"):
            ui.show_table(item.table, key=f"table_{item.key}")
