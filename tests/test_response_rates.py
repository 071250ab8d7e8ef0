"""Response rates (issue 13): the headcount column, rates per area, care group and Trust, hiding,
what a hidden row says while a wave is open, and the section on a page.

Expected figures come from tests/oracle.py: pandas over survey_responses.csv and service_areas.csv
with the oracle's own member hashes and the published perturbation table, over the rate groups the
build released (read from the file), never the code under test.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import duckdb
import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

import demo.model as demo_model
from dashboard.core import db, disclosure
from dashboard.core.filters import Filters, Options
from dashboard.features import response_rates
from dashboard.render import response_rates_view
from demo import generate
from pipeline.build import build
from tests import oracle
from tests.conftest import SMALL, opened_database, write_csv

WAVES = ("2021", "2023")
AFTER_EVERY_WAVE = dt.date(2030, 1, 1)
WHILE_2023_IS_OPEN = dt.date(2023, 4, 1)  # the demo's 2023 wave runs 2023-03-01 to 2023-05-31


def options_of(database: db.Database) -> Options:
    """The filters' options as the app reads them (dashboard.render.ui._options, without Streamlit)."""
    areas = database.query("filter_options")
    waves = database.query("waves")
    return Options(
        {g: tuple(a["service_area"]) for g, a in areas.groupby("care_group", sort=False)},
        dt.date(2021, 2, 1),
        dt.date(2023, 5, 31),
        care_groups=demo_model.CARE_GROUPS,
        surveys=demo_model.SURVEYS,
        staff_groups=demo_model.STAFF_GROUPS,
        waves=tuple(waves["wave_id"]),
        wave_names=dict(zip(waves["wave_id"], waves["name"])),
        wave_dates={
            w: (pd.Timestamp(o).date(), pd.Timestamp(c).date())
            for w, o, c in zip(waves["wave_id"], waves["opened"], waves["closed"])
        },
    )


@pytest.fixture
def database(demo_db: Path) -> Iterator[db.Database]:
    yield from opened_database(demo_db)


def rows(frame: pd.DataFrame, level: str) -> pd.DataFrame:
    return frame.loc[frame["level"] == level].reset_index(drop=True)


def value(x: object) -> int | None:
    return None if x is None or pd.isna(x) else int(x)


# --------------------------------------------------------------------------- the headcount column


@pytest.mark.slow
@pytest.mark.parametrize("bad", ["0", "-3", "2.5", "many", "inf", "2000000"])
def test_a_bad_headcount_is_rejected_with_file_line_column_and_reason(small_extracts, tmp_path, bad) -> None:
    areas = [dict(r, headcount="") for r in SMALL["service_areas"]]
    areas += [
        {"service_area": "Ward Z", "care_group": "Corporate services", "headcount": "40"},
        {"service_area": "Ward Y", "care_group": "Corporate services", "headcount": bad},
    ]
    write_csv(small_extracts / "service_areas.csv", areas)
    database = tmp_path / "out.duckdb"
    report = build(small_extracts, database, accept_rejects=True)
    with duckdb.connect(str(database), read_only=True) as con:
        rejects = con.sql('select file, line, "column", value, reason from rejects').fetchall()
        loaded = dict(con.sql("select service_area, headcount from service_areas").fetchall())
    reason = "is not a number" if bad == "many" else "must be a whole number of staff from 1 to 1,000,000"
    assert len(rejects) == 1, rejects
    ((file, line, column, shown, said),) = rejects
    assert (file, line, column, shown) == ("service_areas.csv", len(areas) + 1, "headcount", bad)
    assert reason in said
    assert loaded == {"Ward A": None, "District nursing": None, "Ward Z": 40}
    counts = {f.file: f for f in report.files}["service_areas.csv"]
    assert (counts.rows_read, counts.rows_loaded, counts.rows_rejected) == (4, 3, 1)


def test_service_areas_without_a_headcount_column_still_build(small_extracts, tmp_path) -> None:
    assert "headcount" not in SMALL["service_areas"][0]  # the 2021 layout: two columns
    database = tmp_path / "out.duckdb"
    build(small_extracts, database)
    with duckdb.connect(str(database), read_only=True) as con:
        assert con.execute("select count(*) from rejects").fetchone() == (0,)
        assert con.execute("select count(*), count(headcount) from service_areas").fetchone() == (2, 0)
    opened = db.Database(database)
    try:
        frame = response_rates.rates(opened, options_of(opened), None, today=AFTER_EVERY_WAVE)
    finally:
        opened.close()
    assert frame["rate"].isna().all() and frame["headcount"].isna().all()
    assert (rows(frame, "service_area")["note"].str.contains("headcount not known")).all()
    assert rows(frame, "trust")["note"].tolist() == ["areas counted (a headcount and a released count): 0 of 2"]


# --------------------------------------------------------------------------- the demo's headcounts


def test_the_demo_gives_most_areas_a_headcount_comfortably_above_their_staff_responses(responses) -> None:
    areas = oracle.read_headcounts()
    known = areas.loc[areas["headcount"].notna()]
    assert 0 < len(areas) - len(known) <= 10, "a few areas have no headcount, most have one"
    staff = responses.loc[responses["survey"].isin(oracle.STAFF_SURVEYS)]
    counts = staff.groupby(["service_area", "wave"]).size().unstack(fill_value=0)
    shares = []
    for area, headcount in zip(known["service_area"], known["headcount"]):
        for wave in WAVES:
            got = int(counts.loc[area, wave]) if area in counts.index else 0
            assert headcount >= 1.5 * got, (area, wave, headcount, got)
            shares.append(got / headcount)
    shares = pd.Series(shares)
    assert shares.between(0.2, 0.7).mean() > 0.9


def test_a_tiny_demo_builds_with_its_headcounts(tmp_path) -> None:
    generate(tmp_path / "extracts", scale=5)
    build(tmp_path / "extracts", tmp_path / "tiny.duckdb")
    with duckdb.connect(str(tmp_path / "tiny.duckdb"), read_only=True) as con:
        assert con.execute("select count(*) from rejects").fetchone() == (0,)
        assert con.execute("select count(headcount) > 0 from service_areas").fetchone() == (True,)


# --------------------------------------------------------------------------- rates against the oracle


@pytest.mark.parametrize("wave", WAVES)
def test_rates_per_area_care_group_and_trust_equal_the_oracle(database, responses, release, wave) -> None:
    frame = response_rates.rates(database, options_of(database), wave, today=AFTER_EVERY_WAVE)
    expected = oracle.expected_response_rates(responses, wave, release)

    areas = rows(frame, "service_area").set_index("service_area")
    want = rows(expected, "service_area").set_index("service_area")
    assert sorted(areas.index) == sorted(want.index)
    for area, row in want.iterrows():
        got = areas.loc[area]
        assert got["care_group"] == row["care_group"], area
        assert value(got["headcount"]) == value(row["headcount"]), area
        assert value(got["responses"]) == value(row["responses"]), area
        assert value(got["rate"]) == value(row["rate"]), area
        assert bool(got["hidden"]) == bool(row["hidden"]), area

    for level in ("care_group", "trust"):
        got = rows(frame, level).set_index("care_group")
        for _, row in rows(expected, level).iterrows():
            label = row["care_group"] if isinstance(row["care_group"], str) else response_rates.TRUST
            mine = got.loc[label]
            assert (value(mine["headcount"]), value(mine["responses"]), value(mine["rate"])) == (
                value(row["headcount"]),
                value(row["responses"]),
                value(row["rate"]),
            ), label
            assert bool(mine["hidden"]) == bool(row["hidden"]), label
    # A care group's and the Trust's rows add up the areas counted: those with a headcount and a
    # released count, in responses and headcount alike; the note says how many of how many.
    trust = rows(frame, "trust").iloc[0]
    counted = want.loc[want["headcount"].notna() & ~want["hidden"]]
    assert trust["note"] == f"areas counted (a headcount and a released count): {len(counted)} of {len(want)}"
    assert (value(trust["responses"]), value(trust["headcount"])) == (
        int(counted["responses"].sum()),
        int(counted["headcount"].sum()),
    )
    # The case has areas left out either way: hidden ones with a headcount, shown ones without.
    assert (want["hidden"] & want["headcount"].notna()).any()
    assert (~want["hidden"] & want["headcount"].isna()).any()
    # The counts shown are released counts, not true ones.
    shown = want.loc[~want["hidden"]]
    true = [
        len(oracle.members(responses, (wave, "rate", g, a, None, None, None)))
        for g, a in zip(shown["care_group"], shown.index)
    ]
    assert (shown["responses"].astype(int).to_numpy() != true).any()


def test_rates_are_whole_percents_of_the_perturbed_count_and_above_100_is_flagged(tmp_path, monkeypatch) -> None:
    folder = tmp_path / "extracts"
    folder.mkdir()
    for name, table in SMALL.items():
        write_csv(folder / f"{name}.csv", table)
    write_csv(
        folder / "service_areas.csv",
        [dict(SMALL["service_areas"][0], headcount="20"), dict(SMALL["service_areas"][1], headcount="300")],
    )
    many = [
        {
            "response_id": f"S{i:03d}",
            "survey": "Staff" if i % 3 else "Digital champion",
            "submitted_on": "2021-04-01",
            "care_group": "Adult mental health",
            "service_area": "Ward A",
            "staff_group": "",
            "it_skills": "Good",
            "info_available": "",
            "it_unreliable": "",
            "comment": "",
        }
        for i in range(30)
    ]
    # Carers of no stated area: without them the Trust less the ward would leave the one carer of the
    # small extracts (R2), and the build's audit would rightly keep the ward's count back.
    many += [
        {
            "response_id": f"C{i:03d}",
            "survey": "Carer",
            "submitted_on": "2021-04-01",
            "care_group": "",
            "service_area": "",
            "staff_group": "",
            "it_skills": "Fair",
            "info_available": "",
            "it_unreliable": "",
            "comment": "",
        }
        for i in range(12)
    ]
    write_csv(folder / "survey_responses.csv", SMALL["survey_responses"] + many)
    build(folder, tmp_path / "db.duckdb")
    opened = db.Database(tmp_path / "db.duckdb")
    try:
        frame = response_rates.rates(opened, options_of(opened), None, today=AFTER_EVERY_WAVE)
    finally:
        opened.close()
    ward = rows(frame, "service_area").set_index("service_area").loc["Ward A"]
    # Built without a key (not the demo): figures are withheld, never shown unperturbed.
    assert ward["hidden"] and pd.isna(ward["responses"]) and disclosure.WITHHELD in ward["note"]

    with_key = tmp_path / "keyed.duckdb"
    monkeypatch.setenv("DASHBOARD_PERTURBATION_KEY", "test-key-as-long-as-a-trust-needs-it")
    build(folder, with_key)
    opened = db.Database(with_key)
    try:
        frame = response_rates.rates(opened, options_of(opened), None, today=AFTER_EVERY_WAVE)
    finally:
        opened.close()
    everyone = oracle.read_responses(folder)
    group = (everyone.attrs["latest_wave"], "rate", "Adult mental health", "Ward A", None, None, None)
    assert group in oracle.released(with_key).groups
    members = oracle.members(everyone, group)["response_id"]
    assert len(members) == 31  # R1 and the 30 above
    shown = oracle.released_count(members, key="test-key-as-long-as-a-trust-needs-it")
    ward = rows(frame, "service_area").set_index("service_area").loc["Ward A"]
    assert value(ward["responses"]) == shown and abs(shown - 31) <= 3
    assert value(ward["rate"]) == (200 * shown + 20) // 40 > 100
    assert response_rates.ABOVE_100 in ward["note"]
    nursing = rows(frame, "service_area").set_index("service_area").loc["District nursing"]
    assert nursing["hidden"] and response_rates.ABOVE_100 not in nursing["note"]


# --------------------------------------------------------------------------- hidden and not yet reportable


def test_areas_not_released_are_hidden_with_their_rate(database, responses, release) -> None:
    frame = rows(
        response_rates.rates(database, options_of(database), "2023", today=AFTER_EVERY_WAVE), "service_area"
    ).set_index("service_area")
    expected = rows(oracle.expected_response_rates(responses, "2023", release), "service_area").set_index(
        "service_area"
    )
    small = expected.index[expected["hidden"]]
    assert len(small) >= 5 and len(small) < len(expected)
    hidden = frame.loc[small]
    assert hidden["hidden"].all()
    assert hidden["responses"].isna().all() and hidden["rate"].isna().all()
    # One reason, whatever the cause, and nothing about how many answered.
    assert (hidden["hidden_reason"] == disclosure.HIDDEN).all()
    assert hidden["note"].str.startswith(disclosure.HIDDEN).all()
    assert not hidden["note"].str.contains(r"\d").any()
    shown = frame.drop(index=small)
    assert (~shown["hidden"]).all() and shown["responses"].notna().all()
    assert not shown["note"].str.contains("hidden|not yet|too few").any()
    # The download carries no figure of a hidden area either.
    table = response_rates_view.table(frame.reset_index())
    assert table.loc[table["Service area"].isin(small), ["Responses", "Response rate (%)"]].isna().all().all()


def test_an_open_wave_says_not_yet_reportable_and_nothing_more(database, responses, release) -> None:
    options = options_of(database)
    closed = response_rates.rates(database, options, "2023", today=AFTER_EVERY_WAVE)
    frame = response_rates.rates(database, options, "2023", today=WHILE_2023_IS_OPEN)
    expected = oracle.expected_response_rates(responses, "2023", release)
    areas = rows(frame, "service_area").set_index("service_area")
    want = rows(expected, "service_area").set_index("service_area")
    waiting = want.index[want["hidden"]]
    assert len(waiting)
    for area in waiting:
        # No "about N more": a hidden area looks the same whether it holds nobody or a few.
        assert areas.loc[area, "hidden_reason"] == response_rates.NOT_YET
        note = areas.loc[area, "note"]
        assert note in (response_rates.NOT_YET, f"{response_rates.NOT_YET}; {response_rates.NO_HEADCOUNT}"), area
        assert pd.isna(areas.loc[area, "responses"]) and pd.isna(areas.loc[area, "rate"])
    # Everything else is as after the wave.
    pd.testing.assert_frame_equal(
        frame.drop(columns=["note", "hidden_reason"]), closed.drop(columns=["note", "hidden_reason"])
    )
    assert (closed.loc[closed["hidden"], "hidden_reason"] == disclosure.HIDDEN).all()
    assert not frame.loc[~frame["hidden"], "note"].str.contains("not yet").any()


def test_a_wave_is_open_up_to_and_on_its_closed_day() -> None:
    options = Options(
        {},
        dt.date(2023, 3, 1),
        dt.date(2023, 5, 31),
        waves=("2023",),
        wave_dates={"2023": (dt.date(2023, 3, 1), dt.date(2023, 5, 31))},
    )
    assert response_rates.is_open(options, "2023", dt.date(2023, 5, 31))
    assert not response_rates.is_open(options, "2023", dt.date(2023, 6, 1))
    assert not response_rates.is_open(options, "1999", dt.date(2023, 4, 1))


# --------------------------------------------------------------------------- which rows


def test_the_areas_argument_and_the_filters_pick_the_area_rows(database, responses) -> None:
    options = options_of(database)
    every = response_rates.rates(database, options, "2021", today=AFTER_EVERY_WAVE)
    picked = ("Finance", "Adult ADHD service")
    frame = response_rates.rates(database, options, "2021", areas=picked, today=AFTER_EVERY_WAVE)
    assert sorted(rows(frame, "service_area")["service_area"]) == sorted(picked)
    assert rows(frame, "care_group")["care_group"].tolist() == ["Adult mental health", "Corporate services"]
    # Totals are of the whole care group and Trust, whichever areas are listed.
    for level in ("care_group", "trust"):
        mine = rows(frame, level).set_index("care_group")
        assert mine.equals(rows(every, level).set_index("care_group").loc[mine.index])

    listed = response_rates.listed_areas(Filters(care_groups=("Corporate services",)), options)
    assert set(listed) == set(options.areas_by_care_group["Corporate services"]) and "Finance" in listed
    assert response_rates.listed_areas(Filters(care_groups=("Corporate services",)), options, picked) == ("Finance",)
    assert response_rates.listed_areas(Filters(service_areas=("Payroll",)), options, picked) == ()
    assert response_rates.listed_areas(Filters(), options) == tuple(
        sorted(a for g in options.care_groups for a in options.areas_by_care_group[g])
    )
    # Survey, staff group and months do not narrow a headcount's responses.
    narrowed = Filters(surveys=("Carer",), staff_groups=("Nursing",), date_from=dt.date(2021, 3, 1))
    assert response_rates.listed_areas(narrowed, options) == response_rates.listed_areas(Filters(), options)
    nothing = response_rates.rates(database, options, "2021", areas=(), today=AFTER_EVERY_WAVE)
    assert nothing["level"].tolist() == ["trust"]


# --------------------------------------------------------------------------- the section on a page


def _section_script() -> None:
    from dashboard.render import response_rates_view, ui

    page = ui.page_setup("Response rates test", script=__file__)
    response_rates_view.render(page, areas=("Finance", "Payroll", "Adult ADHD service"))


@pytest.mark.slow
def test_the_section_draws_its_heading_sentence_table_and_downloads(demo_env, responses, release) -> None:
    at = AppTest.from_function(_section_script, default_timeout=60)
    at.query_params["wave"] = "2021"
    at.run()
    assert not at.exception, at.exception
    assert [s.value for s in at.main.header] == ["Response rates"]
    texts = " ".join(m.value for m in at.markdown)
    assert "says so and nothing more" in texts and "add up the areas that are shown" in texts
    assert "more responses needed" not in texts
    assert "the survey, staff group and month filters do not apply" in texts
    (table,) = [d.value for d in at.dataframe]
    assert list(table.columns) == ["Service area", "Care group", "Headcount", "Responses", "Response rate (%)", "Note"]
    assert table["Service area"].tolist()[:3] == ["Adult ADHD service", "Finance", "Payroll"]
    assert table["Care group"].tolist()[-1] == response_rates.TRUST
    expected = oracle.expected_response_rates(responses, "2021", release)
    trust = rows(expected, "trust").iloc[0]
    assert (int(table["Responses"].iloc[-1]), int(table["Response rate (%)"].iloc[-1])) == (
        trust["responses"],
        trust["rate"],
    )
    assert len([b for b in at.get("download_button")]) == 2
    assert not any("is open until" in m.value for m in at.markdown)


def _open_wave_script() -> None:
    import datetime as dt

    from dashboard.render import response_rates_view, ui

    page = ui.page_setup("Response rates test", script=__file__)
    response_rates_view.render(page, today=dt.date(2023, 4, 1))


@pytest.mark.slow
def test_the_section_says_which_rows_are_not_yet_reportable_while_the_wave_is_open(
    demo_env, responses, release
) -> None:
    at = AppTest.from_function(_open_wave_script, default_timeout=60)
    at.query_params["wave"] = "2023"
    at.query_params["care_group"] = "Corporate services"
    at.run()
    assert not at.exception, at.exception
    (table,) = [d.value for d in at.dataframe]
    expected = rows(oracle.expected_response_rates(responses, "2023", release), "service_area")
    waiting = set(expected.loc[(expected["care_group"] == "Corporate services") & expected["hidden"], "service_area"])
    notes = table.set_index("Service area").loc[sorted(waiting), "Note"]
    assert len(waiting) and notes.str.startswith(response_rates.NOT_YET).all()
    assert not notes.str.contains(r"\d").any()  # nothing about how many have answered
    (said,) = [m.value for m in at.markdown if "is open until" in m.value]
    assert "31 May 2023" in said and f"Not yet reportable: {len(waiting)} of the {len(table)} rows" in said
