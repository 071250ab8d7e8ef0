"""The shared filters as pure values: URL parameters in and out, SQL parameters, narrowing.

Dates are picked by whole month: ``from=2021-03&to=2021-05`` is March 1 to May 31. A link
with a day opens widened to its month, with a notice; anything else that is not a month of
the data is refused with a notice and never reaches a query.
"""

from __future__ import annotations

import calendar
import dataclasses
import datetime as dt

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import demo.model as demo_model
from dashboard.core.dimensions import ALL_PARAMETERS, LIST_DIMENSIONS
from dashboard.core.filters import (
    MAX_PARAMETER_CHARS,
    Filters,
    Options,
    from_query_params,
    month_end,
    month_start,
    months,
    to_query_params,
)
from dashboard.core.text import escape_markdown

AMH = "Adult mental health"
CHS = "Community health services"
CYP = "Children, young people and families"
OPTIONS = Options(
    areas_by_care_group={
        AMH: ("Liaison psychiatry", "Ward A"),
        CHS: ("District nursing", "Podiatry"),
        CYP: ("School nursing",),
    },
    first_day=dt.date(2021, 2, 1),
    last_day=dt.date(2021, 6, 30),
    care_groups=demo_model.CARE_GROUPS,
    surveys=demo_model.SURVEYS,
    staff_groups=demo_model.STAFF_GROUPS,
)
LONG = "Nursing" + "x" * 10_000


@pytest.mark.parametrize(
    ("params", "expected", "rejected"),
    [
        pytest.param({}, Filters(), [], id="nothing"),
        pytest.param({"care_group": [AMH]}, Filters(care_groups=(AMH,)), [], id="one care group"),
        pytest.param({"care_group": [AMH, CHS, AMH]}, Filters(care_groups=(AMH, CHS)), [], id="repeats kept once"),
        pytest.param({"care_group": ["Nope"]}, Filters(), [("care_group", "Nope")], id="unknown care group"),
        pytest.param({"care_group": [AMH.upper()]}, Filters(), [("care_group", AMH.upper())], id="case must match"),
        pytest.param({"care_group": [f" {AMH}"]}, Filters(), [("care_group", f" {AMH}")], id="spaces must match"),
        pytest.param({"care_group": [""]}, Filters(), [], id="empty value ignored"),
        pytest.param({"survey": ["' or 1=1 --"]}, Filters(), [("survey", "' or 1=1 --")], id="sql fragment"),
        pytest.param(
            {"survey": ["Staff'; drop table survey_responses; --", "Staff"]},
            Filters(surveys=("Staff",)),
            [("survey", "Staff'; drop table survey_responses; --")],
            id="sql fragment beside a good value",
        ),
        pytest.param(
            {"staff_group": ['Nursing" or "1"="1']},
            Filters(),
            [("staff_group", 'Nursing" or "1"="1')],
            id="double quotes",
        ),
        pytest.param({"staff_group": ["O'Brien"]}, Filters(), [("staff_group", "O'Brien")], id="apostrophe"),
        pytest.param({"staff_group": [LONG]}, Filters(), [("staff_group", LONG)], id="very long value"),
        pytest.param(
            {"staff_group": ["Nursing", "Management"]},
            Filters(staff_groups=("Nursing", "Management")),
            [],
            id="repeatable staff group",
        ),
        pytest.param(
            {"service_area": ["Ward A"]}, Filters(service_areas=("Ward A",)), [], id="area with no care group"
        ),
        pytest.param(
            {"care_group": [AMH], "service_area": ["Ward A"]},
            Filters(care_groups=(AMH,), service_areas=("Ward A",)),
            [],
            id="area inside its care group",
        ),
        pytest.param(
            {"care_group": [CHS], "service_area": ["Ward A", "Podiatry"]},
            Filters(care_groups=(CHS,), service_areas=("Podiatry",)),
            [("service_area", "Ward A")],
            id="area outside the chosen care group",
        ),
        pytest.param(
            {"care_group": ["Nope"], "service_area": ["Ward A"]},
            Filters(service_areas=("Ward A",)),
            [("care_group", "Nope")],
            id="unknown care group does not narrow areas",
        ),
        pytest.param({"service_area": ["Nowhere"]}, Filters(), [("service_area", "Nowhere")], id="unknown area"),
        pytest.param(
            {"from": ["2021-03"], "to": ["2021-05"]},
            Filters(date_from=dt.date(2021, 3, 1), date_to=dt.date(2021, 5, 31)),
            [],
            id="months",
        ),
        pytest.param({"from": ["2021-03"]}, Filters(date_from=dt.date(2021, 3, 1)), [], id="from month"),
        pytest.param({"to": ["2021-04"]}, Filters(date_to=dt.date(2021, 4, 30)), [], id="to month"),
        pytest.param(
            {"from": ["2021-02"], "to": ["2021-06"]},
            Filters(date_from=dt.date(2021, 2, 1), date_to=dt.date(2021, 6, 30)),
            [],
            id="whole range",
        ),
        pytest.param({"to": ["2021-02"]}, Filters(date_to=dt.date(2021, 2, 28)), [], id="February has 28 days"),
        pytest.param({"from": ["2021-3"]}, Filters(), [("from", "2021-3")], id="month not as the box writes it"),
        pytest.param({"from": ["2021-13"]}, Filters(), [("from", "2021-13")], id="no month 13"),
        pytest.param({"from": ["2021-00"]}, Filters(), [("from", "2021-00")], id="no month 0"),
        pytest.param({"from": ["March 2021"]}, Filters(), [("from", "March 2021")], id="month name"),
        pytest.param({"from": ["15/03/2021"]}, Filters(), [("from", "15/03/2021")], id="UK date not in links"),
        pytest.param({"from": ["2021-02-30"]}, Filters(), [("from", "2021-02-30")], id="no such day"),
        pytest.param({"from": ["2021-W09-1"]}, Filters(), [("from", "2021-W09-1")], id="ISO week date"),
        pytest.param({"from": ["20210301"]}, Filters(), [("from", "20210301")], id="basic ISO format"),
        pytest.param({"from": ["202103"]}, Filters(), [("from", "202103")], id="basic ISO month"),
        pytest.param({"to": ["2021-03-01T00:00"]}, Filters(), [("to", "2021-03-01T00:00")], id="date and time"),
        pytest.param({"to": ["2021-03 "]}, Filters(), [("to", "2021-03 ")], id="trailing space"),
        pytest.param({"to": ["tomorrow"]}, Filters(), [("to", "tomorrow")], id="not a date"),
        pytest.param({"to": ["2021-05' or 1=1 --"]}, Filters(), [("to", "2021-05' or 1=1 --")], id="sql after a month"),
        pytest.param({"from": ["2021-01"]}, Filters(), [("from", "2021-01")], id="month before the data"),
        pytest.param({"to": ["2021-07"]}, Filters(), [("to", "2021-07")], id="month after the data"),
        pytest.param({"from": ["2020-12-31"]}, Filters(), [("from", "2020-12-31")], id="day before the data"),
        pytest.param({"to": ["2021-07-01"]}, Filters(), [("to", "2021-07-01")], id="day after the data"),
        pytest.param(
            {"from": ["2021-03", "2021-04"]},
            Filters(date_from=dt.date(2021, 4, 1)),
            [("from", "2021-03")],
            id="two from months: the last is used, as the box does",
        ),
        pytest.param(
            {"from": ["2021-03", "nope"]},
            Filters(),
            [("from", "2021-03"), ("from", "nope")],
            id="a bad last value: no month, all refused",
        ),
        pytest.param({"from": ["2021-03", ""]}, Filters(), [("from", "2021-03")], id="an empty last value: no month"),
        pytest.param({"from": ["", "2021-03"]}, Filters(date_from=dt.date(2021, 3, 1)), [], id="empty value ignored"),
        pytest.param(
            {"from": ["2021-05"], "to": ["2021-03"]},
            Filters(date_from=dt.date(2021, 5, 1), date_to=dt.date(2021, 3, 31)),
            [],
            id="from after to: applied as given (the sidebar says nothing matches)",
        ),
        pytest.param(
            {"utm_source": ["newsletter"], "breakdown": ["Staff group"]},
            Filters(),
            [],
            id="other parameters left alone",
        ),
    ],
)
def test_from_query_params(params: dict[str, list[str]], expected: Filters, rejected: list[tuple[str, str]]) -> None:
    parsed = from_query_params(params, OPTIONS)
    assert parsed.filters == expected
    assert list(parsed.rejected) == rejected
    assert parsed.widened == ()
    assert len(parsed.notices()) == len(rejected)


def _last_day(year: int, month: int) -> dt.date:
    return dt.date(year, month, calendar.monthrange(year, month)[1])


@pytest.mark.parametrize(
    ("params", "expected", "widened"),
    [
        pytest.param(
            {"from": ["2021-03-14"]},
            Filters(date_from=dt.date(2021, 3, 1)),
            [("from", "2021-03-14", "2021-03")],
            id="from day",
        ),
        pytest.param(
            {"to": ["2021-04-02"]},
            Filters(date_to=dt.date(2021, 4, 30)),
            [("to", "2021-04-02", "2021-04")],
            id="to day",
        ),
        pytest.param(
            {"from": ["2021-03-14"], "to": ["2021-05-02"]},
            Filters(date_from=dt.date(2021, 3, 1), date_to=dt.date(2021, 5, 31)),
            [("from", "2021-03-14", "2021-03"), ("to", "2021-05-02", "2021-05")],
            id="both days",
        ),
        pytest.param(
            {"from": ["2021-02-01"], "to": ["2021-06-30"]},
            Filters(date_from=dt.date(2021, 2, 1), date_to=dt.date(2021, 6, 30)),
            [("from", "2021-02-01", "2021-02"), ("to", "2021-06-30", "2021-06")],
            id="days already on the month bounds are still a notice",
        ),
        pytest.param(
            {"from": ["2021-3-1"]},
            Filters(date_from=dt.date(2021, 3, 1)),
            [("from", "2021-3-1", "2021-03")],
            id="short day",
        ),
        pytest.param(
            {"to": ["2021/03/05"]},
            Filters(date_to=dt.date(2021, 3, 31)),
            [("to", "2021/03/05", "2021-03")],
            id="day with slashes",
        ),
        pytest.param(
            {"to": ["2021-02-28"]},
            Filters(date_to=dt.date(2021, 2, 28)),
            [("to", "2021-02-28", "2021-02")],
            id="last day of February",
        ),
    ],
)
def test_a_day_in_a_link_opens_its_whole_month_with_a_notice(
    params: dict[str, list[str]], expected: Filters, widened: list[tuple[str, str, str]]
) -> None:
    parsed = from_query_params(params, OPTIONS)
    assert parsed.filters == expected
    assert parsed.rejected == ()
    assert list(parsed.widened) == widened
    notices = parsed.notices()
    assert len(notices) == len(widened)
    for notice, (name, day, month) in zip(notices, widened):
        year, number = map(int, month.split("-"))
        assert f"{name}=" in notice and day in notice, notice
        assert f"{calendar.month_name[number]} {year}" in notice, notice
        assert "whole month" in notice


def test_a_day_and_a_refused_value_give_one_notice_each() -> None:
    parsed = from_query_params({"from": ["2021-01", "2021-03-14"], "to": ["2021-13"]}, OPTIONS)
    assert parsed.filters == Filters(date_from=dt.date(2021, 3, 1))
    assert list(parsed.rejected) == [("from", "2021-01"), ("to", "2021-13")]
    assert list(parsed.widened) == [("from", "2021-03-14", "2021-03")]
    notices = parsed.notices()
    assert len(notices) == 3
    assert sum(n.startswith("Ignored ") for n in notices) == 2


@pytest.mark.parametrize("value", ["Nope", "' or 1=1 --", LONG, "<script>alert(1)</script>"])
def test_notice_names_the_parameter_and_stays_short(value: str) -> None:
    (notice,) = from_query_params({"care_group": [value]}, OPTIONS).notices()
    assert notice.startswith("Ignored care_group=")
    assert "not a known value" in notice
    assert len(notice) < 150
    assert (escape_markdown(repr(value)) in notice) == (len(value) <= 60)


@pytest.mark.parametrize("value", ["2021-03' or 1=1 --", "[x](https://evil.example)", "**2021-03**", LONG])
def test_a_refused_month_is_named_as_plain_text(value: str) -> None:
    (notice,) = from_query_params({"to": [value]}, OPTIONS).notices()
    assert notice.startswith("Ignored to=")
    assert len(notice) < 150
    assert (escape_markdown(repr(value)) in notice) == (len(value) <= 60)


def test_max_parameter_chars_is_more_than_any_real_label() -> None:
    labels = [*OPTIONS.care_groups, *OPTIONS.surveys, *OPTIONS.staff_groups, *OPTIONS.service_areas()]
    assert max(map(len, labels)) < MAX_PARAMETER_CHARS


def test_months_offered_are_every_month_of_the_data() -> None:
    assert months(OPTIONS) == ("2021-02", "2021-03", "2021-04", "2021-05", "2021-06")
    across_a_year = Options(areas_by_care_group={}, first_day=dt.date(2020, 11, 30), last_day=dt.date(2021, 1, 1))
    assert months(across_a_year) == ("2020-11", "2020-12", "2021-01")


@given(st.dates(dt.date(1990, 1, 1), dt.date(2100, 12, 31)))
def test_month_start_and_end_bound_the_day(day: dt.date) -> None:
    assert month_start(day) == dt.date(day.year, day.month, 1)
    assert month_end(day) == _last_day(day.year, day.month)


@pytest.mark.parametrize(
    ("filters", "expected"),
    [
        pytest.param(Filters(), {}, id="defaults leave the link clean"),
        pytest.param(Filters(care_groups=(AMH, CHS)), {"care_group": [AMH, CHS]}, id="care groups"),
        pytest.param(
            Filters(service_areas=("Ward A",), surveys=("Carer",), staff_groups=("Nursing", "Management")),
            {"service_area": ["Ward A"], "survey": ["Carer"], "staff_group": ["Nursing", "Management"]},
            id="lists",
        ),
        pytest.param(
            Filters(date_from=dt.date(2021, 3, 1), date_to=dt.date(2021, 4, 30)),
            {"from": ["2021-03"], "to": ["2021-04"]},
            id="months",
        ),
        pytest.param(
            Filters(date_from=dt.date(2021, 2, 1), date_to=dt.date(2021, 6, 30)),
            {},
            id="first and last month are the defaults",
        ),
    ],
)
def test_to_query_params(filters: Filters, expected: dict[str, list[str]]) -> None:
    assert to_query_params(filters, OPTIONS) == expected


@pytest.mark.parametrize(
    "filters",
    [
        Filters(),
        Filters(care_groups=(AMH,), service_areas=("Liaison psychiatry", "Ward A")),
        Filters(surveys=("Staff", "Digital champion"), staff_groups=("Nursing",)),
        Filters(date_from=dt.date(2021, 3, 1), date_to=dt.date(2021, 3, 31)),
        Filters(date_from=dt.date(2021, 5, 1), date_to=dt.date(2021, 3, 31)),
        Filters(
            care_groups=(CYP,), service_areas=("School nursing",), surveys=("Carer",), date_to=dt.date(2021, 5, 31)
        ),
    ],
)
def test_link_round_trip(filters: Filters) -> None:
    parsed = from_query_params(to_query_params(filters, OPTIONS), OPTIONS)
    assert parsed.filters == filters
    assert parsed.rejected == () and parsed.widened == ()


MONTH_STARTS = [dt.date(2021, m, 1) for m in range(3, 7)]  # From: every month but the first (the default)
MONTH_ENDS = [_last_day(2021, m) for m in range(2, 6)]  # To: every month but the last (the default)


@settings(max_examples=60, deadline=None)
@given(
    care_groups=st.lists(st.sampled_from(sorted(OPTIONS.areas_by_care_group)), unique=True, max_size=2),
    surveys=st.lists(st.sampled_from(OPTIONS.surveys), unique=True, max_size=2),
    staff_groups=st.lists(st.sampled_from(OPTIONS.staff_groups), unique=True, max_size=2),
    date_from=st.one_of(st.none(), st.sampled_from(MONTH_STARTS)),
    date_to=st.one_of(st.none(), st.sampled_from(MONTH_ENDS)),
    data=st.data(),
)
def test_any_view_round_trips_through_its_link(care_groups, surveys, staff_groups, date_from, date_to, data) -> None:
    areas = data.draw(st.lists(st.sampled_from(OPTIONS.service_areas(care_groups)), unique=True, max_size=2))
    filters = Filters(tuple(care_groups), tuple(areas), tuple(surveys), tuple(staff_groups), date_from, date_to)
    params = to_query_params(filters, OPTIONS)
    assert all(len(v) == 7 for name in ("from", "to") for v in params.get(name, ())), params  # 2021-03
    parsed = from_query_params(params, OPTIONS)
    assert parsed.filters == filters
    assert parsed.rejected == () and parsed.widened == ()


@given(
    day_from=st.dates(dt.date(2021, 2, 1), dt.date(2021, 6, 30)),
    day_to=st.dates(dt.date(2021, 2, 1), dt.date(2021, 6, 30)),
)
def test_a_day_link_reopens_as_the_month_link(day_from: dt.date, day_to: dt.date) -> None:
    """A link with days opens the whole months; the link the page then writes opens the same view, without notice."""
    widened = from_query_params({"from": [day_from.isoformat()], "to": [day_to.isoformat()]}, OPTIONS)
    assert widened.filters.date_from == dt.date(day_from.year, day_from.month, 1)
    assert widened.filters.date_to == _last_day(day_to.year, day_to.month)
    again = from_query_params(to_query_params(widened.filters, OPTIONS), OPTIONS)
    assert (again.filters.date_from or dt.date(2021, 2, 1)) == widened.filters.date_from
    assert (again.filters.date_to or dt.date(2021, 6, 30)) == widened.filters.date_to
    assert again.notices() == []


HOSTILE = [
    "' or 1=1 --",
    "2021-03'); drop table survey_responses; --",
    "$date_from",
    "2021-03\x00",
    "２０２１-０３",
    "2021-03-01 00:00",
    "-1",
    "9999-12",
    "0001-01",
]


@pytest.mark.parametrize("value", HOSTILE)
def test_a_hostile_month_never_reaches_the_sql_parameters(value: str) -> None:
    parsed = from_query_params({"from": [value], "to": [value], "care_group": [value]}, OPTIONS)
    assert parsed.filters == Filters()
    assert len(parsed.rejected) == 3
    params = parsed.filters.sql_params()
    assert params["date_from"] == dt.date.min and params["date_to"] == dt.date.max
    assert all(value not in v for v in params.values() if isinstance(v, list))


def test_sql_params_bind_months_as_dates() -> None:
    parsed = from_query_params({"from": ["2021-03"], "to": ["2021-05"]}, OPTIONS)
    params = parsed.filters.sql_params()
    # The first day of From's month and the last of To's: dates, bound, never text pasted into SQL.
    assert params["date_from"] == dt.date(2021, 3, 1) and type(params["date_from"]) is dt.date
    assert params["date_to"] == dt.date(2021, 5, 31) and type(params["date_to"]) is dt.date


def test_sql_params_bind_values_as_given() -> None:
    params = Filters(care_groups=("O'Brien ward",), staff_groups=("' or 1=1 --",)).sql_params()
    # Values go to DuckDB as bound lists, unquoted and unescaped: SQL text never holds them.
    assert params["care_groups"] == ["O'Brien ward"]
    assert params["staff_groups"] == ["' or 1=1 --"]
    assert params["service_areas"] == [] and params["surveys"] == []
    assert params["date_from"] == dt.date.min and params["date_to"] == dt.date.max


def test_engagement_params_have_no_survey() -> None:
    params = Filters(surveys=("Staff",)).engagement_params()
    assert "surveys" not in params
    assert set(params) == {"care_groups", "service_areas", "staff_groups", "date_from", "date_to"}


@pytest.mark.parametrize(
    ("care_groups", "areas"),
    [
        ((), ("District nursing", "Liaison psychiatry", "Podiatry", "School nursing", "Ward A")),
        ((AMH,), ("Liaison psychiatry", "Ward A")),
        ((CHS, CYP), ("District nursing", "Podiatry", "School nursing")),
        (("Corporate services",), ()),
    ],
)
def test_service_areas_narrowed_by_care_group(care_groups: tuple[str, ...], areas: tuple[str, ...]) -> None:
    assert OPTIONS.service_areas(care_groups) == areas


def test_care_group_of() -> None:
    assert OPTIONS.care_group_of("Podiatry") == CHS
    assert OPTIONS.care_group_of("Nowhere") is None


@pytest.mark.parametrize(
    ("filters", "words"),
    [
        (Filters(), ["No filters"]),
        (Filters(care_groups=(AMH,), surveys=("Staff",)), ["Care group: Adult mental health", "Survey: Staff"]),
        (Filters(date_from=dt.date(2021, 3, 1)), ["Months: March 2021 to end"]),
        (Filters(date_from=dt.date(2021, 3, 1), date_to=dt.date(2021, 5, 31)), ["Months: March 2021 to May 2021"]),
        (Filters(date_to=dt.date(2021, 4, 30)), ["Months: start to April 2021"]),
    ],
)
def test_describe(filters: Filters, words: list[str]) -> None:
    text = filters.describe()
    assert all(word in text for word in words), text


def test_is_empty() -> None:
    assert Filters().is_empty
    assert not Filters(surveys=("Staff",)).is_empty
    assert not Filters(date_to=dt.date(2021, 4, 30)).is_empty


def test_every_dimension_is_a_filters_field_a_link_name_a_bound_parameter_and_words() -> None:
    """The table of dimensions is the one list: each is a field of Filters, read from and written to
    links by its parameter, bound to the queries by its field's name, and named in descriptions."""
    fields = {f.name for f in dataclasses.fields(Filters)}
    for dimension in LIST_DIMENSIONS:
        assert dimension.field in fields
        picked = (dimension.choices(OPTIONS, {})[0],)
        filters = dataclasses.replace(Filters(), **{dimension.field: picked})
        assert filters.picked(dimension.parameter) == picked
        assert to_query_params(filters, OPTIONS)[dimension.parameter] == list(picked)
        assert from_query_params({dimension.parameter: list(picked)}, OPTIONS).filters == filters
        assert f"{dimension.label}: {picked[0]}" in filters.describe()
        assert filters.sql_params()[dimension.field] == list(picked)
        assert (dimension.field in filters.engagement_params()) == dimension.engagement
    assert ALL_PARAMETERS[: len(LIST_DIMENSIONS)] == tuple(d.parameter for d in LIST_DIMENSIONS)
