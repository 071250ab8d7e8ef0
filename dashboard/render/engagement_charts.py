"""The Actions page's bar charts (actions by strategy theme and status; the share completed by
care group), in the house style of ``dashboard.render.charts``: colour-blind-safe colours (Okabe-Ito),
values in labels and tooltips, nothing carried by colour alone. The Engagement page's bars are
``dashboard.render.charts``' count and time bars; the Actions page's scatters are in
``dashboard.render.beside_action_charts``.
"""

from __future__ import annotations

import pandas as pd

from dashboard.render.charts import (
    BAR_STEP,
    COUNT_AXIS,
    NHS_BLUE,
    SCHEMA,
    TEXT,
    VegaLite,
    field,
    label_limit,
    label_room,
    legend_columns,
    number_text,
    share_of_largest,
    tip,
)

COMPLETED_COLOUR = "#009E73"  # Okabe-Ito green: the completed status
STATUS_COLOURS = ("#E69F00", "#56B4E9", "#000000", "#CC79A7", "#0072B2", "#D55E00")  # the others, in order


def status_scale(statuses: tuple[str, ...], completed: str) -> dict:
    """A colour per status in the Trust's order: green for the completed one, the others in turn."""
    others = iter(STATUS_COLOURS * (1 + len(statuses) // len(STATUS_COLOURS)))
    return {"domain": list(statuses), "range": [COMPLETED_COLOUR if s == completed else next(others) for s in statuses]}


def theme_status_bars(frame: pd.DataFrame, statuses: tuple[str, ...], completed: str) -> VegaLite:
    """Actions per strategy theme, stacked by status in the Trust's order; totals labelled."""
    totals = frame.groupby("theme", as_index=False)["actions"].sum()
    order = totals.sort_values(["actions", "theme"], ascending=[False, True])["theme"].tolist()
    y = field("theme", "nominal", title=None, sort=order, axis={"labelLimit": label_limit(360)})
    colour = field(
        "status",
        "nominal",
        title="Status",
        scale=status_scale(statuses, completed),
        legend={"orient": "bottom", "columns": legend_columns(len(statuses))},
    )
    status_order = {s: i for i, s in enumerate(statuses)}
    data = frame.assign(status_order=frame["status"].map(status_order))
    tooltip = [
        tip("theme", "nominal", "Theme"),
        tip("status", "nominal", "Status"),
        tip("actions", "quantitative", "Actions", ","),
    ]
    room = label_room(share_of_largest(totals["actions"]), [number_text(v) for v in totals["actions"]])
    return VegaLite(
        data,
        {
            "$schema": SCHEMA,
            "width": "container",
            "height": {"step": BAR_STEP},
            "padding": room,
            "layer": [
                {
                    "mark": {"type": "bar", "stroke": "white", "strokeWidth": 0.5},
                    "encoding": {
                        "x": field("actions", "quantitative", aggregate="sum", title="Actions raised", axis=COUNT_AXIS),
                        "y": y,
                        "color": colour,
                        "order": field("status_order", "quantitative"),
                        "tooltip": tooltip,
                    },
                },
                {
                    "data": {"values": totals.to_dict("records")},  # one row per theme: a handful of plain values
                    "mark": {"type": "text", "align": "left", "dx": 4, "color": TEXT},
                    "encoding": {
                        "x": field("actions", "quantitative"),
                        "y": field("theme", "nominal", sort=order),
                        "text": field("actions", "quantitative", format=","),
                    },
                },
            ],
        },
    )


def share_bars(
    frame: pd.DataFrame, category: str, category_title: str, done: str, total: str, value_title: str
) -> VegaLite:
    """Horizontal bars of ``done / total`` (0-1), labelled '45% (123 of 273)'."""
    data = frame.loc[frame[total] > 0].assign(share=lambda f: f[done] / f[total])
    data = data.assign(
        label=[f"{s:.0%} ({int(d):,} of {int(t):,})" for s, d, t in zip(data["share"], data[done], data[total])]
    )
    order = data.sort_values("share", ascending=False)[category].tolist()
    y = field(category, "nominal", title=None, sort=order, axis={"labelLimit": label_limit(260)})
    tooltip = [
        tip(category, "nominal", category_title),
        tip("share", "quantitative", value_title, ".0%"),
        tip(done, "quantitative", "Completed", ","),
        tip(total, "quantitative", "Raised", ","),
    ]
    x = field("share", "quantitative", title=value_title, axis={"format": "%"}, scale={"domain": [0, 1]})
    return VegaLite(
        data,
        {
            "$schema": SCHEMA,
            "width": "container",
            "height": {"step": BAR_STEP},
            "padding": label_room(data["share"], data["label"]),
            "layer": [
                {"mark": {"type": "bar", "color": NHS_BLUE}, "encoding": {"x": x, "y": y, "tooltip": tooltip}},
                {
                    "mark": {"type": "text", "align": "left", "dx": 4, "color": TEXT},
                    "encoding": {"x": field("share", "quantitative"), "y": y, "text": field("label", "nominal")},
                },
            ],
        },
    )
