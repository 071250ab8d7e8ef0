"""A described chart (``dashboard.features.view.Chart``) as the Vega-Lite chart both the screen and the
PDF draw: one builder per kind."""

from __future__ import annotations

from collections.abc import Callable

from dashboard.features.view import Chart
from dashboard.render import survey_charts
from dashboard.render.charts import VegaLite

BUILDERS: dict[str, Callable[[Chart], VegaLite]] = {
    "interval_bars": lambda chart: survey_charts.interval_bars(
        chart.frame, chart.category, chart.category_title, value_title=chart.value_title
    )
}


def chart(described: Chart) -> VegaLite:
    """The chart ``described`` names, drawn from its frame and titles."""
    return BUILDERS[described.kind](described)
