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
from collections.abc import Iterable, Sequence
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


def _chart(data: pd.DataFrame, layers: list[dict], **top: object) -> VegaLite:
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


def interval_bars(frame: pd.DataFrame, category: str, category_title: str, value_title: str = "Percent") -> VegaLite:
    """Horizontal bars of ``share`` (0-1) with 95% interval whiskers (``low``/``high``),
    sorted by value, labelled with the percent and n."""
    data = frame.assign(label=[f"{s:.0%} (n={int(n):,})" for s, n in zip(frame["share"], frame["n"])])
    order = data.sort_values("share", ascending=False)[category].tolist()
    y = field(category, "nominal", sort=order, title=category_title, axis={"labelLimit": 260})
    tooltip = [
        tip(category, "nominal", category_title),
        tip("share", "quantitative", value_title, ".0%"),
        tip("low", "quantitative", "95% CI low", ".0%"),
        tip("high", "quantitative", "95% CI high", ".0%"),
        tip("n", "quantitative", "n", ","),
    ]
    x = field("share", "quantitative", title=value_title, axis={"format": "%"}, scale={"domain": [0, 1]})
    return _chart(
        data,
        [
            {"mark": {"type": "bar", "color": NHS_BLUE}, "encoding": {"x": x, "y": y, "tooltip": tooltip}},
            {
                "mark": {"type": "rule", "color": TEXT, "strokeWidth": 1.5},
                "encoding": {"x": field("low", "quantitative"), "x2": {"field": "high"}, "y": y, "tooltip": tooltip},
            },
            {
                "mark": {"type": "text", "align": "left", "dx": 4, "color": TEXT},
                "encoding": {"x": field("high", "quantitative"), "y": y, "text": field("label", "nominal")},
            },
        ],
        height={"step": 26},
        padding=label_room(data["high"], data["label"]),
    )


def diverging_stacked(
    frame: pd.DataFrame,
    category: str,
    answers: Sequence[str],
    negative: Sequence[str],
    neutral: Sequence[str],
    positive: Sequence[str],
) -> VegaLite:
    """Diverging stacked bars: negative answers left of zero, positive right; neutral split
    evenly across zero. ``frame`` has ``category``, ``answer`` and ``share`` (0-1 of the row)."""
    shares: dict[object, dict[str, float]] = {}
    for group, answer, share in zip(frame[category], frame["answer"], frame["share"]):
        by_answer = shares.setdefault(group, {})
        by_answer[answer] = by_answer.get(answer, 0.0) + float(share)
    order = {a: i for i, a in enumerate(answers)}
    pieces = []
    for group, part in shares.items():
        left = -sum(part.get(a, 0.0) for a in negative) - sum(part.get(a, 0.0) for a in neutral) / 2
        for answer in answers:
            share = part.get(answer, 0.0)
            if share == 0:
                continue
            pieces.append(
                {
                    category: group,
                    "answer": answer,
                    "share": share,
                    "start": left,
                    "end": left + share,
                    "order": order[answer],
                }
            )
            left += share
    colours = (
        list(DIVERGING_NEGATIVE[-len(negative) :] if negative else [])
        + [DIVERGING_NEUTRAL] * len(neutral)
        + list(DIVERGING_POSITIVE[: len(positive)])
    )
    fill = dict(zip([*negative, *neutral, *positive], colours))
    for piece in pieces:
        piece["label_colour"] = "white" if fill.get(piece["answer"]) in DARK_FILLS else TEXT
    spans = pd.DataFrame(pieces, columns=[category, "answer", "share", "start", "end", "order", "label_colour"])
    colour = field(
        "answer",
        "nominal",
        title="Answer",
        scale={"domain": [*negative, *neutral, *positive], "range": colours},
        legend={"orient": "bottom", "columns": 3},
    )
    y = field(category, "nominal", title=None, axis={"labelLimit": 260})
    tooltip = [
        tip(category, "nominal"),
        tip("answer", "nominal", "Answer"),
        tip("share", "quantitative", "Share", ".0%"),
    ]
    return _chart(
        spans,
        [
            {
                "mark": {"type": "bar", "stroke": "white", "strokeWidth": 1},
                "encoding": {
                    "x": field(
                        "start",
                        "quantitative",
                        axis={"format": "%"},
                        title="Share of answers (negative left of zero, positive right)",
                    ),
                    "x2": {"field": "end"},
                    "y": y,
                    "color": colour,
                    "order": field("order", "quantitative"),
                    "tooltip": tooltip,
                },
            },
            {
                "data": {"values": [{"x": 0}]},
                "mark": {"type": "rule", "color": TEXT},
                "encoding": {"x": field("x", "quantitative")},
            },
            {
                "mark": {"type": "text", "fontWeight": "bold"},
                "transform": [
                    {"filter": "datum.share >= 0.07"},
                    {"calculate": "(datum.start + datum.end) / 2", "as": "mid"},
                ],
                "encoding": {
                    "x": field("mid", "quantitative"),
                    "y": y,
                    "text": field("share", "quantitative", format=".0%"),
                    "color": field("label_colour", "nominal", scale=None, legend=None),
                },
            },
        ],
        height={"step": 44},
    )


def trend(frame: pd.DataFrame, x: str, x_title: str, value_title: str = "Percent") -> VegaLite:
    """Line of ``share`` by ``x`` (a date) with an interval band, points labelled in tooltips."""
    tooltip = [
        tip(x, "temporal", x_title, "%B %Y"),
        tip("share", "quantitative", value_title, ".0%"),
        tip("low", "quantitative", "95% CI low", ".0%"),
        tip("high", "quantitative", "95% CI high", ".0%"),
        tip("n", "quantitative", "n", ","),
    ]
    x_enc = field(x, "temporal", title=x_title, axis={"format": "%b %Y", "tickCount": "month"})
    return _chart(
        frame,
        [
            {
                "mark": {"type": "area", "opacity": 0.25, "color": NHS_BLUE},
                "encoding": {
                    "x": x_enc,
                    "y": field(
                        "low", "quantitative", axis={"format": "%"}, title=value_title, scale={"domain": [0, 1]}
                    ),
                    "y2": {"field": "high"},
                },
            },
            {
                "mark": {"type": "line", "color": NHS_BLUE, "point": {"filled": True, "size": 60, "color": NHS_BLUE}},
                "encoding": {"x": x_enc, "y": field("share", "quantitative"), "tooltip": tooltip},
            },
        ],
        height=260,
    )


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
    y = field(category, "nominal", title=category_title, axis={"labelLimit": 260})
    if sort_by_value:
        y["sort"] = {"field": value, "op": "sum", "order": "descending"}
    tooltip = [tip(category, "nominal", category_title), tip(value, "quantitative", value_title, ",")]
    if colour:
        tooltip.append(tip(colour, "nominal"))
        color = field(colour, "nominal", scale={"range": list(QUALITATIVE)}, legend={"orient": "bottom"})
        x = field(value, "quantitative", aggregate="sum", title=value_title)
        bars = {"mark": {"type": "bar"}, "encoding": {"x": x, "y": y, "color": color, "tooltip": tooltip}}
        return _chart(frame, [bars], height={"step": BAR_STEP})
    values = frame[value].astype(float)
    return _chart(
        frame,
        [
            {
                "mark": {"type": "bar", "color": NHS_BLUE},
                "encoding": {"x": field(value, "quantitative", title=value_title), "y": y, "tooltip": tooltip},
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
    """Vertical bars over time (e.g. by week)."""
    tooltip = [tip(x, "temporal", x_title, time_format), tip(value, "quantitative", value_title, ",")]
    return _chart(
        frame,
        [
            {
                "mark": {"type": "bar", "color": NHS_BLUE},
                "encoding": {
                    "x": field(x, "temporal", title=x_title, axis={"format": "%d %b"}),
                    "y": field(value, "quantitative", title=value_title),
                    "tooltip": tooltip,
                },
            }
        ],
        height=240,
    )


def wave_points(frame: pd.DataFrame, category: str, category_title: str) -> VegaLite:
    """Per ``category`` (a question), one point per ``wave`` at its ``share`` (0-1) with a 95%
    interval rule, waves told apart by colour and shape and named in the legend and tooltips."""
    data = frame.assign(percent_text=[f"{s:.0%}" for s in frame["share"]])
    y = field(category, "nominal", title=category_title, sort=None, axis={"labelLimit": 300})
    offset = field("wave", "nominal")
    tooltip = [
        tip(category, "nominal", category_title),
        tip("wave", "nominal", "Wave"),
        tip("share", "quantitative", "Percent", ".0%"),
        tip("low", "quantitative", "95% CI low", ".0%"),
        tip("high", "quantitative", "95% CI high", ".0%"),
        tip("n", "quantitative", "n", ","),
    ]
    x = field("share", "quantitative", title="Percent", axis={"format": "%"}, scale={"domain": [0, 1]})
    colour = field("wave", "nominal", title="Wave", scale={"range": list(QUALITATIVE)})
    return _chart(
        data,
        [
            {
                "mark": {"type": "rule", "strokeWidth": 1.5},
                "encoding": {
                    "x": field("low", "quantitative"),
                    "x2": {"field": "high"},
                    "y": y,
                    "yOffset": offset,
                    "color": colour,
                    "tooltip": tooltip,
                },
            },
            {
                "mark": {"type": "point", "filled": True, "size": 80},
                "encoding": {
                    "x": x,
                    "y": y,
                    "yOffset": offset,
                    "color": colour,
                    "shape": field("wave", "nominal"),
                    "tooltip": tooltip,
                },
            },
            {
                "mark": {"type": "text", "align": "left", "dx": 6, "color": TEXT},
                "encoding": {
                    "x": field("high", "quantitative"),
                    "y": y,
                    "yOffset": offset,
                    "text": field("percent_text", "nominal"),
                },
            },
        ],
        height={"step": 44},
        padding=label_room(data["high"], data["percent_text"], dx=6),
    )
