"""The served database holds the release and nothing of the responses (pipeline/release.py, pipeline/build.py).

Opened as any reader of the file would: its tables and columns are the served ones, no
table holds a response, a record key, a fingerprint or a true survey count, and not one
response id, nor the text of a comment that is not listed, is anywhere in its bytes. The
release itself: every count is its cell's true count plus the table's noise for exactly its
responses (worked out with hmac here), two cells holding the same people show the same count,
and the Trust's 2021 cells show the published 39%, 69% and 65%.
"""

from __future__ import annotations

import random
import re
from pathlib import Path

import duckdb
import pandas as pd
import pytest

from pipeline.build import SERVED_TABLES, build
from pipeline.keys import DEMO_KEY
from pipeline.perturbation import MAX_NOISE
from tests import oracle
from tests.conftest import SMALL

# The survey tables' columns, as the app reads them: labels and released counts, nothing else.
RELEASE_COLUMNS = {
    "release_groups": ["kind", "wave", "care_group", "service_area", "survey", "staff_group", "month", "responses"],
    "release_cells": [
        "kind",
        "wave",
        "care_group",
        "service_area",
        "survey",
        "staff_group",
        "month",
        "measure",
        "answer",
        "responses",
    ],
    "release_audit": ["wave", "kind", "status", "groups"],
    "release_info": ["threshold", "min_comments", "perturbation", "max_noise"],
    "comment_units": ["wave", "care_group", "service_area", "survey", "listed", "reason"],
    "comment_regions": ["wave", "care_group", "service_area", "survey", "region"],
    "release_comments": ["wave", "region", "comment"],
}
RESPONSE_TABLES = {"survey_responses", "survey_answers", "survey_cells", "survey_groups", "survey_comments"}


@pytest.fixture(scope="module")
def served(demo_db: Path) -> dict[str, list[str]]:
    with duckdb.connect(str(demo_db), read_only=True) as con:
        tables = [t for (t,) in con.execute("select table_name from duckdb_tables() order by 1").fetchall()]
        return {
            t: [
                c
                for (c,) in con.execute(
                    "select column_name from duckdb_columns() where table_name = ? order by column_index", [t]
                ).fetchall()
            ]
            for t in tables
        }


def test_the_served_database_has_the_served_tables_and_no_response_table(served: dict[str, list[str]]) -> None:
    assert set(served) == set(SERVED_TABLES)
    assert not RESPONSE_TABLES & set(served)
    for table, columns in RELEASE_COLUMNS.items():
        assert served[table] == columns, table
    every_column = {c for columns in served.values() for c in columns}
    assert (
        not {"response_id", "record_key", "key_sum", "view_key", "n_key", "fingerprint", "member_hash"} & every_column
    )


def test_no_response_id_is_in_the_file(demo_db: Path) -> None:
    """Not a table's worth: not one of the demo's 4,650 response ids, anywhere in the file's bytes."""
    data = demo_db.read_bytes()
    ids = set(oracle.read_responses()["response_id"])
    assert len(ids) > 4000 and all(re.fullmatch(r"R-\d{6}", i) for i in ids)  # the demo's ids, one pattern
    assert {m.decode() for m in re.findall(rb"R-\d{6}", data)} & ids == set()


def test_a_comment_no_unit_lists_is_not_in_the_file(small_extracts: Path, tmp_path: Path) -> None:
    """The small extracts' one comment is too few for any unit to list: its text is nowhere in the served
    file, though the build read it (the staging file that held it is gone)."""
    comment = SMALL["survey_responses"][0]["comment"]
    assert comment
    build(small_extracts, tmp_path / "small.duckdb")
    assert comment.encode() not in (tmp_path / "small.duckdb").read_bytes()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["extracts", "small.duckdb"]


def test_every_released_count_is_its_cells_count_plus_the_noise_of_exactly_its_responses(demo_db: Path) -> None:
    """A sample of every kind of cell, worked out from the extracts with hmac (``oracle.released_count``)."""
    responses = oracle.read_responses()
    with duckdb.connect(str(demo_db), read_only=True) as con:
        cells = con.execute("select * from release_cells").df()
        groups = con.execute("select * from release_groups").df()
    rng = random.Random(5)
    checked = moved = 0
    for kind, rows in cells.groupby("kind"):
        for row in rows.sample(min(300, len(rows)), random_state=rng.randrange(2**31)).itertuples():
            members = oracle.members(responses, _key(row))
            given = members[row.measure] == ("" if pd.isna(row.answer) else row.answer)
            true = int(given.sum())
            assert row.responses == oracle.released_count(members.loc[given, "response_id"], DEMO_KEY), (kind, row)
            assert 0 <= row.responses and abs(row.responses - true) <= MAX_NOISE
            checked += 1
            moved += row.responses != true
    for row in groups.sample(200, random_state=1).itertuples():
        members = oracle.members(responses, _key(row))
        assert row.responses == oracle.released_count(members["response_id"], DEMO_KEY), row
    assert checked > 500 and moved > checked / 3  # perturbed, not the true counts


def _key(row) -> tuple:
    def label(value):
        return None if pd.isna(value) else value

    month = label(row.month)
    return (
        row.wave,
        row.kind,
        label(row.care_group),
        label(row.service_area),
        label(row.survey),
        label(row.staff_group),
        pd.Timestamp(month).date() if month is not None else None,
    )


def test_two_cells_holding_the_same_people_show_the_same_count(demo_db: Path) -> None:
    """An area that only one survey reached shows the same figures for all surveys and for that survey:
    the noise is chosen by exactly which responses a cell holds."""
    responses = oracle.read_responses()
    with duckdb.connect(str(demo_db), read_only=True) as con:
        cells = con.execute("select * from release_cells where kind = 'answers' and staff_group is null").df()
    same = 0
    whole = cells[cells["survey"].isna() & cells["service_area"].notna()]
    for (wave, group, area), rows in whole.groupby(["wave", "care_group", "service_area"]):
        one = cells[
            (cells["wave"] == wave)
            & (cells["care_group"] == group)
            & (cells["service_area"] == area)
            & cells["survey"].notna()
        ]
        for survey, survey_rows in one.groupby("survey"):
            people = oracle.members(responses, (wave, "answers", group, area, survey, None, None))
            if len(people) == len(oracle.members(responses, (wave, "answers", group, area, None, None, None))):
                keys = ["measure", "answer"]
                left = rows.set_index(keys)["responses"].sort_index()
                right = survey_rows.set_index(keys)["responses"].sort_index()
                assert left.equals(right), (wave, area, survey)
                same += 1
    assert same > 0


def test_the_trusts_2021_cells_show_the_published_figures(demo_db: Path) -> None:
    release = oracle.released(demo_db)
    responses = oracle.read_responses()
    from dashboard.core.filters import Filters

    for measure, published in oracle.PUBLISHED.items():
        n, positive, percent = oracle.expected_headline(
            responses, measure, Filters(wave=oracle.PUBLISHED_WAVE), release
        )
        assert percent == published, measure
