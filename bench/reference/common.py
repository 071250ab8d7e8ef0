"""What the reference pages share, in the usual Streamlit + pandas style.

Whole tables are read from the DuckDB file into DataFrames once and kept with
``@st.cache_data`` (which hands every rerun its own copy); every rerun then
filters them with boolean masks and aggregates with ``groupby``. Measures,
intervals and the filter-to-cells rule are restated here, as a typical dashboard
would, so the reference costs what that style costs. It is a yardstick for
``python -m bench``, not a second implementation to keep in step with the
product: nothing in the product imports it.

Survey figures. The served database holds no survey responses: the build releases,
per wave, perturbed counts of every answer per released group (``release_cells``:
a unit, the Trust, a care group or a service area, x a survey or all x a staff
group or all over the whole wave, or a unit x a month; docs/DISCLOSURE.md). So
the reference does what a typical dashboard would do with those tables: it loads
``release_cells`` of the latest wave, ``answer_scale`` and ``release_info`` whole,
and on every rerun picks, with boolean masks, the cells of the groups the filters
cover (the chosen service areas, else care groups, else the Trust; each chosen
survey and staff group, else 'all'), sums them by answer with ``groupby`` and
works each measure out of the sums. That is the same work the product does (it
sums the same released cells, ``dashboard.core.figures``), done the usual pandas way.
A group the release leaves out simply has no cells: it adds nothing, and a figure
with no cell at all is hidden. Survey figures are whole-wave, as the product's:
the months picked only choose which months the trend lists (the month groups).
Comments are the released ones (``comment_units``, ``comment_regions``,
``release_comments``) of the one unit the filters name, never narrowed by month
or staff group.
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

import demo.model as demo_model
from pipeline import contract

ROOT = Path(__file__).resolve().parents[2]
NOT_STATED = "Not stated"
NHS_BLUE = "#005EB8"
TEXT = "#212B32"
Z95 = 1.959963984540054
ALL = "(all)"  # a release label left empty (NULL): the group covers every value of it
LABELS = ["kind", "care_group", "service_area", "survey", "staff_group"]
HIDDEN = "too few responses to show safely"
WHOLE_TRUST = {"care_groups": [], "service_areas": [], "surveys": [], "staff_groups": []}

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


@st.cache_data(show_spinner=False)
def threshold(path: str) -> int:
    """The build's threshold (release_info): no released group has fewer responses."""
    return int(_read(path, "select threshold from release_info")["threshold"].iloc[0])


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


@st.cache_data(show_spinner=False)
def latest_wave(path: str) -> str:
    """The latest wave (what the product shows by default)."""
    return str(_read(path, "select wave_id from waves order by opened desc limit 1")["wave_id"].iloc[0])


@st.cache_data(show_spinner="Loading data...")
def load_cells(path: str) -> pd.DataFrame:
    """The latest wave's released cells, whole: one row per released group, question and answer
    (the blank answer too), with its perturbed count. Empty labels read as ALL."""
    cells = _read(path, "select * from release_cells")
    cells = cells.loc[cells["wave"] == latest_wave(path)].drop(columns="wave")
    for column in LABELS:
        cells[column] = cells[column].fillna(ALL)
    cells["month"] = pd.to_datetime(cells["month"])
    return cells.merge(load_scale(path), on=["measure", "answer"], how="left")


@st.cache_data(show_spinner="Loading data...")
def load_scale(path: str) -> pd.DataFrame:
    """answer_scale: which answers of each question count in its base and which towards its measure."""
    return _read(path, "select measure, answer, counted, positive from answer_scale")


@st.cache_data(show_spinner="Loading data...")
def load_comments(path: str) -> pd.DataFrame:
    """The latest wave's released comments with the units that list them (comment_regions), whole."""
    wave = latest_wave(path)
    regions = _read(path, "select * from comment_regions")
    comments = _read(path, "select * from release_comments")
    joined = regions.merge(comments, on=["wave", "region"])
    joined = joined.loc[joined["wave"] == wave].drop(columns=["wave", "region"])
    for column in ("care_group", "service_area", "survey"):
        joined[column] = joined[column].fillna(ALL)
    return joined


@st.cache_data(show_spinner="Loading data...")
def load_comment_units(path: str) -> pd.DataFrame:
    """The latest wave's comment units and whether each lists its comments (decided by the build)."""
    units = _read(path, "select * from comment_units")
    units = units.loc[units["wave"] == latest_wave(path)].drop(columns="wave")
    for column in ("care_group", "service_area", "survey"):
        units[column] = units[column].fillna(ALL)
    return units


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
    """The months offered: the waves' dates, the conversations' and the actions' (as the product's)."""
    waves = _read(path, "select opened, closed from waves")
    days = pd.concat(
        [
            pd.to_datetime(waves["opened"]),
            pd.to_datetime(waves["closed"]),
            load_conversations(path)["held_on"],
            load_actions(path)["raised_on"],
        ]
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
        care_groups = st.multiselect("Care group", demo_model.CARE_GROUPS, key="care_group", **bound)
        choices = areas if not care_groups else areas[areas["care_group"].isin(care_groups)]
        service_areas = st.multiselect("Service area", sorted(choices["service_area"]), key="service_area", **bound)
        surveys = st.multiselect("Survey", demo_model.SURVEYS, key="survey", **bound)
        staff_groups = st.multiselect("Staff group", demo_model.STAFF_GROUPS, key="staff_group", **bound)
        month_from = st.selectbox("From month", choices_of_month, index=0, key="from", **bound)
        month_to = st.selectbox("To month", choices_of_month, index=len(choices_of_month) - 1, key="to", **bound)
    return {
        "care_groups": care_groups,
        "service_areas": service_areas,
        "surveys": surveys,
        "staff_groups": staff_groups,
        "date_from": pd.Period(month_from, "M").start_time,
        "date_to": pd.Period(month_to, "M").end_time.normalize(),
        "months_picked": (month_from, month_to) != (choices_of_month[0], choices_of_month[-1]),
    }


def unit_mask(cells: pd.DataFrame, filters: dict, by: str | None = None) -> pd.Series:
    """The cells of the filters' units: the chosen service areas, else the chosen care groups, else the
    Trust. ``by`` 'care_group' or 'service_area': the units one level down instead, when the filters
    leave that level open (every care group of the Trust, every area of the chosen care groups)."""
    care_group, area = cells["care_group"], cells["service_area"]
    if filters["service_areas"]:
        return area.isin(filters["service_areas"])
    if filters["care_groups"]:
        mask = care_group.isin(filters["care_groups"])
        return mask & (area != ALL) if by == "service_area" else mask & (area == ALL)
    if by == "care_group":
        return (care_group != ALL) & (area == ALL)
    if by == "service_area":
        return area != ALL
    return (care_group == ALL) & (area == ALL)


def label_mask(cells: pd.DataFrame, column: str, chosen: list, by: str | None = None) -> pd.Series:
    """The cells of the chosen surveys (or staff groups), else of 'all'; ``by`` the column itself:
    one row per value (the chosen ones, else every one)."""
    if chosen:
        return cells[column].isin(chosen)
    return cells[column] != ALL if by == column else cells[column] == ALL


def select_cells(cells: pd.DataFrame, filters: dict, by: str | None = None) -> pd.DataFrame:
    """The released cells (whole wave) the filters cover; ``by`` a dimension: those of each of its rows."""
    mask = (cells["kind"] == "answers") & unit_mask(cells, filters, by)
    mask &= label_mask(cells, "survey", filters["surveys"], by)
    mask &= label_mask(cells, "staff_group", filters["staff_groups"], by)
    return cells[mask]


def month_cells(cells: pd.DataFrame, filters: dict) -> pd.DataFrame:
    """The units' month groups within the months picked (released by month for whole units only:
    every survey and staff group)."""
    mask = (cells["kind"] == "month") & unit_mask(cells, filters)
    mask &= cells["month"].between(filters["date_from"], filters["date_to"])
    return cells[mask]


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


def measure_figures(cells: pd.DataFrame, key: str) -> dict:
    """One measure from the cells chosen: n and positive are sums of the released counts of its counted
    and positive answers; hidden when no cell of the question is there (no part released)."""
    mine = cells[cells["measure"] == key]
    n = int(mine.loc[mine["counted"].fillna(False).astype(bool), "responses"].sum())
    positive = int(mine.loc[mine["positive"].fillna(False).astype(bool), "responses"].sum())
    low, high = wilson(positive, n)
    share = positive / n if n else math.nan
    return {
        "hidden": mine.empty,
        "n": n,
        "positive": positive,
        "share": share,
        "percent": (200 * positive + n) // (2 * n) if n else None,  # whole percent, half up, as published
        "low": low,
        "high": high,
    }


def group_figures(cells: pd.DataFrame, key: str, by: list[str]) -> pd.DataFrame:
    """n and positive of ``key`` per value of the ``by`` columns (a row per group with cells of the question)."""
    mine = cells[cells["measure"] == key]
    mine = mine.assign(
        n=mine["responses"].where(mine["counted"].fillna(False).astype(bool), 0),
        positive=mine["responses"].where(mine["positive"].fillna(False).astype(bool), 0),
    )
    return mine.groupby(by)[["n", "positive"]].sum().reset_index()


def with_intervals(groups: pd.DataFrame) -> pd.DataFrame:
    """share, percent and 95% Wilson bounds per row (blank for a hidden row: n missing)."""
    groups = groups.copy()
    groups["share"] = groups["positive"] / groups["n"]
    groups["percent"] = (200 * groups["positive"] + groups["n"]) // (2 * groups["n"])  # half up, as published
    bounds = [
        wilson(int(p), int(n)) if pd.notna(n) else (math.nan, math.nan) for p, n in zip(groups["positive"], groups["n"])
    ]
    groups["low"] = [b[0] for b in bounds]
    groups["high"] = [b[1] for b in bounds]
    return groups


def list_rows(groups: pd.DataFrame, every: pd.DataFrame) -> pd.DataFrame:
    """Every row of a breakdown (the rows of ``every``, keyed by its columns), hidden where no cell was
    released; 'Not stated' rows only when shown."""
    by = list(every.columns)
    listed = every.merge(groups, on=by, how="outer")
    listed["hidden"] = listed["n"].isna()
    not_stated = listed[by].eq(NOT_STATED).any(axis=1)
    return listed[~(listed["hidden"] & not_stated)].reset_index(drop=True)


def breakdown_rows(path: str, filters: dict, dimension: str) -> pd.DataFrame:
    """The rows a breakdown lists whatever the counts: the structure's care groups and service areas
    (of the units picked), the surveys and staff groups picked, else every one."""
    areas = load_service_areas(path)[["care_group", "service_area"]]
    if filters["service_areas"]:
        areas = areas[areas["service_area"].isin(filters["service_areas"])]
    elif filters["care_groups"]:
        areas = areas[areas["care_group"].isin(filters["care_groups"])]
    if dimension == "care_group":
        groups = sorted(set(areas["care_group"]))
        return pd.DataFrame(
            {
                "care_group": groups
                if filters["care_groups"] or filters["service_areas"]
                else list(demo_model.CARE_GROUPS)
            }
        )
    if dimension == "service_area":
        return areas.reset_index(drop=True)
    every = demo_model.SURVEYS if dimension == "survey" else demo_model.STAFF_GROUPS
    return pd.DataFrame({dimension: filters[f"{dimension}s"] or list(every)})


@st.cache_data(show_spinner=False)
def wave_months(path: str) -> list[pd.Timestamp]:
    """The calendar months of the latest wave, from the one it opened in to the one it closed in."""
    wave = _read(path, "select opened, closed from waves order by opened desc limit 1").iloc[0]
    return list(pd.period_range(wave["opened"], wave["closed"], freq="M").to_timestamp())


def comments_of(path: str, filters: dict) -> tuple[pd.Series | None, str]:
    """The released comments of the one unit the filters name (months and staff groups never narrow
    it), or None and why not."""
    if len(filters["service_areas"]) > 1 or (len(filters["care_groups"]) > 1 and not filters["service_areas"]):
        return None, "several units are picked"
    if len(filters["surveys"]) > 1:
        return None, "several surveys are picked"
    areas = load_service_areas(path)
    if filters["service_areas"]:
        area = filters["service_areas"][0]
        unit = (areas.loc[areas["service_area"] == area, "care_group"].iloc[0], area)
    else:
        unit = (filters["care_groups"][0] if filters["care_groups"] else ALL, ALL)
    survey = filters["surveys"][0] if filters["surveys"] else ALL
    units = load_comment_units(path)
    decided = units[(units["care_group"] == unit[0]) & (units["service_area"] == unit[1]) & (units["survey"] == survey)]
    if decided.empty or not bool(decided["listed"].iloc[0]):
        return None, "too few comments to list safely" if decided.empty else str(decided["reason"].iloc[0])
    comments = load_comments(path)
    mine = comments[
        (comments["care_group"] == unit[0]) & (comments["service_area"] == unit[1]) & (comments["survey"] == survey)
    ]
    return mine["comment"], ""


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
    """One survey theme page: headline, answers, breakdown, trend by month, comments; every figure a
    sum of the released cells the filters cover (whole wave: months only pick the trend's months)."""
    spec = MEASURES[key]
    st.set_page_config(page_title=title, layout="wide")
    path = database_path()
    limit = threshold(path)
    filters = sidebar_filters(path)
    st.title(title)
    st.markdown(f"**Question:** {spec['question']} Filters: **{describe(filters)}**.")

    cells = load_cells(path)
    selected = select_cells(cells, filters)
    figures = measure_figures(selected, key)
    trust = measure_figures(select_cells(cells, WHOLE_TRUST), key)
    st.subheader(spec["title"])
    for column, label, figure in zip(st.columns(2), ("This selection", "Whole Trust"), (figures, trust)):
        column.metric(label, "Hidden" if figure["hidden"] else f"{figure['percent']}%", border=True)
        column.markdown(f"Hidden: {HIDDEN}" if figure["hidden"] else metric_text(figure))
    if filters["months_picked"]:
        st.markdown("Survey figures are for the whole wave: the months picked choose the months of the trend.")
    if figures["hidden"]:
        st.info(f"Fewer than {limit} people answered in this selection, so the rest is hidden.")
        return

    st.subheader("Answers")
    mine = selected[selected["measure"] == key]
    counts = mine.groupby("answer")["responses"].sum().reindex(list(spec["scale"]), fill_value=0)
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
    every = breakdown_rows(path, filters, dimension)
    groups = group_figures(select_cells(cells, filters, by=dimension), key, list(every.columns))
    groups = with_intervals(list_rows(groups, every))
    shown = groups[~groups["hidden"]].sort_values("share", ascending=False)
    if len(shown):
        chart_with_table(
            interval_bars(shown, dimension, dimension.replace("_", " ").capitalize()),
            groups,
            f"{len(shown)} groups shown, {int(groups['hidden'].sum())} hidden.",
            f"{key}_breakdown",
        )
    st.download_button(
        "Download CSV", groups.to_csv(index=False), file_name=f"{key}_by_{dimension}.csv", key=f"csv_{key}_breakdown"
    )

    st.subheader("By month")
    months = [m for m in wave_months(path) if filters["date_from"] <= m <= filters["date_to"]]
    trend = group_figures(month_cells(cells, filters), key, ["month"])
    trend = with_intervals(list_rows(trend, pd.DataFrame({"month": pd.to_datetime(months)})))
    shown_months = trend[~trend["hidden"]]
    if len(shown_months):
        chart_with_table(trend_chart(shown_months), trend, f"{len(shown_months)} months shown.", f"{key}_trend")

    st.subheader("Comments")
    comments, why = comments_of(path, filters)
    if comments is None:
        st.info(f"Comments are listed for one whole unit at a time: not for these filters ({why}).")
        return
    search = st.text_input("Search the comments", key="comment_search", max_chars=200)
    if search.strip():
        comments = comments[comments.str.contains(search.strip(), case=False, regex=False)]
    comments = comments.sort_values().reset_index(drop=True).to_frame("Comment")
    st.markdown(f"{len(comments):,} comments from this unit, over the whole wave.")
    if len(comments):
        st.dataframe(comments, hide_index=True, key=f"comments_{key}")
