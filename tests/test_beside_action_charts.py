"""Where Results beside action writes the names of the worst few areas: never on top of each other,
inside the plot, and beside their own points unless another name is in the way."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

import demo.model as demo_model
from dashboard.core.filters import Filters
from dashboard.features import beside_action
from dashboard.render import beside_action_charts, charts
from dashboard.render.beside_action_charts import NAME_LIFT, NAME_LINE_PX, PLOT_PX_AT_LEAST, name_heights
from tests.conftest import opened_database


@pytest.fixture
def database(demo_db: Path) -> Iterator:
    yield from opened_database(demo_db)


def line(top: int) -> float:
    """A name's line in the count axis' units, on the shortest plot allowed for."""
    return NAME_LINE_PX * (top + 1) / PLOT_PX_AT_LEAST


@given(
    top=st.integers(min_value=1, max_value=400),
    fractions=st.lists(st.floats(min_value=0, max_value=1), min_size=1, max_size=beside_action_charts.LABELLED_POINTS),
)
def test_names_are_a_line_apart_inside_the_plot_and_as_close_to_their_points_as_that_allows(
    top: int, fractions: list[float]
) -> None:
    plotted = pd.Series([-0.4 + f * (top + 0.8) for f in fractions], index=[f"area {i}" for i in range(len(fractions))])
    heights = name_heights(plotted, top)
    assert list(heights.index) == list(plotted.index)
    ordered = heights.sort_values()
    assert (ordered.diff().dropna() >= line(top) - 1e-9).all(), heights  # never on top of each other
    floor, ceiling = -0.5 + line(top) / 2, top + 0.5 - line(top) / 2
    assert ((heights >= floor - 1e-9) & (heights <= ceiling + 1e-9)).all()  # every name's line inside the plot
    wanted = (plotted + NAME_LIFT * line(top)).clip(lower=floor, upper=ceiling)
    if ordered.iloc[0] > floor + 1e-9:  # nothing was pushed back up from the floor
        assert (heights <= wanted + 1e-9).all()  # a name only ever moves down from where it wants to be
        highest = plotted.idxmax()
        assert heights[highest] == pytest.approx(wanted[highest])  # and the highest point's name never moves


def test_two_names_in_one_place_are_drawn_apart() -> None:
    plotted = pd.Series({"Community physiotherapy": 1.39, "Adult speech and language therapy": 1.36})
    heights = name_heights(plotted, top=8)
    assert heights["Community physiotherapy"] - heights["Adult speech and language therapy"] >= line(8) - 1e-9
    crowded = name_heights(pd.Series({"a": -0.4, "b": -0.4, "c": -0.3}), top=8)
    assert crowded.min() >= -0.5 + line(8) / 2 - 1e-9  # pushed down to the floor, then back up
    assert (crowded.sort_values().diff().dropna() >= line(8) - 1e-9).all()
    alone = name_heights(pd.Series({"On its own": 3.0}), top=8)
    assert alone["On its own"] == 3.0 + NAME_LIFT * line(8)


def test_the_chart_names_the_worst_few_on_the_side_that_keeps_them_inside(database) -> None:
    beside = beside_action.results_beside_action(database, Filters(), "it_skills")
    chart = beside_action_charts.results_beside_action(
        beside.shown,
        "IT skills rated good",
        "actions_raised",
        "Actions raised",
        0.4,
        7,
        higher_is_worse=False,
        care_groups=demo_model.CARE_GROUPS,
    )
    named = chart.data.loc[chart.data["name_y"].notna()]
    assert len(named) == min(beside_action_charts.LABELLED_POINTS, int(beside.shown["needs_attention"].sum()))
    assert named["needs_attention"].all()
    # The lowest shares of the flagged areas are the worst when higher is better.
    flagged = chart.data.loc[chart.data["needs_attention"], "share"]
    assert named["share"].max() <= flagged.nsmallest(len(named)).max()
    texts = [layer for layer in chart.spec["layer"] if layer.get("mark", {}).get("type") == "text"]
    sides = {(layer["mark"]["align"], layer["transform"][0]["filter"].split("&& ")[1]) for layer in texts}
    assert sides == {("right", "datum.share >= 0.5"), ("left", "datum.share < 0.5")}


def test_an_accessible_chart_is_named_and_only_its_data_marks_are_in_the_accessibility_tree(database) -> None:
    """axe's svg-img-alt: a layer Vega draws empty (the leader lines when no name moved) was an unnamed graphic.
    ``charts.accessible``: the summary names the chart; labels and reference lines leave the tree, points stay."""
    beside = beside_action.results_beside_action(database, Filters(), "it_skills")
    chart = beside_action_charts.results_beside_action(
        beside.shown, "IT skills", "actions_raised", "Actions raised", 0.4, 7, False, demo_model.CARE_GROUPS
    )
    spec = charts.accessible(chart.spec, "12 service areas shown.")
    assert spec["description"] == "12 service areas shown."
    hidden = {
        (layer["mark"]["type"], layer["mark"].get("aria", True))
        for layer in spec["layer"]
        if "tooltip" not in layer["encoding"]
    }
    assert hidden == {("rule", False), ("text", False)}
    points = [layer for layer in spec["layer"] if layer["mark"]["type"] == "point"]
    assert len(points) == 1 and "aria" not in points[0]["mark"]
