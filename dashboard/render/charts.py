"""Charts the pages share, as Vega-Lite specs built from plain dicts. Colour-blind-safe
colours; values also in labels and tooltips, so no information is carried by colour alone.

Every function takes a tidy DataFrame whose hidden rows (disclosure control)
have already been removed or blanked, and returns a ``VegaLite``: the data and
a spec that ``ui.chart_block`` draws with ``st.vega_lite_chart``. Writing the
spec directly costs well under a millisecond; building the same chart with
Altair cost about 30 ms, and Streamlit's conversion of it as much again.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass

import pandas as pd

# Okabe-Ito, the usual colour-blind-safe qualitative palette (darker members first).
QUALITATIVE = ("#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#F0E442", "#000000")
# Diverging, colour-blind safe (ColorBrewer PuOr): negative orange, positive purple. Labels
# are white on the two dark ends and dark on the light middle colours (all >= 4.5:1).
DIVERGING_NEGATIVE = ("#b35806", "#f1a340")
DIVERGING_NEUTRAL = "#bababa"
DIVERGING_POSITIVE = ("#998ec3", "#542788")
DARK_FILLS = frozenset({"#b35806", "#542788"})
NHS_BLUE = "#005EB8"
TEXT = "#212B32"
AXIS_TEXT = "#425563"  # NHS dark grey: 7.7:1 on white (Streamlit's default chart grey is 3.7:1)
CONFIG = {
    "axis": {"labelColor": AXIS_TEXT, "titleColor": AXIS_TEXT},
    "legend": {"labelColor": AXIS_TEXT, "titleColor": AXIS_TEXT},
}
SCHEMA = "https://vega.github.io/schema/vega-lite/v6.json"
# The chart's width where it is drawn (Vega's containerSize(); 600 before it is known, as in a PDF).
CONTAINER_WIDTH = "(isFinite(containerSize()[0]) && containerSize()[0] > 0 ? containerSize()[0] : 600)"
NARROW_PX = 500  # a chart narrower than this (a phone) lists a legend's entries one under another
LABEL_SHARE = 0.4  # at most this share of the chart's width for a category axis' labels
# A time axis: a tick on the first of each month, written with its year; labels that would pass the
# chart's edge or overlap are left out.
MONTH_LABEL_HALF_PX = 28  # half a month label ("Sep 2021"), centred on its tick: room for the last one
MONTH_AXIS = {
    "format": "%b %Y",
    "tickCount": {"interval": "month", "step": 1},
    "labelOverlap": True,
    "labelBound": True,
}


@dataclass(frozen=True)
class VegaLite:
    """A chart: ``data`` (drawn from by every layer without data of its own) and its spec."""

    data: pd.DataFrame
    spec: dict

    def properties(self, **values: object) -> VegaLite:
        """The same chart with top-level properties set (height, autosize...), as Altair's."""
        return VegaLite(self.data, {**self.spec, **values})


# The one height rule: a chart with a category axis sizes its height by step (pixels per
# category), so n bars get n steps whatever the axes and legend need; a fixed pixel height is
# squeezed by Streamlit's fit-to-container sizing.
BAR_STEP = 25  # a horizontal bar chart's bar and gap
# Vega draws text marks past the plot's right edge, where the SVG ends (it does not count
# them when fitting the chart to its container): a label at the end of the longest bar is cut.
# ``label_room`` pads the chart on the right by the widest such label.
PADDING = 5  # Vega-Lite's default padding on each side
LABEL_CHAR_PX = 6.8  # a generous width per character of an 11 px label (Source Sans: digits 5.5 px, % 9 px)
NARROWEST_PLOT_PX = 160  # the narrowest plot assumed when a label short of the domain's end may still reach the edge


def label_limit(px: int) -> dict:
    """A category axis' label width: ``px`` at most, and no more than ``LABEL_SHARE`` of the chart's
    width, so that on a phone the bars keep most of it (a longer label ends in "…"; the tooltip and
    the table have it whole)."""
    return {"expr": f"min({px}, max(90, {LABEL_SHARE} * {CONTAINER_WIDTH}))"}


def legend_columns(wide: int) -> dict:
    """A legend's columns: ``wide`` on a wide chart, one on a narrow one (a phone), where a row of
    entries would run past the chart's edge."""
    return {"expr": f"{CONTAINER_WIDTH} < {NARROW_PX} ? 1 : {wide}"}


def accessible(spec: dict, description: str) -> dict:
    """``spec`` with an accessible name: Vega writes ``description`` as the chart's aria-label. Text
    marks (labels repeating what a bar or point says) and rules without a tooltip (reference lines,
    leader lines) are left out of the accessibility tree: an empty one is an unnamed graphic."""
    layers = [
        layer | {"mark": {**layer["mark"], "aria": False}} if _decoration(layer) else layer
        for layer in spec.get("layer", [])
    ]
    return {**spec, "description": description} | ({"layer": layers} if "layer" in spec else {})


def _decoration(layer: dict) -> bool:
    mark = layer.get("mark", {})
    kind = mark.get("type") if isinstance(mark, dict) else mark
    return kind == "text" or (kind == "rule" and "tooltip" not in layer.get("encoding", {}))


def layered(data: pd.DataFrame, layers: list[dict], **top: object) -> VegaLite:
    return VegaLite(data, {"$schema": SCHEMA, "width": "container", "layer": layers, **top})


def number_text(value: float) -> str:
    """A number as Vega's "," format writes it (25.25, 1,234, 53)."""
    text = f"{value:,}"
    return text.removesuffix(".0")


def label_room(positions: Iterable[float], labels: Iterable[str], dx: float = 4) -> dict:
    """Padding for a chart whose ``labels`` start ``dx`` px right of ``positions`` (0-1 of the
    x domain): room on the right for the part of any label that may pass the plot's edge.
    A label at the domain's end needs its whole width; one further left, less (judged on a
    plot only ``NARROWEST_PLOT_PX`` wide, so wider plots have room to spare)."""
    need = max(
        (
            dx + 2 + len(label) * LABEL_CHAR_PX - (1 - min(max(float(at), 0.0), 1.0)) * NARROWEST_PLOT_PX
            for at, label in zip(positions, labels)
            if pd.notna(at)
        ),
        default=0.0,
    )
    return {"left": PADDING, "top": PADDING, "bottom": PADDING, "right": PADDING + max(0, math.ceil(need))}


def share_of_largest(values: pd.Series) -> pd.Series:
    largest = values.max()
    return values / largest if pd.notna(largest) and largest > 0 else values * 0


# A count's axis: whole numbers only (no 0.5 ticks for one or two actions), with thousands separators.
COUNT_AXIS = {"format": ",d", "tickMinStep": 1}


def field(name: str, kind: str, **more: object) -> dict:
    """One encoding channel: ``field("share", "quantitative", title="Percent")``."""
    return {"field": name, "type": kind, **more}


def tip(name: str, kind: str, title: str | None = None, format: str | None = None) -> dict:
    out = field(name, kind)
    if title is not None:
        out["title"] = title
    if format is not None:
        out["format"] = format
    return out


def count_bars(
    frame: pd.DataFrame,
    category: str,
    value: str,
    category_title: str,
    value_title: str,
    colour: str | None = None,
    sort_by_value: bool = True,
) -> VegaLite:
    """Horizontal bars of a count, labelled with the value; optional colour field (with legend)."""
    y = field(category, "nominal", title=category_title, axis={"labelLimit": label_limit(260)})
    if sort_by_value:
        y["sort"] = {"field": value, "op": "sum", "order": "descending"}
    tooltip = [tip(category, "nominal", category_title), tip(value, "quantitative", value_title, ",")]
    if colour:
        tooltip.append(tip(colour, "nominal"))
        color = field(
            colour,
            "nominal",
            scale={"range": list(QUALITATIVE)},
            legend={"orient": "bottom", "columns": legend_columns(3)},
        )
        x = field(value, "quantitative", aggregate="sum", title=value_title, axis=COUNT_AXIS)
        bars = {"mark": {"type": "bar"}, "encoding": {"x": x, "y": y, "color": color, "tooltip": tooltip}}
        return layered(frame, [bars], height={"step": BAR_STEP})
    values = frame[value].astype(float)
    return layered(
        frame,
        [
            {
                "mark": {"type": "bar", "color": NHS_BLUE},
                "encoding": {
                    "x": field(value, "quantitative", title=value_title, axis=COUNT_AXIS),
                    "y": y,
                    "tooltip": tooltip,
                },
            },
            {
                "mark": {"type": "text", "align": "left", "dx": 4, "color": TEXT},
                "encoding": {
                    "x": field(value, "quantitative"),
                    "y": y,
                    "text": field(value, "quantitative", format=","),
                },
            },
        ],
        height={"step": BAR_STEP},
        padding=label_room(share_of_largest(values), [number_text(v) for v in values.fillna(0)]),
    )


def time_bars(
    frame: pd.DataFrame, x: str, value: str, x_title: str, value_title: str, time_format: str = "%d %b %Y"
) -> VegaLite:
    """Vertical bars over time (by week, from a Monday, or by month): ticks on the first of each month,
    written with the year (a week's own date is in its tooltip)."""
    tooltip = [tip(x, "temporal", x_title, time_format), tip(value, "quantitative", value_title, ",")]
    return layered(
        frame,
        [
            {
                "mark": {"type": "bar", "color": NHS_BLUE},
                "encoding": {
                    "x": field(x, "temporal", title=x_title, axis=MONTH_AXIS),
                    "y": field(value, "quantitative", title=value_title, axis=COUNT_AXIS),
                    "tooltip": tooltip,
                },
            }
        ],
        height=240,
        padding={"left": PADDING, "top": PADDING, "bottom": PADDING, "right": MONTH_LABEL_HALF_PX},
    )
