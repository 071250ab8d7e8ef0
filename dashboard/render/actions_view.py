"""The Actions and quick wins page: what the conversations led to, and the results beside the action.

Every figure comes from ``dashboard.features.engagement`` and ``dashboard.features.beside_action`` (for the page's database
and filters); this module lays it out, with a text summary and a table beside each chart.
"""

from __future__ import annotations

import streamlit as st

from dashboard.core import lists, measures, wording
from dashboard.features import beside_action, engagement
from dashboard.render import beside_action_charts, charts, downloads, engagement_charts, ui
from dashboard.render.sections import section

TILES = tuple(
    measures.ENGAGEMENT[key]
    for key in ("actions_raised", "actions_completed", "quick_wins_raised", "quick_wins_completed")
)


def render(page: ui.Page) -> None:
    st.markdown(
        "The actions raised in the engagement conversations, by strategy theme and status, and how many were "
        f"completed. Filters: {ui.filters_text(page)}."
    )
    st.markdown(
        "Actions follow the care group, service area and date filters (by the date raised), as on the Overview. "
        "The survey and staff group filters apply only to the survey results in *Results beside action*."
    )
    summary = engagement.actions_summary(page.database, page.filters)
    ui.engagement_tiles(TILES, summary)
    by_theme_and_status(page, summary)
    left, right = st.columns(2)
    with left:
        completion_over_time(page, summary)
    with right:
        share_completed(page)
    find_an_action(page)
    results_beside_action(page)
    across_waves(page)


def by_theme_and_status(page: ui.Page, summary: dict[str, int]) -> None:
    st.header("Actions by strategy theme and status")
    by_theme = engagement.actions_by_theme_status(page.database, page.filters)
    if by_theme.empty:
        st.markdown("No actions match these filters.")
    else:
        trust = lists.of(page.database)
        theme_table = engagement.theme_status_table(by_theme, trust["status"])
        top_theme = theme_table.iloc[0]
        ui.chart_block(
            engagement_charts.theme_status_bars(by_theme, trust["status"], trust.completed),
            theme_table,
            f"{ui.format_number(summary['actions_raised'])} actions across {len(theme_table)} themes; the most were on "
            f"{ui.escape_markdown(top_theme['Strategy theme'])} ({ui.format_number(top_theme['Total'])}).",
            key="actions_by_theme_status",
        )


def completion_over_time(page: ui.Page, summary: dict[str, int]) -> None:
    st.header("Completion over time")
    period = st.radio(
        "Per", tuple(engagement.PERIODS), format_func=engagement.PERIODS.get, horizontal=True, key="actions_period"
    )
    completed = engagement.completed_over_time(page.database, page.filters, period)
    period_title = f"{engagement.PERIODS[period]} starting"
    if completed.empty:
        st.markdown("None of the actions matching these filters is completed yet.")
    else:
        ui.chart_block(
            charts.time_bars(completed, "period_start", "actions_completed", period_title, "Actions completed"),
            completed.rename(
                columns={
                    "period_start": period_title,
                    "actions_completed": "Actions completed",
                    "quick_wins_completed": "Quick wins completed",
                }
            ),
            f"{ui.format_number(summary['actions_completed'])} of the {ui.format_number(summary['actions_raised'])} "
            "actions raised in the period are completed, counted here by the date they were completed.",
            key=f"actions_completed_by_{period}",
        )


def share_completed(page: ui.Page) -> None:
    st.header("Share completed by care group")
    completion = engagement.completion_by_care_group(page.database, page.filters)
    if completion["actions_raised"].sum() == 0:
        st.markdown("No actions match these filters.")
    else:
        best = completion.sort_values("share_completed", ascending=False).iloc[0]
        ui.chart_block(
            engagement_charts.share_bars(
                completion,
                "care_group",
                "Care group",
                "actions_completed",
                "actions_raised",
                "Share of actions completed",
            ),
            engagement.completion_table(completion),
            f"{ui.escape_markdown(best['care_group'])} has completed the largest share of its actions "
            f"({best['share_completed']:.0%}, {ui.format_number(best['actions_completed'])} of "
            f"{ui.format_number(best['actions_raised'])}).",
            key="actions_completion_by_care_group",
        )


ACTION_COLUMNS = [
    "title",
    "service_area",
    "care_group",
    "theme",
    "quick_win",
    "status",
    "completed",
    "raised_on",
    "completed_on",
    "days_open",
]


@section
def find_an_action(page: ui.Page) -> None:
    st.header("Find an action")
    search = st.text_input(
        "Search titles, service areas, care groups, themes and statuses",
        key="actions_search",
        max_chars=100,
        placeholder="e.g. Wi-Fi",
    )
    sort = st.selectbox(
        "Sort by", tuple(engagement.ACTION_SORTS), format_func=engagement.ACTION_SORTS.get, key="actions_sort"
    )
    last_day = page.options.last_day
    actions = engagement.action_list(
        page.database, page.filters, search, last_day, sort, limit=engagement.ACTIONS_SHOWN
    )
    total = (
        engagement.action_count(page.database, page.filters, search)
        if len(actions) == engagement.ACTIONS_SHOWN
        else len(actions)
    )
    listed = (
        f" The first {len(actions):,} are listed ({engagement.ACTION_SORTS[sort].lower()}): search to narrow "
        "them down, or download them all."
        if total > len(actions)
        else ""
    )
    st.markdown(
        f"{wording.count_of(total, 'action')}{' ' + wording.plural(total, 'matches', 'match') if search.strip() else ''}.{listed} Select a column heading to sort the list. "
        f"Days open run to the date completed, or for open actions to {wording.day_name(last_day)} (the last date in the "
        "data); closed actions have no closing date, so none is shown."
    )
    ui.show_table(
        actions.loc[:, ACTION_COLUMNS],
        key="actions_table",
        column_config={
            "title": st.column_config.TextColumn("Action", width="large"),
            "service_area": "Service area",
            "care_group": "Care group",
            "theme": "Strategy theme",
            "quick_win": st.column_config.CheckboxColumn("Quick win"),
            "status": "Status",
            "completed": st.column_config.CheckboxColumn(
                "Completed", help=f"Status is {lists.of(page.database).completed}"
            ),
            "raised_on": st.column_config.DateColumn("Raised", format="DD/MM/YYYY"),
            "completed_on": st.column_config.DateColumn("Completed on", format="DD/MM/YYYY"),
            "days_open": st.column_config.NumberColumn("Days open", format="%d"),
        },
    )
    database, filters = page.database, page.filters
    downloads.download_buttons(
        lambda: engagement.action_list(database, filters, search, last_day, sort).loc[:, ACTION_COLUMNS],
        "actions",
        page,
        note=f"Search: {search.strip()}" if search.strip() else "",
        key="download_actions",
    )


NO_HEADLINE = "The question bank has no question on the three theme pages, so there is no survey measure to show here."


def _measure_box(page: ui.Page, key: str, first: str | None = None) -> tuple[dict, str | None]:
    """The headline measures and the one picked ("Survey measure", ``first`` chosen to begin with);
    None, saying so, when the question bank has none on the theme pages."""
    headline = measures.headline_measures(page.database)
    if not headline:
        st.markdown(NO_HEADLINE)
        return headline, None
    keys = tuple(headline)
    return headline, st.selectbox(
        "Survey measure",
        keys,
        index=keys.index(first) if first in headline else 0,
        format_func=lambda measure: headline[measure].title,
        key=key,
    )


@section
def results_beside_action(page: ui.Page) -> None:
    st.header("Results beside action")
    st.markdown(
        "Each service area's survey result beside the actions raised there, so that areas with a poor result and "
        "little related action stand out. Survey results follow the survey and staff group filters over each whole "
        "wave (months do not narrow them); they come from the protected release, so an area too small to show "
        "safely is left out."
    )
    headline, measure = _measure_box(page, "actions_results_measure", first="it_unreliable")
    if measure is None:
        return
    if ui.survey_withheld(page):
        return
    if beside_action.action_theme(page.database, measure) is None:
        st.markdown(ui.escape_markdown(beside_action.no_action_theme(page.database, measure)))
        return
    beside = beside_action.results_beside_action(page.database, page.filters, measure)
    measure_title = headline[measure].title
    axis_choices = {
        "theme_actions": f"Actions on {beside.theme} (the related theme)",
        "actions_raised": "Actions raised",
        "actions_completed": "Actions completed",
    }
    y = st.selectbox("Actions to plot", tuple(axis_choices), format_func=axis_choices.get, key="actions_results_y")
    shown = beside.shown
    worse_is_higher = beside_action.higher_is_worse(page.database, measure)
    direction = "higher" if worse_is_higher else "lower"
    if beside.headline["hidden"]:
        st.markdown(f"Survey results are hidden for these filters: {beside.headline['hidden_reason']}.")
    elif shown.empty:
        st.markdown("No service area in these filters has a result that can be shown safely, so none is shown.")
    else:
        reference = beside.headline["share"]
        median_y = beside.median(y)
        attention = [ui.escape_markdown(a) for a in shown.loc[shown["needs_attention"], "service_area"]]
        theme_text = ui.escape_markdown(beside.theme)
        named = f": {', '.join(attention)}." if attention else "."
        attention_text = (
            f"{beside_action.attention_words(len(attention))} (triangles; the {beside_action_charts.LABELLED_POINTS} worst named on the chart): {measure_title} "
            f"{direction} than the filtered total of {beside.headline['percent']}% and no more actions on {theme_text} "
            f"than the median area ({beside.median_theme_actions:g}){named}"
        )
        y_title = ["Actions on", beside.theme] if y == "theme_actions" else axis_choices[y]
        ui.chart_block(
            beside_action_charts.results_beside_action(
                shown,
                measure_title,
                y,
                y_title,
                reference,
                median_y,
                higher_is_worse=worse_is_higher,
                care_groups=page.options.care_groups,
            ),
            beside.display_table(measure_title, shown_only=True),
            f"{beside_action.shown_sentence(len(shown), beside.hidden_count)} {attention_text} "
            f"Dashed lines: the filtered total ({beside.headline['percent']}%) and the median ({median_y:g}).",
            key="actions_results_beside_action",
        )
    results_table = beside.display_table(measure_title)
    # Hidden figures are missing values in numeric columns: shown as empty cells, sorted as numbers.
    ui.show_table(results_table, key="actions_results_table")
    downloads.download_buttons(
        results_table,
        f"results_beside_action_{measure}",
        page,
        note=f"Survey measure: {measure_title}; related theme: {beside.theme}.",
        key="download_results_beside_action",
    )


@section
def across_waves(page: ui.Page) -> None:
    st.header("You said, we did: across waves")
    span = beside_action.between_waves(page.options, page.filters)
    if span is None:
        st.markdown(
            "Pick a survey wave and an earlier wave to compare it with (sidebar) to see, per service area, "
            "how each result moved beside the actions completed there between the two waves."
        )
        return
    then, now = page.filters.compare, page.options.wave_of(page.filters)
    st.markdown(
        f"Per service area: the survey result in {ui.escape_markdown(page.options.wave_name(then))} and in "
        f"{ui.escape_markdown(page.options.wave_name(now))} (each over the whole wave), its change, and the actions "
        f"completed there between the waves ({wording.day_name(span[0])} to {wording.day_name(span[1])}). "
        "Month filters do not apply."
    )
    headline, measure = _measure_box(page, "across_waves_measure")
    if measure is None:
        return
    if ui.survey_withheld(page):
        return
    frame = beside_action.across_waves(page.database, page.filters, page.options, measure)
    title = headline[measure].title
    table = beside_action.across_waves_table(frame, title, then, now)
    summary = ui.escape_markdown(beside_action.across_waves_sentence(frame, headline[measure], then, now))
    shown = frame.dropna(subset=["change"])
    if len(shown):
        chart = beside_action_charts.change_beside_actions(
            shown, title, higher_is_better=headline[measure].higher_is_better, care_groups=page.options.care_groups
        )
        ui.chart_block(chart, table, summary, key="across_waves")
    else:
        st.markdown(summary)
    ui.show_table(table, key="across_waves_table")
    downloads.download_buttons(
        table,
        f"across_waves_{measure}",
        page,
        key="download_across_waves",
        note=f"{title}: {page.options.wave_name(then)} and {page.options.wave_name(now)}, each over the whole "
        f"wave; change in percentage points. {wording.CHANCE_SENTENCE} "
        f"Actions completed from {wording.day_name(span[0])} to {wording.day_name(span[1])}.",
    )
