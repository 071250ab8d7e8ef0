"""A described chart (``dashboard.features.view.Chart``) as the Vega-Lite chart both the screen and the
PDF draw: one builder per kind."""

from __future__ import annotations

from collections.abc import Callable

from dashboard.features.view import Chart
from dashboard.render import survey_charts
from dashboard.render.charts import VegaLite


def _diverging(chart: Chart) -> VegaLite:
    """Answers left to right: negative, neutral, positive (``chart.sides``)."""
    negative, neutral, positive = chart.sides or ((), (), ())
    return survey_charts.diverging_stacked(
        chart.frame,
        chart.category,
        [*negative, *neutral, *positive],
        negative=list(negative),
        neutral=list(neutral),
        positive=list(positive),
    )


BUILDERS: dict[str, Callable[[Chart], VegaLite]] = {
    "interval_bars": lambda chart: survey_charts.interval_bars(
        chart.frame, chart.category, chart.category_title, value_title=chart.value_title
    ),
    "diverging": _diverging,
    "trend": lambda chart: survey_charts.trend(
        chart.frame, chart.category, chart.category_title, value_title=chart.value_title
    ),
}


def chart(described: Chart) -> VegaLite:
    """The chart ``described`` names, drawn from its frame and titles; fitted to the width only when
    it asks (Streamlit's default autosize squeezes axes and legend into the chart's height)."""
    drawn = BUILDERS[described.kind](described)
    if described.fit_width:
        return drawn.properties(autosize={"type": "fit-x", "contains": "padding"})
    return drawn
