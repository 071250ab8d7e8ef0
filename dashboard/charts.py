"""Altair charts the pages share. Colour-blind-safe colours; values also in labels
and tooltips, so no information is carried by colour alone.

Every function takes a tidy DataFrame whose hidden rows (disclosure control)
have already been removed or blanked, and returns an ``alt.Chart``.
"""

from __future__ import annotations

from collections.abc import Sequence

import altair as alt
import pandas as pd

# Okabe-Ito, the usual colour-blind-safe qualitative palette (darker members first).
QUALITATIVE = ("#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#F0E442", "#000000")
# Diverging, colour-blind safe (ColorBrewer PuOr, darkened ends): negative orange, positive purple.
DIVERGING_NEGATIVE = ("#b35806", "#e08214")
DIVERGING_NEUTRAL = "#8c8c8c"
DIVERGING_POSITIVE = ("#8073ac", "#542788")
NHS_BLUE = "#005EB8"
TEXT = "#212B32"


def _base(frame: pd.DataFrame) -> alt.Chart:
    # Charts with a category axis size their height by step (pixels per category):
    # a fixed height is squeezed by Streamlit's fit-to-container sizing.
    return alt.Chart(frame).properties(width="container")


def interval_bars(
    frame: pd.DataFrame,
    category: str,
    category_title: str,
    value_title: str = "Percent",
) -> alt.Chart:
    """Horizontal bars of ``share`` (0-1) with 95% interval whiskers (``low``/``high``),
    sorted by value, labelled with the percent and n."""
    data = frame.assign(label=[f"{s:.0%} (n={int(n):,})" for s, n in zip(frame["share"], frame["n"])])
    order = data.sort_values("share", ascending=False)[category].tolist()
    y = alt.Y(f"{category}:N", sort=order, title=category_title, axis=alt.Axis(labelLimit=260))
    tooltip = [
        alt.Tooltip(f"{category}:N", title=category_title),
        alt.Tooltip("share:Q", title=value_title, format=".0%"),
        alt.Tooltip("low:Q", title="95% CI low", format=".0%"),
        alt.Tooltip("high:Q", title="95% CI high", format=".0%"),
        alt.Tooltip("n:Q", title="n", format=","),
    ]
    x_scale = alt.Scale(domain=[0, 1])
    bars = _base(data).mark_bar(color=NHS_BLUE).encode(
        x=alt.X("share:Q", title=value_title, axis=alt.Axis(format="%"), scale=x_scale), y=y, tooltip=tooltip
    )
    whiskers = _base(data).mark_rule(color=TEXT, strokeWidth=1.5).encode(x="low:Q", x2="high:Q", y=y, tooltip=tooltip)
    labels = _base(data).mark_text(align="left", dx=4, color=TEXT).encode(x="high:Q", y=y, text="label:N")
    return (bars + whiskers + labels).properties(height=alt.Step(26))


def diverging_stacked(
    frame: pd.DataFrame,
    category: str,
    answers: Sequence[str],
    negative: Sequence[str],
    neutral: Sequence[str],
    positive: Sequence[str],
) -> alt.Chart:
    """Diverging stacked bars: negative answers left of zero, positive right; neutral split
    evenly across zero. ``frame`` has ``category``, ``answer`` and ``share`` (0-1 of the row)."""
    rows = []
    for (group, answer), part in frame.groupby([category, "answer"], sort=False):
        share = float(part["share"].sum())
        rows.append((group, answer, share))
    data = pd.DataFrame(rows, columns=[category, "answer", "share"])
    order = {a: i for i, a in enumerate(answers)}
    pieces = []
    for group, part in data.groupby(category, sort=False):
        left = -sum(part.loc[part["answer"].isin(negative), "share"]) - sum(part.loc[part["answer"].isin(neutral), "share"]) / 2
        for answer in answers:
            share = float(part.loc[part["answer"] == answer, "share"].sum())
            if share == 0:
                continue
            pieces.append({category: group, "answer": answer, "share": share, "start": left, "end": left + share,
                           "order": order[answer]})
            left += share
    spans = pd.DataFrame(pieces)
    colours = list(DIVERGING_NEGATIVE[-len(negative):] if negative else []) + [DIVERGING_NEUTRAL] * len(neutral) + list(
        DIVERGING_POSITIVE[: len(positive)]
    )
    scale_answers = list(negative) + list(neutral) + list(positive)
    colour = alt.Color("answer:N", title="Answer", scale=alt.Scale(domain=scale_answers, range=colours),
                       legend=alt.Legend(orient="bottom", columns=3))
    y = alt.Y(f"{category}:N", title=None, axis=alt.Axis(labelLimit=260))
    tooltip = [alt.Tooltip(f"{category}:N"), alt.Tooltip("answer:N", title="Answer"),
               alt.Tooltip("share:Q", title="Share", format=".0%")]
    bars = _base(spans).mark_bar(stroke="white", strokeWidth=1).encode(
        x=alt.X("start:Q", title="Share of answers (negative left of zero, positive right)", axis=alt.Axis(format="%")),
        x2="end:Q", y=y, color=colour, order="order:Q", tooltip=tooltip,
    )
    labels = _base(spans[spans["share"] >= 0.07]).mark_text(color="white", fontWeight="bold").encode(
        x=alt.X("mid:Q"), y=y, text=alt.Text("share:Q", format=".0%"),
    ).transform_calculate(mid="(datum.start + datum.end) / 2")
    zero = alt.Chart(pd.DataFrame({"x": [0]})).mark_rule(color=TEXT).encode(x="x:Q")
    return (bars + labels + zero).properties(height=alt.Step(44))


def trend(frame: pd.DataFrame, x: str, x_title: str, value_title: str = "Percent") -> alt.Chart:
    """Line of ``share`` by ``x`` (a date) with an interval band, points labelled in tooltips."""
    tooltip = [
        alt.Tooltip(f"{x}:T", title=x_title, format="%B %Y"),
        alt.Tooltip("share:Q", title=value_title, format=".0%"),
        alt.Tooltip("low:Q", title="95% CI low", format=".0%"),
        alt.Tooltip("high:Q", title="95% CI high", format=".0%"),
        alt.Tooltip("n:Q", title="n", format=","),
    ]
    x_enc = alt.X(f"{x}:T", title=x_title, axis=alt.Axis(format="%b %Y", tickCount="month"))
    band = _base(frame).mark_area(opacity=0.25, color=NHS_BLUE).encode(x=x_enc, y=alt.Y("low:Q", axis=alt.Axis(format="%"), title=value_title, scale=alt.Scale(domain=[0, 1])), y2="high:Q")
    line = _base(frame).mark_line(color=NHS_BLUE, point=alt.OverlayMarkDef(filled=True, size=60, color=NHS_BLUE)).encode(
        x=x_enc, y="share:Q", tooltip=tooltip
    )
    return (band + line).properties(height=260)


def count_bars(frame: pd.DataFrame, category: str, value: str, category_title: str, value_title: str,
               colour: str | None = None, sort_by_value: bool = True) -> alt.Chart:
    """Horizontal bars of a count, labelled with the value; optional colour field (with legend)."""
    sort = alt.EncodingSortField(field=value, op="sum", order="descending") if sort_by_value else None
    y = alt.Y(f"{category}:N", title=category_title, sort=sort, axis=alt.Axis(labelLimit=260))
    tooltip = [alt.Tooltip(f"{category}:N", title=category_title), alt.Tooltip(f"{value}:Q", title=value_title, format=",")]
    if colour:
        tooltip.append(alt.Tooltip(f"{colour}:N"))
        color = alt.Color(f"{colour}:N", scale=alt.Scale(range=list(QUALITATIVE)), legend=alt.Legend(orient="bottom"))
        bars = _base(frame).mark_bar().encode(x=alt.X(f"sum({value}):Q", title=value_title), y=y, color=color, tooltip=tooltip)
        return bars.properties(height=alt.Step(24))
    bars = _base(frame).mark_bar(color=NHS_BLUE).encode(x=alt.X(f"{value}:Q", title=value_title), y=y, tooltip=tooltip)
    labels = _base(frame).mark_text(align="left", dx=4, color=TEXT).encode(
        x=f"{value}:Q", y=y, text=alt.Text(f"{value}:Q", format=",")
    )
    return (bars + labels).properties(height=alt.Step(24))


def time_bars(frame: pd.DataFrame, x: str, value: str, x_title: str, value_title: str, time_format: str = "%d %b %Y") -> alt.Chart:
    """Vertical bars over time (e.g. by week)."""
    tooltip = [alt.Tooltip(f"{x}:T", title=x_title, format=time_format), alt.Tooltip(f"{value}:Q", title=value_title, format=",")]
    return _base(frame).mark_bar(color=NHS_BLUE).encode(
        x=alt.X(f"{x}:T", title=x_title, axis=alt.Axis(format="%d %b")), y=alt.Y(f"{value}:Q", title=value_title), tooltip=tooltip
    ).properties(height=240)
