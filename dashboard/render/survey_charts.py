"""The survey charts: answers as a diverging bar, a measure with its intervals by group, by month,
and by wave. Built on ``dashboard.render.charts`` (its palette, its one height rule, its label room)."""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd

from dashboard.render.charts import (
    DARK_FILLS,
    DIVERGING_NEGATIVE,
    DIVERGING_NEUTRAL,
    DIVERGING_POSITIVE,
    MONTH_AXIS,
    NHS_BLUE,
    QUALITATIVE,
    TEXT,
    VegaLite,
    field,
    label_limit,
    label_room,
    layered,
    legend_columns,
    tip,
)


def interval_bars(frame: pd.DataFrame, category: str, category_title: str, value_title: str = "Percent") -> VegaLite:
    """Horizontal bars of ``share`` (0-1) with 95% interval whiskers (``low``/``high``),
    sorted by value, labelled with the percent and n (or with ``frame``'s own ``label``, the figure as
    the page rounds it)."""
    data = (
        frame
        if "label" in frame
        else frame.assign(label=[f"{s:.0%} (n={int(n):,})" for s, n in zip(frame["share"], frame["n"])])
    )
    order = data.sort_values("share", ascending=False)[category].tolist()
    y = field(category, "nominal", sort=order, title=category_title, axis={"labelLimit": label_limit(260)})
    tooltip = [
        tip(category, "nominal", category_title),
        tip("share", "quantitative", value_title, ".0%"),
        tip("low", "quantitative", "95% CI low", ".0%"),
        tip("high", "quantitative", "95% CI high", ".0%"),
        tip("n", "quantitative", "n", ","),
    ]
    x = field("share", "quantitative", title=value_title, axis={"format": "%"}, scale={"domain": [0, 1]})
    return layered(
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
        legend={"orient": "bottom", "columns": legend_columns(3)},
    )
    y = field(category, "nominal", title=None, axis={"labelLimit": label_limit(260)})
    tooltip = [
        tip(category, "nominal"),
        tip("answer", "nominal", "Answer"),
        tip("share", "quantitative", "Share", ".0%"),
    ]
    return layered(
        spans,
        [
            {
                "mark": {"type": "bar", "stroke": "white", "strokeWidth": 1},
                "encoding": {
                    "x": field("start", "quantitative", axis={"format": "%"}, title="Share of answers"),
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
    x_enc = field(x, "temporal", title=x_title, axis=MONTH_AXIS)
    return layered(
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


def wave_points(frame: pd.DataFrame, category: str, category_title: str) -> VegaLite:
    """Per ``category`` (a question), one point per wave at its ``share`` (0-1) with a 95%
    interval rule, waves told apart by colour and shape and named (``wave_name``, as people know them)
    in the legend and tooltips, in the frame's order (oldest first)."""
    data = frame.assign(percent_text=[f"{s:.0%}" for s in frame["share"]])
    waves = list(dict.fromkeys(data["wave_name"]))
    y = field(category, "nominal", title=category_title, sort=None, axis={"labelLimit": label_limit(300)})
    offset = field("wave_name", "nominal", sort=waves)
    tooltip = [
        tip(category, "nominal", category_title),
        tip("wave_name", "nominal", "Wave"),
        tip("share", "quantitative", "Percent", ".0%"),
        tip("low", "quantitative", "95% CI low", ".0%"),
        tip("high", "quantitative", "95% CI high", ".0%"),
        tip("n", "quantitative", "n", ","),
    ]
    x = field("share", "quantitative", title="Percent", axis={"format": "%"}, scale={"domain": [0, 1]})
    colour = field(
        "wave_name",
        "nominal",
        title="Wave",
        sort=waves,
        scale={"range": list(QUALITATIVE)},
        # Whole names where there is room; on a phone a name ends in "…" (the tooltip has it whole).
        legend={"orient": "bottom", "columns": legend_columns(3), "labelLimit": label_limit(320)},
    )
    return layered(
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
                    "shape": field("wave_name", "nominal", sort=waves),
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
