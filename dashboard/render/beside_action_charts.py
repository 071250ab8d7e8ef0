"""The two scatters of the Actions page, in the house style of ``dashboard.render.charts``: each
service area's survey result beside the actions raised there (Results beside action), and its
change between waves beside the actions completed in between (across waves). Counts tie often, so
tied areas are spread a little apart on a whole-number axis; the worst few areas are named.

Every function takes a tidy DataFrame from ``dashboard.features.beside_action`` whose hidden survey rows
(disclosure control) are already removed, and returns a chart.
"""

from __future__ import annotations

import math

import pandas as pd

from dashboard.render.charts import QUALITATIVE, SCHEMA, TEXT, VegaLite, field, legend_columns, tip

SHAPES = {True: "triangle-up", False: "circle"}
LABELLED_POINTS = 3  # names written beside the scatter's flagged points; every name is in the tooltip and table
NAME_LINE_PX = 15  # a name's line on the scatter (11 px text on its halo)
NAME_LIFT = 0.7  # a name's middle sits this many lines above its point
PLOT_PX_AT_LEAST = 280  # the scatter's plot area at its shortest: its 560 px less the axis and a wrapped legend


def care_group_colour(care_groups: tuple[str, ...]) -> dict:
    """The points' colour: one per care group of the Trust, in its order, the same on every chart
    (the palette repeats past its length), with its legend below the plot."""
    scale = {"domain": list(care_groups), "range": [QUALITATIVE[i % len(QUALITATIVE)] for i in range(len(care_groups))]}
    legend = {"orient": "bottom", "columns": legend_columns(2), "labelLimit": 320}
    return field("care_group", "nominal", title="Care group", scale=scale, legend=legend)


def spread_ties(counts: pd.Series, order: pd.Series, width: float = 0.8) -> pd.Series:
    """Plotting positions for counts with many ties: points with the same count are spread
    evenly over ``width`` around it, in ``order`` (so they do not hide each other)."""
    positions = counts.astype(float).copy()
    for _, members in counts.groupby(counts):
        if len(members) < 2:
            continue
        ranked = order.loc[members.index].sort_values(kind="stable").index
        step = min(width / len(ranked), 0.15)
        for rank, index in enumerate(ranked):
            positions.loc[index] = counts.loc[index] + (rank - (len(ranked) - 1) / 2) * step
    return positions


def count_axis(counts: pd.Series, title: str | list[str]) -> dict:
    """The axis of a count plotted at ``spread_ties`` positions ("plotted"): ticks at whole
    numbers only (about ten of them), the scale half a step beyond the first and last."""
    top = count_top(counts)
    step = max(1, math.ceil(top / 10))
    return field(
        "plotted",
        "quantitative",
        title=title,
        scale={"domain": [-0.5, top + 0.5], "nice": False},
        axis={"values": list(range(0, top + 1, step)), "format": "d"},
    )


def count_top(counts: pd.Series) -> int:
    """The largest count on a count axis (1 when there is none)."""
    return int(counts.max()) if len(counts) else 1


def name_line(top: int) -> float:
    """A name's line in the count axis' data units, on the shortest plot allowed for
    (``PLOT_PX_AT_LEAST``): the plot's height in pixels is Streamlit's to choose, so gaps between
    names are kept in data units, which only grow on a taller plot."""
    return NAME_LINE_PX * (top + 1) / PLOT_PX_AT_LEAST


def name_heights(plotted: pd.Series, top: int) -> pd.Series:
    """Where the names of the worst few go on the count axis (its data units, domain -0.5 to
    top + 0.5): just above their points, each moved down only as far as it must so that no two
    names come closer than a line (and back up if that would put it under the plot)."""
    line = name_line(top)
    ceiling, floor = top + 0.5 - line / 2, -0.5 + line / 2
    heights, below = {}, math.inf
    for index, position in plotted.sort_values(ascending=False, kind="stable").items():
        below = min(position + NAME_LIFT * line, ceiling, below - line)
        heights[index] = below
    above = -math.inf  # names pushed under the plot's floor go back up, still a line apart
    for index in reversed(list(heights)):
        above = heights[index] = max(heights[index], floor, above + line)
    return pd.Series(heights, dtype=float).reindex(plotted.index)


def name_layers() -> list[dict]:
    """The named areas' names (rows with a ``name_y``) beside their points, on a white halo: to
    the left of a point in the right half, to the right of one in the left half, so a name stays
    inside the plot. A name pushed away from its point (``name_moved``) gets a leader line to it."""
    encoding = {
        "x": field("share", "quantitative"),
        "y": field("name_y", "quantitative"),
        "text": field("service_area", "nominal"),
    }
    layers: list[dict] = [
        {
            "transform": [{"filter": "datum.name_moved"}],
            "mark": {"type": "rule", "color": TEXT, "strokeWidth": 0.75},
            "encoding": {
                "x": field("share", "quantitative"),
                "y": field("plotted", "quantitative"),
                "y2": {"field": "name_y"},
            },
        }
    ]
    for side, align, dx in (("datum.share >= 0.5", "right", -6), ("datum.share < 0.5", "left", 6)):
        text = {"type": "text", "align": align, "baseline": "middle", "dx": dx, "fontSize": 11}
        named = [{"filter": f"isValid(datum.name_y) && {side}"}]
        layers += [
            {
                "transform": named,
                "mark": {**text, "color": "white", "stroke": "white", "strokeWidth": 4},
                "encoding": encoding,
            },
            {"transform": named, "mark": {**text, "color": TEXT}, "encoding": encoding},
        ]
    return layers


def results_beside_action(
    frame: pd.DataFrame,
    measure_title: str,
    y: str,
    y_title: str | list[str],
    reference_share: float,
    reference_y: float,
    higher_is_worse: bool,
    care_groups: tuple[str, ...],
) -> VegaLite:
    """Each shown service area: the survey measure (x) against a count of actions (y).

    Colour is the care group; a triangle marks the areas that need attention and the
    worst few are named; dashed rules mark the filtered total (x) and the median count
    (y). Areas with the same count are spread slightly apart vertically so none hides
    another; the exact count, the 95% interval and n are in every tooltip.
    """
    data = frame.assign(
        needs_attention=frame["needs_attention"].astype(bool),
        share=frame["share"].astype(float),
        low=frame["low"].astype(float),
        high=frame["high"].astype(float),
    )
    data["attention"] = data["needs_attention"].map({True: "Needs attention", False: "Other areas"})
    data["plotted"] = spread_ties(data[y], data["share"])
    worst = data.loc[data["needs_attention"]].sort_values("share", ascending=not higher_is_worse).head(LABELLED_POINTS)
    top = count_top(data[y])
    data["name_y"] = name_heights(data.loc[worst.index, "plotted"], top).reindex(data.index)  # NaN: not named
    data["name_moved"] = data["name_y"].notna() & (data["name_y"] != data["plotted"] + NAME_LIFT * name_line(top))
    tooltip = [
        tip("service_area", "nominal", "Service area"),
        tip("care_group", "nominal", "Care group"),
        tip("share", "quantitative", measure_title, ".0%"),
        tip("low", "quantitative", "95% CI low", ".0%"),
        tip("high", "quantitative", "95% CI high", ".0%"),
        tip("n", "quantitative", "Responses (n)", ","),
        tip("actions_raised", "quantitative", "Actions raised", ","),
        tip("actions_completed", "quantitative", "Actions completed", ","),
        tip("theme_actions", "quantitative", "Related-theme actions", ","),
        tip("attention", "nominal", "Flag"),
    ]
    x = field(
        "share", "quantitative", title=f"{measure_title} (percent)", axis={"format": "%"}, scale={"domain": [0, 1]}
    )
    y_enc = count_axis(data[y], y_title)
    points = {
        "mark": {"type": "point", "filled": True, "size": 90, "opacity": 0.9, "stroke": "white", "strokeWidth": 0.5},
        "encoding": {
            "x": x,
            "y": y_enc,
            "color": care_group_colour(care_groups),
            "shape": field(
                "attention",
                "nominal",
                title="Flag",
                scale={"domain": ["Needs attention", "Other areas"], "range": [SHAPES[True], SHAPES[False]]},
                legend={
                    "orient": "top",
                    "columns": legend_columns(2),
                    "symbolFillColor": TEXT,
                    "symbolStrokeColor": TEXT,
                    "symbolSize": 120,
                },
            ),
            "tooltip": tooltip,
        },
    }
    layers = [points, *name_layers()]
    if pd.notna(reference_share):
        layers.append(
            {
                "data": {"values": [{"x": float(reference_share)}]},
                "mark": {"type": "rule", "color": TEXT, "strokeDash": [4, 4]},
                "encoding": {"x": field("x", "quantitative")},
            }
        )
    layers.append(
        {
            "data": {"values": [{"y": float(reference_y)}]},
            "mark": {"type": "rule", "color": TEXT, "strokeDash": [2, 4]},
            "encoding": {"y": field("y", "quantitative")},
        }
    )
    return VegaLite(data, {"$schema": SCHEMA, "width": "container", "height": 560, "layer": layers})


def change_beside_actions(
    frame: pd.DataFrame, measure_title: str, higher_is_better: bool, care_groups: tuple[str, ...]
) -> VegaLite:
    """Each service area shown in both waves: actions completed between the waves (x) against the
    change in the measure (y, percentage points), coloured by care group, a shape per real change,
    with a zero line. Areas with the same count are spread a little sideways (in name order) so
    none hides another; the exact figures are in every tooltip."""
    data = frame.assign(
        change=frame["change"].astype(float),
        real=["Bigger than chance" if s is True else "Could be chance" for s in frame["significant"]],
    )
    # Spread by name, not by change: a slope inside a column would look like a trend.
    data["plotted"] = spread_ties(data["actions_completed"], data["service_area"])
    better = "up is better" if higher_is_better else "down is better"
    tooltip = [
        tip("service_area", "nominal", "Service area"),
        tip("care_group", "nominal", "Care group"),
        tip("then_percent", "quantitative", "Earlier wave (%)"),
        tip("now_percent", "quantitative", "This wave (%)"),
        tip("change", "quantitative", f"Change in {measure_title} (points)", "+d"),
        tip("real", "nominal", "Test"),
        tip("actions_completed", "quantitative", "Actions completed between the waves", ","),
    ]
    return VegaLite(
        data,
        {
            "$schema": SCHEMA,
            "width": "container",
            "height": 420,
            "layer": [
                {
                    "data": {"values": [{"y": 0}]},
                    "mark": {"type": "rule", "color": TEXT, "strokeDash": [4, 4]},
                    "encoding": {"y": field("y", "quantitative")},
                },
                {
                    "mark": {
                        "type": "point",
                        "filled": True,
                        "size": 90,
                        "opacity": 0.9,
                        "stroke": "white",
                        "strokeWidth": 0.5,
                    },
                    "encoding": {
                        "x": count_axis(data["actions_completed"], "Actions completed between the waves"),
                        "y": field("change", "quantitative", title=["Change (points)", better.capitalize()]),
                        "color": care_group_colour(care_groups),
                        "shape": field(
                            "real",
                            "nominal",
                            title="The change",
                            scale={"domain": ["Bigger than chance", "Could be chance"], "range": ["diamond", "circle"]},
                            legend={
                                "orient": "top",
                                "columns": legend_columns(2),
                                "symbolFillColor": TEXT,
                                "symbolStrokeColor": TEXT,
                            },
                        ),
                        "tooltip": tooltip,
                    },
                },
            ],
        },
    )
