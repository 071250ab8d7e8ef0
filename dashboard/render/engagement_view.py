"""The Engagement page: the conversations behind the results, by week, group, format and staff group.

Every figure comes from ``dashboard.features.engagement`` (for the page's database and filters); this module
lays it out, with a text summary and a table beside each chart.
"""

from __future__ import annotations

import streamlit as st

from dashboard.core import measures, wording
from dashboard.features import engagement
from dashboard.render import charts, downloads, ui
from dashboard.render.sections import section
from pipeline import contract

TILES = tuple(
    measures.ENGAGEMENT[key]
    for key in ("conversations", "conversation_hours", "staff_engaged", "service_areas_covered")
)

# A week's figure with its noun in the right number: '1 conversation', '25.25 conversation hours'.
SINGULAR = {"conversations": "conversation", "conversation_hours": "conversation hour"}


def _amount(value: float, singular: str) -> str:
    """A count or hours with its noun: '1 hour', '25.25 hours' (hours keep their quarters)."""
    return f"{ui.format_number(value)} {wording.plural(value, singular)}"


def _held(page: ui.Page) -> str:
    months = engagement.conversation_months(page.database)
    return f", {months}" if months else ""


def render(page: ui.Page) -> None:
    st.markdown(f"The engagement conversations held with staff{_held(page)}. Filters: {ui.filters_text(page)}.")
    st.info(
        "The **survey** filter does not apply on this page: conversations are not survey responses. "
        "Care group, service area and dates apply to everything here; the **staff group** filter narrows "
        "*staff engaged* only (as on the Overview).",
        icon=":material/filter_alt:",
    )
    headline = measures.engagement_headline(page.database, page.filters)
    ui.engagement_tiles(TILES, headline)
    # Each section with its own controls reruns on its own when they change (a fragment).
    conversations_by_week(page, headline)
    where_engagement_happened(page, headline)
    left, right = st.columns(2)
    with left:
        _formats(page, headline)
    with right:
        _staff_groups(page)


@section
def conversations_by_week(page: ui.Page, headline: dict) -> None:
    st.header("Conversations by week")
    conversations_text = wording.count_of(headline["conversations"], "conversation")
    weekly = engagement.by_week(page.database, page.filters)
    shown = (
        st.segmented_control(
            "Show",
            ("conversations", "conversation_hours"),
            default="conversations",
            key="engagement_week_measure",
            format_func=engagement.GROUP_MEASURES.get,
        )
        or "conversations"
    )
    shown_title = engagement.GROUP_MEASURES[shown]
    if weekly.empty:
        st.markdown("No conversations match these filters.")
    else:
        busiest = weekly.loc[weekly[shown].idxmax()]
        ui.chart_block(
            charts.time_bars(weekly, "week", shown, "Week starting", shown_title),
            weekly.rename(
                columns={"week": "Week starting", "conversations": "Conversations", "conversation_hours": "Hours"}
            ),
            f"{conversations_text} ({_amount(headline['conversation_hours'], 'hour')}) over "
            f"{wording.count_of(len(weekly), 'week')}; the busiest week started {wording.day_name(busiest['week'])} with "
            f"{_amount(busiest[shown], SINGULAR[shown])}.",
            key="engagement_by_week",
        )


@section
def where_engagement_happened(page: ui.Page, headline: dict) -> None:
    st.header("Where the engagement happened")
    dimension = st.radio(
        "Break down by",
        tuple(engagement.BREAKDOWNS),
        format_func=engagement.BREAKDOWNS.get,
        horizontal=True,
        key="engagement_dimension",
    )
    label = engagement.BREAKDOWNS[dimension]
    groups = engagement.by_group(page.database, page.filters, dimension)
    chosen = st.selectbox(
        "Measure",
        tuple(engagement.GROUP_MEASURES),
        format_func=engagement.GROUP_MEASURES.get,
        key="engagement_group_measure",
    )
    chosen_title = engagement.GROUP_MEASURES[chosen]
    table = engagement.group_table(groups, dimension)
    top = groups.sort_values([chosen, dimension], ascending=[False, True]).head(25)
    top = top.loc[top[chosen] > 0]
    if top.empty:
        st.markdown("No conversations match these filters.")
    else:
        more = (
            f" The chart shows the top {len(top)} of {len(groups)}; the table lists all."
            if len(groups) > len(top)
            else ""
        )
        leader = top.iloc[0]
        ui.chart_block(
            charts.count_bars(top, dimension, chosen, label, chosen_title),
            table,
            f"{ui.escape_markdown(leader[dimension])} had the most {chosen_title.lower()} "
            f"({ui.format_number(leader[chosen])}). A person who attended in more than one group counts once in each, "
            f"so staff engaged by group adds up to more than the {ui.format_number(headline['staff_engaged'])} people "
            f"engaged in total.{more}",
            key=f"engagement_by_{dimension}",
        )
    downloads.download_buttons(table, f"engagement_by_{dimension}", page, key=f"download_engagement_by_{dimension}")


def _formats(page: ui.Page, headline: dict) -> None:
    st.header("Format of the conversations")
    formats = engagement.formats(page.database, page.filters)
    if formats.empty:
        st.markdown("No conversations match these filters.")
    else:
        ui.chart_block(
            charts.count_bars(formats, "format", "conversations", "Format", "Conversations"),
            formats.rename(
                columns={
                    "format": "Format",
                    "conversations": "Conversations",
                    "conversation_hours": "Hours",
                    "staff_engaged": "Staff engaged",
                }
            ),
            f"The most common format was {ui.escape_markdown(formats.iloc[0]['format'])} "
            f"({ui.format_number(formats.iloc[0]['conversations'])} of {ui.format_number(headline['conversations'])}).",
            key="engagement_formats",
        )


def _staff_groups(page: ui.Page) -> None:
    st.header("Staff groups reached")
    reached = engagement.staff_groups(page.database, page.filters)
    if reached.empty:
        st.markdown("No staff attended conversations matching these filters.")
    else:
        named = reached.loc[reached["staff_group"] != contract.NOT_STATED]
        ui.chart_block(
            charts.count_bars(reached, "staff_group", "staff_engaged", "Staff group", "Staff engaged"),
            reached.rename(
                columns={"staff_group": "Staff group", "staff_engaged": "Staff engaged", "attendances": "Attendances"}
            ),
            f"{wording.count_of(len(named), 'staff group')} reached"
            + (
                f"; the most people came from {ui.escape_markdown(named.iloc[0]['staff_group'])} "
                f"({ui.format_number(named.iloc[0]['staff_engaged'])})."
                if len(named)
                else "."
            )
            + " Not stated: attendees whose staff group was not recorded.",
            key="engagement_staff_groups",
        )
