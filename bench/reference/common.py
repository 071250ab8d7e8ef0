"""What the reference pages share, in the usual Streamlit + pandas style.

Whole tables are read from the DuckDB file into DataFrames once and kept with
``@st.cache_data`` (which hands every rerun its own copy); every rerun then
filters them with boolean masks and aggregates with ``groupby``. Measures,
intervals and the small-numbers rule are restated here, as a typical dashboard
would, so the reference costs what that style costs. It is a yardstick for
``python -m bench``, not a second implementation to keep in step with the
product: nothing in the product imports it.
"""

from __future__ import annotations

import datetime as dt
import math
import os
from pathlib import Path

import altair as alt
import duckdb
import pandas as pd
import streamlit as st

from pipeline import contract

ROOT = Path(__file__).resolve().parents[2]
NOT_STATED = "Not stated"
NHS_BLUE = "#005EB8"
TEXT = "#212B32"
Z95 = 1.959963984540054

MEASURES: dict[str, dict] = {
    "it_skills": {
        "title": "IT skills rated good",
        "question": "How would you rate your IT skills?",
        "scale": contract.IT_SKILLS,
        "negative": ("Very poor", "Poor"),
        "neutral": ("Fair",),
        "positive": ("Good", "Very good"),
        "excluded": (),
    },
    "info_available": {
        "title": "Information available",
        "question": "Do you have the information you need to run your service?",
        "scale": contract.INFO_AVAILABLE,
        "negative": ("No",),
        "neutral": ("Partly",),
        "positive": ("Yes",),
        "excluded": ("Don't know",),
    },
    "it_unreliable": {
        "title": "IT too unreliable",
        "question": "IT is too unreliable.",
        "scale": contract.IT_UNRELIABLE,
        "negative": ("Strongly disagree", "Disagree"),
        "neutral": ("Neither agree nor disagree",),
        "positive": ("Agree", "Strongly agree"),
        "excluded": (),
    },
}


def database_path() -> str:
    path = Path(os.environ.get("DASHBOARD_DB", "").strip() or "data/engagement.duckdb")
    return str(path if path.is_absolute() else ROOT / path)


def threshold() -> int:
    return int(os.environ.get("DASHBOARD_MIN_GROUP_SIZE", "").strip() or 10)


# --- Loading: whole tables, cached -------------------------------------------------------------


def _read(path: str, sql: str) -> pd.DataFrame:
    con = duckdb.connect(path, read_only=True)
    try:
        return con.execute(sql).df()
    finally:
        con.close()


@st.cache_data(show_spinner="Loading data...")
def load_service_areas(path: str) -> pd.DataFrame:
    return _read(path, "select * from service_areas")


@st.cache_data(show_spinner="Loading data...")
def load_responses(path: str) -> pd.DataFrame:
    # The latest wave's responses (what the product shows by default), one column per question.
    latest = _read(path, "select wave_id from waves order by opened desc limit 1")["wave_id"].iloc[0]
    responses = _read(path, "select * from survey_responses")
    responses = responses.loc[responses["wave"] == latest]
    answers = _read(path, "select * from survey_answers")
    wide = answers.pivot(index="response_id", columns="question_id", values="answer")
    responses = responses.join(wide, on="response_id")
    responses["submitted_on"] = pd.to_datetime(responses["submitted_on"])
    for column in ("care_group", "service_area", "staff_group"):
        responses[column] = responses[column].fillna(NOT_STATED)
    return responses


@st.cache_data(show_spinner="Loading data...")
def load_conversations(path: str) -> pd.DataFrame:
    conversations = _read(path, "select * from conversations")
    conversations["held_on"] = pd.to_datetime(conversations["held_on"])
    return conversations.merge(load_service_areas(path), on="service_area", how="left")


@st.cache_data(show_spinner="Loading data...")
def load_attendees(path: str) -> pd.DataFrame:
    return _read(path, "select * from conversation_attendees")


@st.cache_data(show_spinner="Loading data...")
def load_actions(path: str) -> pd.DataFrame:
    actions = _read(path, "select * from actions")
    actions["raised_on"] = pd.to_datetime(actions["raised_on"])
    actions["completed_on"] = pd.to_datetime(actions["completed_on"])
    return actions.merge(load_service_areas(path), on="service_area", how="left")


@st.cache_data(show_spinner=False)
def date_range(path: str) -> tuple[dt.date, dt.date]:
    days = pd.concat(
        [load_responses(path)["submitted_on"], load_conversations(path)["held_on"], load_actions(path)["raised_on"]]
    )
    return days.min().date(), days.max().date()


# --- Filters -------------------------------------------------------------------------------------


def months(first_day: dt.date, last_day: dt.date) -> list[str]:
    """Every month of the data as links write it: 2021-03."""
    return [f"{m:%Y-%m}" for m in pd.period_range(first_day, last_day, freq="M")]


def sidebar_filters(path: str) -> dict:
    """The sidebar widgets (same keys and URL parameters as the product's; dates by whole month)."""
    areas = load_service_areas(path)
    first_day, last_day = date_range(path)
    choices_of_month = months(first_day, last_day)
    bound = {"bind": "query-params"}
    with st.sidebar:
        st.header("Filters")
        care_groups = st.multiselect("Care group", contract.CARE_GROUPS, key="care_group", **bound)
        choices = areas if not care_groups else areas[areas["care_group"].isin(care_groups)]
        service_areas = st.multiselect("Service area", sorted(choices["service_area"]), key="service_area", **bound)
        surveys = st.multiselect("Survey", contract.SURVEYS, key="survey", **bound)
        staff_groups = st.multiselect("Staff group", contract.STAFF_GROUPS, key="staff_group", **bound)
        month_from = st.selectbox("From month", choices_of_month, index=0, key="from", **bound)
        month_to = st.selectbox("To month", choices_of_month, index=len(choices_of_month) - 1, key="to", **bound)
    return {
        "care_groups": care_groups,
        "service_areas": service_areas,
        "surveys": surveys,
        "staff_groups": staff_groups,
        "date_from": pd.Period(month_from, "M").start_time,
        "date_to": pd.Period(month_to, "M").end_time.normalize(),
    }


def filter_responses(responses: pd.DataFrame, filters: dict) -> pd.DataFrame:
    mask = responses["submitted_on"].between(filters["date_from"], filters["date_to"])
    if filters["care_groups"]:
        mask &= responses["care_group"].isin(filters["care_groups"])
    if filters["service_areas"]:
        mask &= responses["service_area"].isin(filters["service_areas"])
    if filters["surveys"]:
        mask &= responses["survey"].isin(filters["surveys"])
    if filters["staff_groups"]:
        mask &= responses["staff_group"].isin(filters["staff_groups"])
    return responses[mask]


def filter_by_area(frame: pd.DataFrame, filters: dict, date_column: str) -> pd.DataFrame:
    mask = frame[date_column].between(filters["date_from"], filters["date_to"])
    if filters["care_groups"]:
        mask &= frame["care_group"].isin(filters["care_groups"])
    if filters["service_areas"]:
        mask &= frame["service_area"].isin(filters["service_areas"])
    return frame[mask]


def describe(filters: dict) -> str:
    parts = [
        f"{label}: {', '.join(filters[key])}"
        for label, key in (
            ("Care group", "care_groups"),
            ("Service area", "service_areas"),
            ("Survey", "surveys"),
            ("Staff group", "staff_groups"),
        )
        if filters[key]
    ]
    parts.append(f"Months: {filters['date_from']:%B %Y} to {filters['date_to']:%B %Y}")
    return "; ".join(parts)


# --- Measures ------------------------------------------------------------------------------------


def wilson(positive: int, n: int) -> tuple[float, float]:
    if n <= 0:
        return (math.nan, math.nan)
    p = positive / n
    z2 = Z95 * Z95
    centre = (p + z2 / (2 * n)) / (1 + z2 / n)
    half = Z95 * math.sqrt(p * (1 - p) / n + z2 / (4 * n * n)) / (1 + z2 / n)
    return (max(0.0, centre - half), min(1.0, centre + half))


def counted_mask(responses: pd.DataFrame, key: str) -> pd.Series:
    answers = responses[key]
    return answers.notna() & ~answers.isin(MEASURES[key]["excluded"])


def positive_mask(responses: pd.DataFrame, key: str) -> pd.Series:
    return responses[key].isin(MEASURES[key]["positive"])


def measure_figures(responses: pd.DataFrame, key: str) -> dict:
    n = int(counted_mask(responses, key).sum())
    positive = int(positive_mask(responses, key).sum())
    low, high = wilson(positive, n)
    share = positive / n if n else math.nan
    return {
        "n": n,
        "positive": positive,
        "share": share,
        "percent": round(share * 100) if n else None,
        "low": low,
        "high": high,
    }


def with_intervals(groups: pd.DataFrame) -> pd.DataFrame:
    groups = groups.copy()
    groups["share"] = groups["positive"] / groups["n"]
    groups["percent"] = (groups["share"] * 100).round()
    bounds = [wilson(int(p), int(n)) for p, n in zip(groups["positive"], groups["n"])]
    groups["low"] = [b[0] for b in bounds]
    groups["high"] = [b[1] for b in bounds]
    return groups


def hide_small(groups: pd.DataFrame, limit: int) -> pd.DataFrame:
    """Hide groups under the limit; when exactly one is hidden, hide the next smallest too."""
    groups = groups.copy()
    groups["hidden"] = groups["n"] < limit
    if groups["hidden"].sum() == 1 and len(groups) > 1:
        groups.loc[groups.loc[~groups["hidden"], "n"].idxmin(), "hidden"] = True
    return groups


def metric_text(figures: dict) -> str:
    return f"n = {figures['n']:,} · 95% CI {figures['low'] * 100:.0f}–{figures['high'] * 100:.0f}%"


# --- Charts (built inline, as usual) ------------------------------------------------------------


def interval_bars(frame: pd.DataFrame, category: str, title: str) -> alt.Chart:
    data = frame.assign(label=[f"{s:.0%} (n={int(n):,})" for s, n in zip(frame["share"], frame["n"])])
    y = alt.Y(f"{category}:N", sort="-x", title=title)
    tooltip = [
        f"{category}:N",
        alt.Tooltip("share:Q", format=".0%"),
        alt.Tooltip("low:Q", format=".0%"),
        alt.Tooltip("high:Q", format=".0%"),
        "n:Q",
    ]
    bars = (
        alt.Chart(data)
        .mark_bar(color=NHS_BLUE)
        .encode(x=alt.X("share:Q", axis=alt.Axis(format="%"), scale=alt.Scale(domain=[0, 1])), y=y, tooltip=tooltip)
    )
    whiskers = alt.Chart(data).mark_rule(color=TEXT).encode(x="low:Q", x2="high:Q", y=y)
    labels = alt.Chart(data).mark_text(align="left", dx=4).encode(x="high:Q", y=y, text="label:N")
    return (bars + whiskers + labels).properties(height=max(120, 24 * len(data)))


def diverging_bars(counts: pd.DataFrame, key: str) -> alt.Chart:
    spec = MEASURES[key]
    left = (
        -counts.loc[counts["answer"].isin(spec["negative"]), "share"].sum()
        - counts.loc[counts["answer"].isin(spec["neutral"]), "share"].sum() / 2
    )
    rows = []
    for answer, share in zip(counts["answer"], counts["share"]):
        rows.append({"group": "This selection", "answer": answer, "share": share, "start": left, "end": left + share})
        left += share
    spans = pd.DataFrame(rows)
    bars = (
        alt.Chart(spans)
        .mark_bar()
        .encode(
            x=alt.X("start:Q", axis=alt.Axis(format="%")),
            x2="end:Q",
            y=alt.Y("group:N", title=None),
            color=alt.Color("answer:N", sort=list(counts["answer"])),
            tooltip=["answer:N", alt.Tooltip("share:Q", format=".0%")],
        )
    )
    labels = (
        alt.Chart(spans)
        .mark_text(color="white")
        .encode(x="mid:Q", y="group:N", text=alt.Text("share:Q", format=".0%"))
        .transform_calculate(mid="(datum.start + datum.end) / 2")
    )
    zero = alt.Chart(pd.DataFrame({"x": [0]})).mark_rule(color=TEXT).encode(x="x:Q")
    return (bars + labels + zero).properties(height=90)


def trend_chart(frame: pd.DataFrame) -> alt.Chart:
    x = alt.X("month:T", axis=alt.Axis(format="%b %Y"))
    band = (
        alt.Chart(frame)
        .mark_area(opacity=0.25, color=NHS_BLUE)
        .encode(x=x, y=alt.Y("low:Q", axis=alt.Axis(format="%"), scale=alt.Scale(domain=[0, 1])), y2="high:Q")
    )
    line = (
        alt.Chart(frame)
        .mark_line(color=NHS_BLUE, point=True)
        .encode(
            x=x,
            y="share:Q",
            tooltip=[alt.Tooltip("month:T", format="%B %Y"), alt.Tooltip("share:Q", format=".0%"), "n:Q"],
        )
    )
    return (band + line).properties(height=260)


def count_bars(frame: pd.DataFrame, category: str, value: str, title: str) -> alt.Chart:
    y = alt.Y(f"{category}:N", sort="-x", title=title)
    bars = (
        alt.Chart(frame).mark_bar(color=NHS_BLUE).encode(x=f"{value}:Q", y=y, tooltip=[f"{category}:N", f"{value}:Q"])
    )
    labels = alt.Chart(frame).mark_text(align="left", dx=4).encode(x=f"{value}:Q", y=y, text=f"{value}:Q")
    return (bars + labels).properties(height=max(120, 24 * len(frame)))


def time_bars(frame: pd.DataFrame, x: str, value: str) -> alt.Chart:
    return (
        alt.Chart(frame)
        .mark_bar(color=NHS_BLUE)
        .encode(x=alt.X(f"{x}:T", axis=alt.Axis(format="%d %b")), y=f"{value}:Q", tooltip=[f"{x}:T", f"{value}:Q"])
        .properties(height=240)
    )


def chart_with_table(chart: alt.Chart, table: pd.DataFrame, summary: str, key: str) -> None:
    st.altair_chart(chart, width="stretch", key=f"chart_{key}")
    st.markdown(summary)
    with st.expander("View as table"):
        st.dataframe(table, hide_index=True, key=f"table_{key}")


# --- Pages ---------------------------------------------------------------------------------------


def survey_page(key: str, title: str) -> None:
    """One survey theme page: headline, answers, breakdown, trend by month, comments."""
    spec = MEASURES[key]
    st.set_page_config(page_title=title, layout="wide")
    path = database_path()
    limit = threshold()
    filters = sidebar_filters(path)
    st.title(title)
    st.markdown(f"**Question:** {spec['question']} Filters: **{describe(filters)}**.")

    responses = load_responses(path)
    selected = filter_responses(responses, filters)
    figures = measure_figures(selected, key)
    trust = measure_figures(responses, key)
    st.subheader(spec["title"])
    for column, label, figure in zip(st.columns(2), ("This selection", "Whole Trust"), (figures, trust)):
        hidden = figure["n"] < limit
        column.metric(label, "Hidden" if hidden else f"{figure['percent']}%", border=True)
        column.markdown("Hidden: fewer than 10 responses" if hidden else metric_text(figure))
    if figures["n"] < limit:
        st.info("Fewer people than the threshold answered in this selection, so the rest is hidden.")
        return

    st.subheader("Answers")
    answered = selected[key].dropna()
    counts = answered.value_counts().reindex(list(spec["scale"]), fill_value=0)
    counts = counts.rename_axis("answer").reset_index(name="responses")
    counts["counted"] = ~counts["answer"].isin(spec["excluded"])
    base = counts.loc[counts["counted"], "responses"].sum()
    counts["share"] = counts["responses"].where(counts["counted"]) / base
    shown_counts = counts[counts["counted"]]
    chart_with_table(
        diverging_bars(shown_counts, key),
        counts,
        f"Of {base:,} people counted, {figures['percent']}% answered {' or '.join(spec['positive'])}.",
        f"{key}_answers",
    )

    st.subheader("Breakdown")
    dimension = (
        st.segmented_control(
            "Break down by",
            ("care_group", "service_area", "survey", "staff_group"),
            default="care_group",
            key="breakdown",
            bind="query-params",
        )
        or "care_group"
    )
    in_base = selected[counted_mask(selected, key)]
    groups = in_base.groupby(dimension).agg(n=(key, "size"), positive=(key, lambda s: s.isin(spec["positive"]).sum()))
    groups = hide_small(with_intervals(groups.reset_index()), limit)
    shown = groups[~groups["hidden"]].sort_values("share", ascending=False)
    figures = ("n", "positive", "share", "percent", "low", "high")
    table = groups.assign(**{c: groups[c].where(~groups["hidden"]) for c in figures})
    if len(shown):
        chart_with_table(
            interval_bars(shown, dimension, dimension.replace("_", " ").capitalize()),
            table,
            f"{len(shown)} groups shown, {int(groups['hidden'].sum())} hidden.",
            f"{key}_breakdown",
        )
    st.download_button(
        "Download CSV", table.to_csv(index=False), file_name=f"{key}_by_{dimension}.csv", key=f"csv_{key}_breakdown"
    )

    st.subheader("By month")
    months = in_base.assign(month=in_base["submitted_on"].dt.to_period("M").dt.to_timestamp())
    trend = months.groupby("month").agg(n=(key, "size"), positive=(key, lambda s: s.isin(spec["positive"]).sum()))
    trend = hide_small(with_intervals(trend.reset_index()), limit)
    shown_months = trend[~trend["hidden"]]
    if len(shown_months):
        chart_with_table(trend_chart(shown_months), trend, f"{len(shown_months)} months shown.", f"{key}_trend")

    st.subheader("Comments")
    search = st.text_input("Search the comments", key="comment_search", max_chars=200)
    answered_rows = selected[selected[key].notna()]
    comments = answered_rows["comment"].dropna().str.strip()
    comments = comments[comments != ""]
    if search.strip():
        comments = comments[comments.str.contains(search.strip(), case=False, regex=False)]
    comments = comments.sort_values().reset_index(drop=True).to_frame("Comment")
    st.markdown(f"{len(comments):,} comments from people in this selection who answered this question.")
    if len(comments):
        st.dataframe(comments, hide_index=True, key=f"comments_{key}")
