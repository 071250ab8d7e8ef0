"""Altair charts for the engagement, actions and My area pages, in the house style of
``dashboard.charts``: colour-blind-safe colours (Okabe-Ito), values in labels and
tooltips, nothing carried by colour alone.

Every function takes a tidy DataFrame from ``dashboard.engagement`` whose hidden
survey rows (disclosure control) are already removed, and returns a chart.
"""

from __future__ import annotations

import math

import altair as alt
import pandas as pd

from dashboard.charts import NHS_BLUE, QUALITATIVE, TEXT
from pipeline import contract

STATUS_COLOURS = ("#E69F00", "#56B4E9", "#009E73", "#000000")  # Okabe-Ito, one per status
SHAPES = {True: "triangle-up", False: "circle"}
ROW_PX = 26  # per bar of a horizontal bar chart
# Streamlit fits a chart's axes and legends inside its height ("content" height with a
# container width), so a chart of n bars needs room for n bars plus its furniture.
AXIS_PX = 70
LEGEND_PX = 60
LABELLED_POINTS = 3  # names written beside the scatter's flagged points; every name is in the tooltip and table


def bar_height(bars: int, legend: bool = False) -> int:
    """Height for a horizontal bar chart of ``bars`` bars: readable bars whatever their number."""
    return max(bars, 3) * ROW_PX + AXIS_PX + (LEGEND_PX if legend else 0)


def tall(chart: alt.TopLevelMixin, bars: int, legend: bool = False) -> alt.TopLevelMixin:
    """A shared bar chart (``dashboard.charts``) given room for its bars."""
    return chart.properties(height=bar_height(bars, legend))


def theme_status_bars(frame: pd.DataFrame) -> alt.Chart:
    """Actions per strategy theme, stacked by status in the contract's order; totals labelled."""
    totals = frame.groupby("theme", as_index=False)["actions"].sum()
    order = totals.sort_values(["actions", "theme"], ascending=[False, True])["theme"].tolist()
    y = alt.Y("theme:N", title=None, sort=order, axis=alt.Axis(labelLimit=360))
    colour = alt.Color(
        "status:N", title="Status",
        scale=alt.Scale(domain=list(contract.STATUSES), range=list(STATUS_COLOURS)),
        legend=alt.Legend(orient="bottom"),
    )
    status_order = {s: i for i, s in enumerate(contract.STATUSES)}
    data = frame.assign(status_order=frame["status"].map(status_order))
    bars = alt.Chart(data).mark_bar(stroke="white", strokeWidth=0.5).encode(
        x=alt.X("sum(actions):Q", title="Actions raised"),
        y=y,
        color=colour,
        order=alt.Order("status_order:Q"),
        tooltip=[alt.Tooltip("theme:N", title="Theme"), alt.Tooltip("status:N", title="Status"),
                 alt.Tooltip("actions:Q", title="Actions", format=",")],
    )
    labels = alt.Chart(totals).mark_text(align="left", dx=4, color=TEXT).encode(
        x="actions:Q", y=alt.Y("theme:N", sort=order), text=alt.Text("actions:Q", format=",")
    )
    return (bars + labels).properties(width="container", height=bar_height(len(order), legend=True))


def share_bars(frame: pd.DataFrame, category: str, category_title: str, done: str, total: str,
               value_title: str) -> alt.Chart:
    """Horizontal bars of ``done / total`` (0-1), labelled '45% (123 of 273)'."""
    data = frame.loc[frame[total] > 0].assign(share=lambda f: f[done] / f[total])
    data = data.assign(
        label=[f"{s:.0%} ({int(d):,} of {int(t):,})" for s, d, t in zip(data["share"], data[done], data[total])]
    )
    order = data.sort_values("share", ascending=False)[category].tolist()
    y = alt.Y(f"{category}:N", title=None, sort=order, axis=alt.Axis(labelLimit=260))
    tooltip = [
        alt.Tooltip(f"{category}:N", title=category_title),
        alt.Tooltip("share:Q", title=value_title, format=".0%"),
        alt.Tooltip(f"{done}:Q", title="Completed", format=","),
        alt.Tooltip(f"{total}:Q", title="Raised", format=","),
    ]
    base = alt.Chart(data).properties(width="container")
    bars = base.mark_bar(color=NHS_BLUE).encode(
        x=alt.X("share:Q", title=value_title, axis=alt.Axis(format="%"), scale=alt.Scale(domain=[0, 1])),
        y=y,
        tooltip=tooltip,
    )
    labels = base.mark_text(align="left", dx=4, color=TEXT).encode(x="share:Q", y=y, text="label:N")
    return (bars + labels).properties(height=bar_height(len(data)))


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


def results_beside_action(frame: pd.DataFrame, measure_title: str, y: str, y_title: str | list[str],
                          reference_share: float, reference_y: float, higher_is_worse: bool) -> alt.Chart:
    """Each shown service area: the survey measure (x) against a count of actions (y).

    Colour is the care group; a triangle marks the areas that need attention and the
    worst few are named; dashed rules mark the filtered total (x) and the median count
    (y). Areas with the same count are spread slightly apart vertically so none hides
    another; the exact count, the 95% interval and n are in every tooltip.
    """
    data = frame.assign(
        needs_attention=frame["needs_attention"].astype(bool),
        share=frame["share"].astype(float), low=frame["low"].astype(float), high=frame["high"].astype(float),
    )
    data["attention"] = data["needs_attention"].map({True: "Needs attention", False: "Other areas"})
    data["plotted"] = spread_ties(data[y], data["share"])
    worst = (data.loc[data["needs_attention"]].sort_values("share", ascending=not higher_is_worse)
             .head(LABELLED_POINTS))
    tooltip = [
        alt.Tooltip("service_area:N", title="Service area"),
        alt.Tooltip("care_group:N", title="Care group"),
        alt.Tooltip("share:Q", title=measure_title, format=".0%"),
        alt.Tooltip("low:Q", title="95% CI low", format=".0%"),
        alt.Tooltip("high:Q", title="95% CI high", format=".0%"),
        alt.Tooltip("n:Q", title="Responses (n)", format=","),
        alt.Tooltip("actions_raised:Q", title="Actions raised", format=","),
        alt.Tooltip("actions_completed:Q", title="Actions completed", format=","),
        alt.Tooltip("theme_actions:Q", title="Related-theme actions", format=","),
        alt.Tooltip("attention:N", title="Flag"),
    ]
    x = alt.X("share:Q", title=f"{measure_title} (percent)", axis=alt.Axis(format="%"), scale=alt.Scale(domain=[0, 1]))
    top = int(data[y].max()) if len(data) else 1
    step = max(1, math.ceil(top / 10))
    y_enc = alt.Y("plotted:Q", title=y_title, scale=alt.Scale(domain=[-0.5, top + 0.5], nice=False),
                  axis=alt.Axis(values=list(range(0, top + 1, step)), format="d"))
    points = alt.Chart(data).mark_point(filled=True, size=90, opacity=0.9, stroke="white", strokeWidth=0.5).encode(
        x=x, y=y_enc,
        color=alt.Color(
            "care_group:N", title="Care group",
            scale=alt.Scale(domain=list(contract.CARE_GROUPS), range=list(QUALITATIVE[: len(contract.CARE_GROUPS)])),
            legend=alt.Legend(orient="bottom", columns=2, labelLimit=320),
        ),
        shape=alt.Shape(
            "attention:N", title="Flag",
            scale=alt.Scale(domain=["Needs attention", "Other areas"], range=[SHAPES[True], SHAPES[False]]),
            legend=alt.Legend(orient="bottom", symbolFillColor=TEXT, symbolStrokeColor=TEXT, symbolSize=120),
        ),
        tooltip=tooltip,
    )
    # Names of the worst few, stacked above their points (right-aligned: they sit far right), each on a white halo.
    layers = [points]
    for rank in range(len(worst)):
        one = alt.Chart(worst.iloc[[rank]]).encode(x="share:Q", y="plotted:Q", text="service_area:N")
        text = dict(align="right", dx=-6, dy=-12 - 15 * rank, fontSize=11)
        halo = one.mark_text(color="white", stroke="white", strokeWidth=4, **text)
        layers += [halo, one.mark_text(color=TEXT, **text)]
    if pd.notna(reference_share):
        total = pd.DataFrame({"x": [reference_share]})
        layers.append(alt.Chart(total).mark_rule(color=TEXT, strokeDash=[4, 4]).encode(x="x:Q"))
    median = pd.DataFrame({"y": [reference_y]})
    layers.append(alt.Chart(median).mark_rule(color=TEXT, strokeDash=[2, 4]).encode(y="y:Q"))
    return alt.layer(*layers).properties(width="container", height=560)
