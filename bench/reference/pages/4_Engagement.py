"""Reference Engagement page (usual pandas style): tiles, by week, by group, formats, staff groups."""

import pandas as pd
import streamlit as st

from bench.reference import common

st.set_page_config(page_title="Engagement (reference)", layout="wide")
path = common.database_path()
filters = common.sidebar_filters(path)
st.title("Engagement")
st.markdown(f"Filters: **{common.describe(filters)}**.")

all_conversations = common.load_conversations(path)
conversations = common.filter_by_area(all_conversations, filters, "held_on")
actions = common.filter_by_area(common.load_actions(path), filters, "raised_on")
attendees = common.load_attendees(path).merge(
    conversations[["conversation_id", "care_group", "service_area", "format"]], on="conversation_id"
)
if filters["staff_groups"]:
    attendees = attendees[attendees["staff_group"].isin(filters["staff_groups"])]

tiles = (
    ("Conversations", len(conversations)),
    ("Conversation hours", conversations["hours"].sum()),
    ("Staff engaged", attendees["staff_id"].nunique()),
    ("Service areas covered", conversations["service_area"].nunique()),
)
for column, (title, value) in zip(st.columns(len(tiles)), tiles):
    column.metric(title, f"{value:,.0f}", border=True)

st.subheader("Conversations by week")
shown_measure = (
    st.segmented_control("Show", ("Conversations", "Hours"), default="Conversations", key="engagement_week_measure")
    or "Conversations"
)
value = "conversations" if shown_measure == "Conversations" else "conversation_hours"
in_dates = all_conversations[all_conversations["held_on"].between(filters["date_from"], filters["date_to"])]
if len(conversations):
    week = conversations["held_on"].dt.to_period("W-SUN").dt.start_time
    weekly = conversations.groupby(week).agg(
        conversations=("conversation_id", "size"), conversation_hours=("hours", "sum")
    )
    all_weeks = pd.date_range(
        in_dates["held_on"].min().to_period("W-SUN").start_time,
        in_dates["held_on"].max().to_period("W-SUN").start_time,
        freq="7D",
    )
    weekly = weekly.reindex(all_weeks, fill_value=0).rename_axis("week").reset_index()
    busiest = weekly.loc[weekly[value].idxmax()]
    common.chart_with_table(
        common.time_bars(weekly, "week", value),
        weekly,
        f"The busiest week started {busiest['week']:%d %B %Y}.",
        "engagement_by_week",
    )

st.subheader("Where the engagement happened")
dimension = st.radio("Break down by", ("care_group", "service_area"), horizontal=True, key="engagement_dimension")
metric_choice = st.selectbox(
    "Measure", ("conversation_hours", "conversations", "staff_engaged"), key="engagement_group_measure"
)
groups = conversations.groupby(dimension).agg(
    conversations=("conversation_id", "size"), conversation_hours=("hours", "sum")
)
groups["staff_engaged"] = attendees.groupby(dimension)["staff_id"].nunique()
groups["actions_raised"] = actions.groupby(dimension).size()
quick_wins_done = actions[actions["quick_win"] & (actions["status"] == "Completed")]
groups["quick_wins_completed"] = quick_wins_done.groupby(dimension).size()
groups = groups.fillna(0).reset_index()
top = groups.sort_values(metric_choice, ascending=False).head(25)
top = top[top[metric_choice] > 0]
if len(top):
    common.chart_with_table(
        common.count_bars(top, dimension, metric_choice, dimension),
        groups,
        f"{top.iloc[0][dimension]} had the most.",
        f"engagement_by_{dimension}",
    )
st.download_button(
    "Download CSV",
    groups.to_csv(index=False),
    file_name=f"engagement_by_{dimension}.csv",
    key=f"download_engagement_by_{dimension}",
)

left, right = st.columns(2)
with left:
    st.subheader("Format of the conversations")
    formats = (
        conversations.assign(format=conversations["format"].fillna("Not stated"))
        .groupby("format")
        .agg(conversations=("conversation_id", "size"), conversation_hours=("hours", "sum"))
    )
    by_format = attendees.assign(format=attendees["format"].fillna("Not stated")).groupby("format")
    formats["staff_engaged"] = by_format["staff_id"].nunique()
    formats = formats.fillna(0).reset_index().sort_values("conversations", ascending=False)
    if len(formats):
        common.chart_with_table(
            common.count_bars(formats, "format", "conversations", "Format"),
            formats,
            f"The most common format was {formats.iloc[0]['format']}.",
            "engagement_formats",
        )
with right:
    st.subheader("Staff groups reached")
    reached = (
        attendees.assign(staff_group=attendees["staff_group"].fillna("Not stated"))
        .groupby("staff_group")
        .agg(staff_engaged=("staff_id", "nunique"), attendances=("staff_id", "size"))
        .reset_index()
    )
    reached = reached.sort_values("staff_engaged", ascending=False)
    if len(reached):
        common.chart_with_table(
            common.count_bars(reached, "staff_group", "staff_engaged", "Staff group"),
            reached,
            f"{len(reached)} staff groups reached.",
            "engagement_staff_groups",
        )
