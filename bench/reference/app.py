"""Reference Overview (usual pandas style): engagement and survey headline tiles.

The survey tiles sum the released cells (``release_cells``) the filters cover, whole-wave, the
usual pandas way (``common.select_cells``, ``common.measure_figures``).

Run: ``DASHBOARD_DB=... streamlit run bench/reference/app.py`` from the repository root.
"""

import streamlit as st

from bench.reference import common

st.set_page_config(page_title="Overview (reference)", layout="wide")
path = common.database_path()
filters = common.sidebar_filters(path)
st.title("Digital strategy engagement: overview")
st.markdown(f"Filters: **{common.describe(filters)}**.")

conversations = common.filter_by_area(common.load_conversations(path), filters, "held_on")
actions = common.filter_by_area(common.load_actions(path), filters, "raised_on")
attendees = common.load_attendees(path)
attendees = attendees[attendees["conversation_id"].isin(conversations["conversation_id"])]
if filters["staff_groups"]:
    attendees = attendees[attendees["staff_group"].isin(filters["staff_groups"])]
tiles = (
    ("Conversation hours", conversations["hours"].sum()),
    ("Staff engaged", attendees["staff_id"].nunique()),
    ("Actions raised", len(actions)),
    ("Service areas covered", conversations["service_area"].nunique()),
    ("Quick wins completed", int((actions["quick_win"] & (actions["status"] == "Completed")).sum())),
)
st.subheader("Engagement")
for column, (title, value) in zip(st.columns(len(tiles)), tiles):
    column.metric(title, f"{value:,.0f}", border=True)

st.subheader("Survey results")
selected = common.select_cells(common.load_cells(path), filters)
for column, (key, spec) in zip(st.columns(len(common.MEASURES)), common.MEASURES.items()):
    figures = common.measure_figures(selected, key)
    column.metric(spec["title"], "Hidden" if figures["hidden"] else f"{figures['percent']}%", border=True)
    column.markdown(f"Hidden: {common.HIDDEN}" if figures["hidden"] else common.metric_text(figures))
if filters["months_picked"]:
    st.markdown("Survey figures are for the whole wave: the months picked narrow the engagement figures, not these.")
