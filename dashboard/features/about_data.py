"""About the data: the tables of the Data and definitions page (build, rejects, measures,
waves, questions, settings). No Streamlit here."""

from __future__ import annotations

import functools
from collections.abc import Callable

import pandas as pd

from dashboard.core import measures, release, settings
from dashboard.core.db import Database


def _once(make: Callable[[Database], pd.DataFrame]) -> Callable[[Database], pd.DataFrame]:
    """For a table that depends on the database file alone: made once per file (a copy each time: pages
    may change what they are given)."""

    @functools.wraps(make)
    def table(database: Database) -> pd.DataFrame:
        return database.memo(f"about data {make.__name__}", lambda _: make(database)).copy()

    return table


def rejects_summary(database: Database) -> pd.DataFrame:
    """Per file: column, reason, rows rejected and the first line numbers; never the rejected values."""
    return database.query("rejects_summary")


def build_table(build: pd.DataFrame) -> pd.DataFrame:
    """build_info for people: one row per file, in the contract's words."""
    columns = {
        "file": "File",
        "format": "Format",
        "encoding": "Encoding",
        "size_bytes": "Size (bytes)",
        "sha256": "SHA-256",
        "rows_read": "Rows read",
        "rows_loaded": "Rows loaded",
        "rows_rejected": "Rows rejected",
        "ignored_columns": "Ignored columns",
        "warnings": "Warnings",
    }
    return build.loc[:, [c for c in columns if c in build.columns]].rename(columns=columns)


@_once
def measure_definitions(database: Database) -> pd.DataFrame:
    """Every headline measure with its definition, from dashboard.core.measures."""
    rows = [
        {"Measure": m.title, "Kind": "Engagement", "Question": "", "Definition": m.definition}
        for m in measures.ENGAGEMENT_MEASURES
    ] + [
        {"Measure": m.title, "Kind": "Survey", "Question": m.question, "Definition": m.definition}
        for m in measures.survey_measures(database).values()
    ]
    return pd.DataFrame(rows)


@_once
def waves_table(database: Database) -> pd.DataFrame:
    """The survey waves, oldest first, as the build stored them."""
    frame = database.query("waves")
    return pd.DataFrame(
        {
            "Wave": frame["wave_id"],
            "Name": frame["name"],
            "Opened": [f"{pd.Timestamp(d):%d %B %Y}" for d in frame["opened"]],
            "Closed": [f"{pd.Timestamp(d):%d %B %Y}" for d in frame["closed"]],
        }
    )


@_once
def questions_table(database: Database) -> pd.DataFrame:
    """The question bank in use, in its order: what each measure counts."""
    bank = measures.survey_measures(database).values()
    return pd.DataFrame(
        {
            "Question": [m.key for m in bank],
            "Asked": [m.question for m in bank],
            "Measure": [m.title for m in bank],
            "Theme": [m.page for m in bank],
            "Waves": [", ".join(m.waves) for m in bank],
            "Answers, in order": ["; ".join(m.scale) for m in bank],
            "Positive": ["; ".join(m.positive_answers) for m in bank],
            "Left out of the base": ["; ".join(m.excluded) for m in bank],
            "Higher is better": ["Yes" if m.higher_is_better else "No" for m in bank],
        }
    )


def settings_table(database: Database) -> pd.DataFrame:
    """Every setting: environment variable, default, the value in use (the database by file name only;
    the build's settings as the release was built with them), help."""
    built = release.of(database)
    from_build = {settings.MIN_GROUP_SIZE.env: built.threshold, settings.MIN_COMMENTS.env: built.min_comments}

    def in_use(setting: settings.Setting) -> str:
        if setting is settings.DB:
            return settings.database_path().name
        if setting.env in from_build:
            return f"{from_build[setting.env]} (when the database was built)"
        if setting is settings.BUILD_MEMORY:
            return "wherever the build runs"  # the database does not record it: no value here to show
        return setting.value()

    return pd.DataFrame(
        [{"Setting": s.env, "Default": s.default, "In use": in_use(s), "Help": s.help} for s in settings.ALL_SETTINGS]
    )


AUDIT_STATUSES = {
    "released": "Released",
    "fewer than the threshold": "Suppressed: fewer responses than the threshold",
    "nested pair": "Suppressed: one inside another, differing by a few",
    "parent minus children": "Suppressed: a whole less its shown parts leaves a few",
    "two by two": "Suppressed: two splits and their crossing leave a few",
    "question base under the threshold": "Questions not released for a released group: base under the threshold",
}
AUDIT_KINDS = {
    "answers": "Unit x survey x staff group (whole wave)",
    "month": "Unit x month",
    "rate": "Service area's staff surveys (response rates)",
}


@_once
def audit_table(database: Database) -> pd.DataFrame:
    """The build's audit of the release (``release_audit``): groups per wave, kind and status."""
    frame = database.query("release_audit")
    return pd.DataFrame(
        {
            "Wave": frame["wave"],
            "Groups": [AUDIT_KINDS.get(k, k) for k in frame["kind"]],
            "Status": [AUDIT_STATUSES.get(s, s) for s in frame["status"]],
            "Count": frame["groups"],
        }
    )
