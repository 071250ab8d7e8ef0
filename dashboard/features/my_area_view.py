"""My area's page, described once (``dashboard.features.view``): the screen draws it and the PDF prints
it, so both show the same figures in the same order, rounded alike and under the same titles.

In order: what the scorecard covers; engagement (this area, its care group and the Trust down,
the measures across); the survey results by level, a chart per headline measure, and the area
against the rest of its care group and of the Trust; its change since the compared wave; the
response rates (folded away on screen); the definitions. No Streamlit here.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import replace

import pandas as pd

from dashboard.core import measures, wording
from dashboard.core.db import Database
from dashboard.core.filters import Filters, Options, whole_waves_note
from dashboard.core.text import number_text
from dashboard.features import beside_action, my_area, my_area_text, response_rates
from dashboard.features.view import Chart, Heading, Item, Notice, Paragraph, Section, Strong, Table, View, paragraph

TITLE = "My area"
RESPONSE_RATES = "Response rates: this area, its care group and the Trust"
# The Since table in plain words: whether each change is bigger than chance (no p-value column; the
# download keeps the figures).
SINCE_P_VALUE = "p-value"
CHART_LEVEL = "Group"  # the chart's rows: this area, its care group and the Trust, as the survey table heads them


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
    shared = my_area.level_filters(filters, area, care_group)["trust"]
    items: list[Item] = [
        paragraph(
            "Service area ",
            Strong(area),
            ", in the care group ",
            Strong(care_group),
            ". Engagement for the area, its care group and the Trust, each with the same filters: ",
            Strong(shared_filters(shared, options)),
            f". {my_area.FIXED_TOTALS}",
        )
    ]
    engagement = my_area.engagement_scorecard(database, filters, area, care_group)
    items += [Heading("Engagement"), Table(engagement_table(engagement))]
    if withheld:
        return View(TITLE, area, (*items, Notice(withheld)))

    headline = measures.headline_measures(database)
    results, comparisons = my_area.survey_scorecard(database, filters, headline, area, care_group)
    survey_table, comparison_table = my_area_text.survey_tables(results, comparisons, headline)
    items += [Heading("Survey results"), Table(survey_table, caption="% (95% interval, n)")]
    for key, measure in headline.items():
        chart = result_chart(results, key, measure)
        if chart is not None:
            items += [Heading(measure.title, level=2), chart]
    items += [
        Heading(my_area_text.AGAINST_THE_REST, level=2),
        paragraph(
            "▲ higher or ▼ lower when the difference is bigger than chance would explain; otherwise it could be "
            "chance. With six comparisons, about one scorecard in four shows a flag by chance alone."
        ),
        Table(comparison_table),
    ]
    items += since(database, filters, options)
    rates = response_rates.section(database, options, filters, threshold, areas=(area,), today=today)
    # The sentence on hidden rows is left out: the table's Note says it for this area's three rows.
    hidden_rows = response_rates.explanation(threshold)
    items.append(
        Section(RESPONSE_RATES, tuple(i for i in rates if not (isinstance(i, Paragraph) and i.text == hidden_rows)))
    )
    definitions = my_area_text.definitions_table(headline).to_dict("records")
    runs = [
        part
        for i, row in enumerate(definitions)
        for part in ((" · " if i else ""), Strong(row["Measure"]), f": {row['Definition']}")
    ]
    items += [Heading("Definitions"), paragraph(*runs)]
    summary = my_area_text.summary_frame(area, care_group, engagement, results, comparisons, headline)
    return View(TITLE, area, tuple(items), download=summary)


def shared_filters(shared: Filters, options: Options) -> str:
    """The filters the three levels share, in words (the service area is the scorecard's own): never
    "No filters" beside a picked area."""
    if shared.is_empty:
        return "every month, survey and staff group"
    return replace(shared, wave=None, compare=None).describe(options)


def engagement_table(engagement: pd.DataFrame) -> pd.DataFrame:
    """This area, its care group and the Trust down, the measures across; figures as text."""
    table = engagement.set_index("title").loc[:, list(my_area.LEVELS)].T
    return table.map(number_text).rename(index=my_area.LEVELS).rename_axis(index="Engagement", columns=None)


def result_chart(results: pd.DataFrame, key: str, measure: measures.SurveyMeasure) -> Chart | None:
    """The measure for this area, its care group and the Trust (shown figures only; rows named as the
    survey table's columns) with their 95% intervals, labelled with the percent as the survey table
    rounds it; None when none is shown."""
    rows = results.loc[(results["measure"] == key) & ~results["hidden"].astype(bool)]
    if rows.empty:
        return None
    names = my_area.LEVELS
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
    table = table.loc[:, (table != "").any()]  # a column with nothing in it (no figure hidden) is left out
    table = table.drop(columns=[SINCE_P_VALUE], errors="ignore")
    return [
        Heading(f"Since {options.wave_name(then)}"),
        paragraph(
            f"Each result in both whole waves, its change, and the actions and quick wins this area completed "
            f"between them ({wording.month_name(span[0])} to {wording.month_name(span[1])}; engagement counts, exact). "
            f"{wording.CHANCE_SENTENCE}"
        ),
        Table(table),
    ]
