"""My area's page, described once (``dashboard.features.view``): the screen draws it and the PDF prints
it, so both show the same figures in the same order, rounded alike and under the same titles.

In order: what the scorecard covers; engagement (this area, its care group and the Trust down,
the measures across); the survey results by level, a chart per headline measure, and the area
against the rest of its care group and of the Trust; its change since the compared wave; the
response rates (folded away on screen); the definitions. No Streamlit here.
"""

from __future__ import annotations

import datetime as dt

import pandas as pd

from dashboard.core import measures
from dashboard.core.db import Database
from dashboard.core.filters import Filters, Options, whole_waves_note
from dashboard.core.text import number_text
from dashboard.features import beside_action, my_area, my_area_text, response_rates
from dashboard.features.view import Chart, Heading, Item, Notice, Section, Strong, Table, View, paragraph

TITLE = "My area"
RESPONSE_RATES = "Response rates: this area, its care group and the Trust"
CHART_LEVEL = "Level"  # the chart's rows: the area, its care group and the Trust, by name


def describe(
    database: Database,
    filters: Filters,
    options: Options,
    threshold: int,
    area: str,
    withheld: str | None = None,
    today: dt.date | None = None,
) -> View:
    """The scorecard of ``area`` (the filters' one service area). ``withheld``: the notice shown instead
    of every survey figure (real answers built without a perturbation key). ``today``: for tests."""
    care_group = options.care_group_of(area)
    shared = my_area.level_filters(filters, area, care_group)["trust"].describe()
    items: list[Item] = [
        paragraph(
            "Care group: ",
            Strong(care_group),
            " · Engagement, same filters for all three: ",
            Strong(shared),
            f" · {my_area.FIXED_TOTALS} · Six tests: about one scorecard in four flags by chance",
        )
    ]
    engagement = my_area.engagement_scorecard(database, filters, area, care_group)
    items += [Heading("Engagement"), Table(engagement_table(engagement))]
    if withheld:
        return View(TITLE, area, (*items, Notice(withheld)))

    headline = measures.headline_measures(database)
    results, comparisons = my_area.survey_scorecard(database, filters, headline, area, care_group)
    survey_table, comparison_table = my_area_text.survey_tables(results, comparisons, headline)
    items += [Heading("Survey results"), Table(survey_table, caption="% (95% CI, n)")]
    for key, measure in headline.items():
        chart = result_chart(results, key, measure, area, care_group)
        if chart is not None:
            items += [Heading(measure.title, level=2), chart]
    items += [
        Heading("Against the rest", level=2),
        paragraph(Strong("Against the rest"), f" by the {my_area.TEST_NAME}: ▲ higher, ▼ lower (p < 0.05)"),
        Table(comparison_table),
    ]
    items += since(database, filters, options)
    items.append(
        Section(
            RESPONSE_RATES, response_rates.section(database, options, filters, threshold, areas=(area,), today=today)
        )
    )
    items.append(Heading("Definitions"))
    items += [
        paragraph(Strong(row["Measure"]), f": {row['Definition']}")
        for row in my_area_text.definitions_table(headline).to_dict("records")
    ]
    summary = my_area_text.summary_frame(area, care_group, engagement, results, comparisons, headline)
    return View(TITLE, area, tuple(items), download=summary)


def engagement_table(engagement: pd.DataFrame) -> pd.DataFrame:
    """This area, its care group and the Trust down, the measures across; figures as text."""
    table = engagement.set_index("title").loc[:, list(my_area.LEVELS)].T
    return table.map(number_text).rename(index=my_area.LEVELS).rename_axis(index="Engagement", columns=None)


def result_chart(
    results: pd.DataFrame, key: str, measure: measures.SurveyMeasure, area: str, care_group: str
) -> Chart | None:
    """The measure for the area, its care group and the Trust (shown figures only) with their 95%
    intervals, labelled with the percent as the survey table rounds it; None when none is shown."""
    rows = results.loc[(results["measure"] == key) & ~results["hidden"].astype(bool)]
    if rows.empty:
        return None
    names = {"area": area, "care_group": care_group, "trust": "Trust"}
    percents = [int(p) for p in rows["percent"]]
    counts = [int(n) for n in rows["n"]]
    frame = pd.DataFrame(
        {
            "level": [names[level] for level in rows["level"]],
            **{c: rows[c].astype(float).to_numpy() for c in ("share", "n", "low", "high")},
            "label": [f"{p}% (n={n:,})" for p, n in zip(percents, counts)],
        }
    )
    summary = "; ".join(f"{name}: {p}% of {n:,}" for name, p, n in zip(frame["level"], percents, counts))
    return Chart(
        kind="interval_bars",
        frame=frame,
        category="level",
        category_title=CHART_LEVEL,
        value_title=measure.title,
        summary=f"{measure.title}: {summary}.",
        key=f"my_area_{key}",
    )


def since(database: Database, filters: Filters, options: Options) -> list[Item]:
    """The area's results in both waves and the actions between them, when a wave is compared; or why
    no change is shown (months chosen); or nothing."""
    span = beside_action.between_waves(options, filters)
    if span is None:
        note = whole_waves_note(filters, options)
        return [paragraph(note)] if note else []
    then, now = filters.compare, options.wave_of(filters)
    frame = my_area.since_table(database, filters, options, then, now)
    table = frame.set_index("Measure").map(lambda value: "" if pd.isna(value) else str(value))
    return [
        Heading(f"Since {options.wave_name(then)}"),
        paragraph(
            Strong(f"Since {options.wave_name(then)}"),
            f": each result in both waves (whole waves), its change, and the actions this area completed "
            f"between them ({span[0]:%B %Y} to {span[1]:%B %Y}). Actions and quick wins completed are "
            "engagement counts: exact.",
        ),
        Table(table),
    ]
