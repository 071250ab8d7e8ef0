"""The shared filters as pure values: URL parameters in and out, SQL parameters, narrowing."""

from __future__ import annotations

import datetime as dt

import pytest

from dashboard.text import escape_markdown
from dashboard.filters import MAX_PARAMETER_CHARS, Filters, Options, from_query_params, to_query_params

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
            {"survey": ["Staff'; drop table survey_responses; --", "Staff"]}, Filters(surveys=("Staff",)),
            [("survey", "Staff'; drop table survey_responses; --")], id="sql fragment beside a good value",
        ),
        pytest.param({"staff_group": ['Nursing" or "1"="1']}, Filters(), [("staff_group", 'Nursing" or "1"="1')],
                     id="double quotes"),
        pytest.param({"staff_group": ["O'Brien"]}, Filters(), [("staff_group", "O'Brien")], id="apostrophe"),
        pytest.param({"staff_group": [LONG]}, Filters(), [("staff_group", LONG)], id="very long value"),
        pytest.param({"staff_group": ["Nursing", "Management"]}, Filters(staff_groups=("Nursing", "Management")), [],
                     id="repeatable staff group"),
        pytest.param({"service_area": ["Ward A"]}, Filters(service_areas=("Ward A",)), [], id="area with no care group"),
        pytest.param({"care_group": [AMH], "service_area": ["Ward A"]},
                     Filters(care_groups=(AMH,), service_areas=("Ward A",)), [], id="area inside its care group"),
        pytest.param({"care_group": [CHS], "service_area": ["Ward A", "Podiatry"]},
                     Filters(care_groups=(CHS,), service_areas=("Podiatry",)), [("service_area", "Ward A")],
                     id="area outside the chosen care group"),
        pytest.param({"care_group": ["Nope"], "service_area": ["Ward A"]}, Filters(service_areas=("Ward A",)),
                     [("care_group", "Nope")], id="unknown care group does not narrow areas"),
        pytest.param({"service_area": ["Nowhere"]}, Filters(), [("service_area", "Nowhere")], id="unknown area"),
        pytest.param({"from": ["2021-03-01"]}, Filters(date_from=dt.date(2021, 3, 1)), [], id="from date"),
        pytest.param({"to": ["2021-04-30"]}, Filters(date_to=dt.date(2021, 4, 30)), [], id="to date"),
        pytest.param({"from": ["2021-02-01"], "to": ["2021-06-30"]},
                     Filters(date_from=dt.date(2021, 2, 1), date_to=dt.date(2021, 6, 30)), [], id="whole range"),
        pytest.param({"from": ["15/03/2021"]}, Filters(), [("from", "15/03/2021")], id="UK date not in links"),
        pytest.param({"from": ["2021-02-30"]}, Filters(), [("from", "2021-02-30")], id="no such day"),
        pytest.param({"from": ["2021-3-1"]}, Filters(date_from=dt.date(2021, 3, 1)), [], id="short date, as the widget reads it"),
        pytest.param({"from": ["2021/03/01"]}, Filters(date_from=dt.date(2021, 3, 1)), [], id="slashes, as the widget reads it"),
        pytest.param({"from": ["2021-W09-1"]}, Filters(), [("from", "2021-W09-1")], id="ISO week date"),
        pytest.param({"from": ["20210301"]}, Filters(), [("from", "20210301")], id="basic ISO format"),
        pytest.param({"to": ["2021-03-01T00:00"]}, Filters(), [("to", "2021-03-01T00:00")], id="date and time"),
        pytest.param({"to": ["tomorrow"]}, Filters(), [("to", "tomorrow")], id="not a date"),
        pytest.param({"from": ["2020-12-31"]}, Filters(), [("from", "2020-12-31")], id="before the data"),
        pytest.param({"to": ["2021-07-01"]}, Filters(), [("to", "2021-07-01")], id="after the data"),
        pytest.param({"from": ["2021-03-01", "2021-04-01"]}, Filters(date_from=dt.date(2021, 3, 1)),
                     [("from", "2021-04-01")], id="two from dates: the first is used"),
        pytest.param({"from": ["2021-03-01", "nope"]}, Filters(),
                     [("from", "2021-03-01"), ("from", "nope")], id="a bad date among several: all ignored"),
        pytest.param({"from": ["2021-05-01"], "to": ["2021-03-01"]},
                     Filters(date_from=dt.date(2021, 5, 1), date_to=dt.date(2021, 3, 1)), [],
                     id="from after to: applied as given"),
        pytest.param({"utm_source": ["newsletter"], "breakdown": ["Staff group"]}, Filters(), [],
                     id="other parameters left alone"),
    ],
)
def test_from_query_params(params: dict[str, list[str]], expected: Filters, rejected: list[tuple[str, str]]) -> None:
    parsed = from_query_params(params, OPTIONS)
    assert parsed.filters == expected
    assert list(parsed.rejected) == rejected
    assert len(parsed.notices()) == len(rejected)


@pytest.mark.parametrize("value", ["Nope", "' or 1=1 --", LONG, "<script>alert(1)</script>"])
def test_notice_names_the_parameter_and_stays_short(value: str) -> None:
    (notice,) = from_query_params({"care_group": [value]}, OPTIONS).notices()
    assert notice.startswith("Ignored care_group=")
    assert "not a known value" in notice
    assert len(notice) < 150
    assert (escape_markdown(repr(value)) in notice) == (len(value) <= 60)


def test_max_parameter_chars_is_more_than_any_real_label() -> None:
    labels = [*OPTIONS.care_groups, *OPTIONS.surveys, *OPTIONS.staff_groups, *OPTIONS.service_areas()]
    assert max(map(len, labels)) < MAX_PARAMETER_CHARS


@pytest.mark.parametrize(
    ("filters", "expected"),
    [
        pytest.param(Filters(), {}, id="defaults leave the link clean"),
        pytest.param(Filters(care_groups=(AMH, CHS)), {"care_group": [AMH, CHS]}, id="care groups"),
        pytest.param(Filters(service_areas=("Ward A",), surveys=("Carer",), staff_groups=("Nursing", "Management")),
                     {"service_area": ["Ward A"], "survey": ["Carer"], "staff_group": ["Nursing", "Management"]},
                     id="lists"),
        pytest.param(Filters(date_from=dt.date(2021, 3, 1), date_to=dt.date(2021, 4, 30)),
                     {"from": ["2021-03-01"], "to": ["2021-04-30"]}, id="dates"),
        pytest.param(Filters(date_from=OPTIONS.first_day, date_to=OPTIONS.last_day), {}, id="dates at the bounds"),
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
        Filters(date_from=dt.date(2021, 3, 1), date_to=dt.date(2021, 3, 1)),
        Filters(care_groups=(CYP,), service_areas=("School nursing",), surveys=("Carer",), date_to=dt.date(2021, 5, 31)),
    ],
)
def test_link_round_trip(filters: Filters) -> None:
    parsed = from_query_params(to_query_params(filters, OPTIONS), OPTIONS)
    assert parsed.filters == filters
    assert parsed.rejected == ()


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
        (Filters(date_from=dt.date(2021, 3, 1)), ["Dates: 2021-03-01 to end"]),
    ],
)
def test_describe(filters: Filters, words: list[str]) -> None:
    text = filters.describe()
    assert all(word in text for word in words)


def test_is_empty() -> None:
    assert Filters().is_empty
    assert not Filters(surveys=("Staff",)).is_empty
    assert not Filters(date_to=dt.date(2021, 4, 1)).is_empty
