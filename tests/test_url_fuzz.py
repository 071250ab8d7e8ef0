"""Hostile page links: whatever the URL's query string holds, the app shows a notice, not an error,
and its numbers are those of the valid values alone; no hostile value ever reaches a query.

Hypothesis builds links mixing valid filter values with SQL fragments, quotes, 10,000-character
values, unicode, control characters and unknown parameter names, and runs app.py (and one survey
page) under AppTest against the demo database. The expected numbers are computed with pandas
straight from the demo extracts, from the valid values only: engagement here, the released
survey figures by tests/oracle.py (perturbed counts summed over the groups the build released).
Every call into the database is recorded, and none may carry a hostile value.

Survey figures are whole-wave: the months of a link narrow the engagement figures (and the months
a trend lists), never a survey figure; a page with months picked says so.

Dates are whole months (``from=2021-03&to=2021-05``); a day in a link opens its whole month, with
a notice saying so, and the sidebar's month boxes show the months applied. Links at the edges
(several months, From after To, days written in other ways) are checked case by case at the end.
A link may also name the survey wave (``wave=``; default the latest, or, for a link with months and
no wave, the one wave its months fall in) and the wave it is compared with (``compare=``, or
``none``): a refused one gets its notice like any other value.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from unittest import mock

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from streamlit.testing.v1 import AppTest

import demo.model as demo_model
from dashboard.core import db, engagement_cube, measures
from dashboard.core.filters import NO_COMPARISON, Filters
from dashboard.core.measures import OVERVIEW_ENGAGEMENT
from dashboard.core.text import escape_markdown
from pipeline import contract
from tests import oracle
from tests.conftest import DEMO_EXTRACTS, ROOT

pytestmark = pytest.mark.slow

APP = str(ROOT / "app.py")
SURVEY_PAGE = ROOT / "pages" / "1_Digital_skills.py"
LIST_NAMES = ("care_group", "service_area", "survey", "staff_group")
DATE_NAMES = ("from", "to")
WAVE_NAMES = ("wave", "compare")
KNOWN_NAMES = LIST_NAMES + DATE_NAMES + WAVE_NAMES
PAGE_NAMES = ("breakdown", "question")  # a survey page's own link parameters: their widgets keep valid values only

SQL = [
    "' or 1=1 --",
    "'; drop table actions; --",
    "Staff'; drop table survey_responses; --",
    '" or "1"="1',
    "Nursing' union select * from rejects --",
    "$care_groups",
    "1); select 1; --",
    "') or ('a'='a",
]
ODD = [
    "O'Brien",
    '"',
    "'",
    "\\",
    "%",
    "%27",
    "%00",
    "+",
    "&",
    "=",
    "#",
    "?",
    ";",
    "*",
    "NULL",
    "None",
    "[]",
    "{}",
    "staff",
    "STAFF",
    " Staff",
    "Staff ",
    "Staff\n",
    "Adult  mental health",
    "adult mental health",
    "Nursing\x00",
    "\x00",
    "\x1b[31mred",
    "\r\n",
    "\t",
    "\u202eevil",
    "\u200b",
    "Ｓｔａｆｆ",
    "Staﬀ",
    "日本語",
    "é ü – “”",
    "🙂",
    "<script>alert(1)</script>",
    "**bold**",
    ":red[x]",
    "$x$",
    "x" * 10_000,
    "Staff" * 2_000,
    "'" * 10_000,
    "é" * 10_000,
]
BAD_DATES = [  # the demo's months are February 2021 to May 2023
    "2021-01",
    "2023-06",
    "2020-12-31",
    "2021-01-31",
    "2023-06-01",
    "2030-01",
    "0001-01",
    "9999-12",
    "2021-02-30",
    "2021-13",
    "2021-00",
    "2021-3",
    "2021-13-01",
    "15/03/2021",
    "03/15/2021",
    "03/2021",
    "March 2021",
    "202103",
    "20210301",
    "2021-03-01T00:00",
    "2021-03 ",
    " 2021-03",
    "+2021-03",
    "２０２１-０３",
    "2021-03' or 1=1 --",
    "today",
    "0",
    "-1",
    "",
]
UNKNOWN_NAMES = [
    "utm_source",
    "page",
    "filter",
    "CARE_GROUP",
    "care_group ",
    "care-group",
    "Survey",
    "care_groups",
    "date_from",
    "embed",
    "embed_options",
    "' or 1=1 --",
    "x" * 500,
    "日本",
    "\x00",
    "$survey",
]
ENGAGEMENT_TILES = (
    "Conversation hours",
    "Staff engaged",
    "Actions raised",
    "Service areas covered",
    "Quick wins completed",
)
SURVEY_TILES = {
    "IT skills rated good": "it_skills",
    "Information available": "info_available",
    "IT too unreliable": "it_unreliable",
}
BAD_WAVES = ["2022", "2021 ", " 2023", "2023-03", "latest", "NONE", "none ", "all"]


# --------------------------------------------------------------------------- expected figures


@dataclass(frozen=True)
class Demo:
    """The demo extracts as read by pandas, independently of the pipeline and the app."""

    service_areas: pd.DataFrame
    conversations: pd.DataFrame
    attendees: pd.DataFrame
    actions: pd.DataFrame
    first_day: dt.date  # the month filter's range (queries/date_bounds.sql): waves' dates, conversations, actions
    last_day: dt.date
    waves: tuple[str, ...]  # oldest first
    wave_days: dict[str, tuple[dt.date, dt.date]]  # opened, closed
    questions: tuple[str, ...]  # the question bank's ids

    def areas_of(self, care_groups: tuple[str, ...]) -> list[str]:
        frame = self.service_areas
        if care_groups:
            frame = frame[frame["care_group"].isin(care_groups)]
        return sorted(frame["service_area"])


def _dates(column: pd.Series) -> pd.Series:
    return pd.to_datetime(column, format="%Y-%m-%d").dt.date


@cache
def demo() -> Demo:
    def read(name: str) -> pd.DataFrame:
        return pd.read_csv(DEMO_EXTRACTS / f"{name}.csv", dtype=str)

    conversations = read("conversations").assign(
        held_on=lambda f: _dates(f["held_on"]), hours=lambda f: f["hours"].astype(float)
    )
    actions = read("actions").assign(raised_on=lambda f: _dates(f["raised_on"]))
    waves = read("waves").sort_values(["opened", "wave_id"])
    days = pd.concat([_dates(waves["opened"]), _dates(waves["closed"]), conversations["held_on"], actions["raised_on"]])
    wave_days = {
        w: (dt.date.fromisoformat(o), dt.date.fromisoformat(c))
        for w, o, c in zip(waves["wave_id"], waves["opened"], waves["closed"])
    }
    return Demo(
        read("service_areas"),
        conversations,
        read("conversation_attendees"),
        actions,
        days.min(),
        days.max(),
        tuple(waves["wave_id"]),
        wave_days,
        tuple(read("questions")["question_id"]),
    )


@dataclass
class Link:
    """One generated link: its query parameters, and what of it is valid and what is not."""

    params: dict[str, list[str]] = field(default_factory=dict)
    care_groups: tuple[str, ...] = ()
    service_areas: tuple[str, ...] = ()
    surveys: tuple[str, ...] = ()
    staff_groups: tuple[str, ...] = ()
    date_from: dt.date | None = None  # the first day of the From month
    date_to: dt.date | None = None  # the last day of the To month
    wave: str | None = None  # the (valid) survey wave named by the link
    bad: list[tuple[str, str]] = field(default_factory=list)  # (known parameter, value) to be refused
    widened: list[tuple[str, str]] = field(default_factory=list)  # (from/to, a day): opens its month, with a notice

    @property
    def filters(self) -> Filters:
        return Filters(
            self.care_groups,
            self.service_areas,
            self.surveys,
            self.staff_groups,
            self.date_from,
            self.date_to,
            wave=self.survey_wave,
        )

    @property
    def survey_wave(self) -> str | None:
        """The wave shown: the link's; with no wave in the link (not even a refused one) but months,
        the one wave the months fall in (a link made before waves); else the latest (None)."""
        if self.wave or self.params.get("wave"):
            return self.wave
        return implied_wave(self.date_from, self.date_to)

    def in_dates(self, column: pd.Series) -> pd.Series:
        keep = pd.Series(True, index=column.index)
        if self.date_from:
            keep &= column >= self.date_from
        if self.date_to:
            keep &= column <= self.date_to
        return keep


def implied_wave(date_from: dt.date | None, date_to: dt.date | None) -> str | None:
    """The one wave whose days meet the months (from the data's first day to its last when open); None
    when no month is chosen, or the months meet no wave or several."""
    if not (date_from or date_to):
        return None
    data = demo()
    first, last = date_from or data.first_day, date_to or data.last_day
    touched = [w for w, (opened, closed) in data.wave_days.items() if opened <= last and closed >= first]
    return touched[0] if len(touched) == 1 else None


def expected_engagement(link: Link) -> dict[str, float]:
    """The Overview's engagement tiles for the link (tests/oracle.py), by tile title."""
    figures = oracle.expected_engagement(
        Filters(link.care_groups, link.service_areas, (), link.staff_groups, link.date_from, link.date_to)
    )
    return {measure.title: figures[measure.key] for measure in OVERVIEW_ENGAGEMENT}


@cache
def responses() -> pd.DataFrame:
    return oracle.read_responses()


@cache
def _released(database: str) -> oracle.Released:
    return oracle.released(Path(database))


def released() -> oracle.Released:
    """What the build released: read from the demo database this module runs on (``demo_database``)."""
    return _released(os.environ["DASHBOARD_DB"])


def expected_survey(link: Link, measure: str) -> int | None:
    """The whole percent shown for ``measure`` (released counts summed over the parts of the link's
    valid filters, whole-wave: its months change nothing), or None when it is hidden (no part released)."""
    n, _positive, percent = oracle.expected_headline(responses(), measure, link.filters, released())
    return None if n is None else percent


WHOLE_WAVE = "Survey figures are for the whole wave"  # the note a page with months picked shows


def months_picked(link: Link) -> bool:
    """Whether the link narrows the months: a From month after the data's first, or a To month before
    its last (the first and last months are the month boxes' defaults: no month picked)."""
    months = data_months()
    return bool(
        (link.date_from and link.date_from != months[0]) or (link.date_to and link.date_to != month_end(months[-1]))
    )


def check_whole_wave_note(at: AppTest, link: Link) -> None:
    """Months picked change no survey figure, and the page says so, once; with no month picked it says nothing."""
    notes = [m.value for m in at.markdown if m.value.startswith(WHOLE_WAVE)]
    assert len(notes) == months_picked(link), (notes, link.params)


def month_value(day: dt.date) -> str:
    return f"{day:%Y-%m}"


def month_end(day: dt.date) -> dt.date:
    return (pd.Timestamp(day) + pd.offsets.MonthEnd(0)).date()


def data_months() -> list[dt.date]:
    """The first day of every month from the data's first day to its last."""
    data = demo()
    return [d.date() for d in pd.date_range(data.first_day.replace(day=1), data.last_day, freq="MS")]


def shown_number(text: str) -> float | None:
    """A tile's value as a number: '1,234' -> 1234, '24.5' -> 24.5, '42%' -> 42, 'Hidden' -> None."""
    if text == "Hidden":
        return None
    return float(text.replace(",", "").rstrip("%"))


# --------------------------------------------------------------------------- links


def _bad_values(allowed: list[str] | tuple[str, ...], pool: list[str]) -> st.SearchStrategy[list[str]]:
    value = st.one_of(st.sampled_from(pool), st.text(max_size=20))
    return st.lists(value.filter(lambda v: v != "" and v not in allowed), unique=True, max_size=2)


@st.composite
def links(draw: st.DrawFn) -> Link:
    data = demo()
    link = Link()
    params: list[tuple[str, str]] = []

    link.care_groups = tuple(draw(st.lists(st.sampled_from(demo_model.CARE_GROUPS), unique=True, max_size=2)))
    areas = data.areas_of(link.care_groups)
    outside = sorted(set(data.service_areas["service_area"]) - set(areas))
    link.service_areas = tuple(draw(st.lists(st.sampled_from(areas), unique=True, max_size=2)))
    link.surveys = tuple(draw(st.lists(st.sampled_from(demo_model.SURVEYS), unique=True, max_size=2)))
    link.staff_groups = tuple(draw(st.lists(st.sampled_from(demo_model.STAFF_GROUPS), unique=True, max_size=2)))
    for name, good, allowed, pool in (
        (
            "care_group",
            link.care_groups,
            demo_model.CARE_GROUPS,
            SQL + ODD + [g.upper() for g in demo_model.CARE_GROUPS],
        ),
        ("service_area", link.service_areas, areas, SQL + ODD + outside[:5]),  # a real area of another care group
        ("survey", link.surveys, demo_model.SURVEYS, SQL + ODD),
        ("staff_group", link.staff_groups, demo_model.STAFF_GROUPS, SQL + ODD),
    ):
        bad = draw(_bad_values(allowed, pool))
        link.bad.extend((name, v) for v in bad)
        repeat = list(good[:1]) if draw(st.booleans()) else []  # a valid value given twice counts once
        params.extend((name, v) for v in draw(st.permutations([*good, *repeat, *bad])))

    # Dates: absent, one month (from <= to), one day (opens its month, with a notice), or one
    # or two refused values. (Several values where one is valid, from > to, and other ways of
    # writing a day are the edge cases checked at the end.)
    # Months from the whole range, or from one wave's months (from the month it opened to the one it closed).
    wave_months = [
        [d.date() for d in pd.date_range(opened.replace(day=1), closed, freq="MS")]
        for opened, closed in data.wave_days.values()
    ]
    starts = draw(st.sampled_from([data_months(), *wave_months]))
    first, second = sorted(draw(st.lists(st.sampled_from(starts), min_size=2, max_size=2)))
    for name, month in (("from", first), ("to", second)):
        kind = draw(st.sampled_from(["absent", "month", "day", "bad"]))
        if kind in ("month", "day"):
            setattr(link, "date_from" if name == "from" else "date_to", month if name == "from" else month_end(month))
            if kind == "month":
                params.append((name, month_value(month)))
            else:
                day = month.replace(day=draw(st.integers(1, month_end(month).day)))
                params.append((name, day.isoformat()))
                link.widened.append((name, day.isoformat()))
        elif kind == "bad":
            pool = [d for d in BAD_DATES + SQL + ODD if d != ""]
            bad = draw(st.lists(st.sampled_from(pool), min_size=1, max_size=2, unique=True))
            link.bad.extend((name, v) for v in bad)
            params.extend((name, v) for v in bad)

    # The survey wave and the wave compared with: absent, a valid value, or one or two refused values.
    # (The comparison changes no tile's value: only the change shown beside it.)
    wave_kind = draw(st.sampled_from(["absent", "valid", "bad"]))
    if wave_kind == "valid":
        link.wave = draw(st.sampled_from(data.waves))
        params.append(("wave", link.wave))
    elif wave_kind == "bad":
        bad = draw(_bad_values(data.waves, SQL + ODD + BAD_WAVES))
        link.bad.extend(("wave", v) for v in bad)
        params.extend(("wave", v) for v in bad)
    # A link that names a wave (even a refused one) takes no wave from its months.
    named = wave_kind == "valid" or any(n == "wave" for n, _ in link.bad)
    shown_wave = link.wave if wave_kind == "valid" else None if named else implied_wave(link.date_from, link.date_to)
    wave = shown_wave or data.waves[-1]
    comparable = (*data.waves[: data.waves.index(wave)], NO_COMPARISON)  # earlier waves, or none
    compare_kind = draw(st.sampled_from(["absent", "valid", "bad"]))
    if compare_kind == "valid":
        params.append(("compare", draw(st.sampled_from(comparable))))
    elif compare_kind == "bad":
        bad = draw(_bad_values(comparable, SQL + ODD + BAD_WAVES + list(data.waves)))
        link.bad.extend(("compare", v) for v in bad)
        params.extend(("compare", v) for v in bad)

    unknown_name = st.one_of(st.sampled_from(UNKNOWN_NAMES), st.text(min_size=1, max_size=12)).filter(
        lambda n: n not in KNOWN_NAMES and n not in PAGE_NAMES
    )
    unknown_value = st.one_of(st.sampled_from(SQL + ODD), st.text(max_size=20))
    params.extend(draw(st.lists(st.tuples(unknown_name, unknown_value), max_size=3)))

    for name, value in draw(st.permutations(params)):
        link.params.setdefault(name, []).append(value)
    return link


# --------------------------------------------------------------------------- running the app


@pytest.fixture(scope="module", autouse=True)
def demo_database(demo_db: Path) -> Iterator[Path]:
    """DASHBOARD_DB -> the demo database for this module (monkeypatch is per test, Hypothesis needs longer)."""
    saved = {k: os.environ.get(k) for k in ("DASHBOARD_DB", "DASHBOARD_MIN_GROUP_SIZE")}
    os.environ["DASHBOARD_DB"] = str(demo_db)
    os.environ.pop("DASHBOARD_MIN_GROUP_SIZE", None)
    yield demo_db
    for key, value in saved.items():
        if value is None:
            os.environ.pop(key, None)
        else:
            os.environ[key] = value


# The data steps that take the filters without SQL: the in-memory sums of the survey and engagement cubes.
SUMS = {"survey_figures": (measures, "survey_figures"), "engagement_filtered": (engagement_cube, "filtered")}


@contextlib.contextmanager
def recording_queries() -> Iterator[list[tuple[str, dict]]]:
    """Every call into the data while the block runs: (query name, parameters), the in-memory sums
    included (their filters as the parameters a query would get)."""
    calls: list[tuple[str, dict]] = []
    query, run = db.Database.query, db.Database._run

    def record_query(self, name, **params):
        calls.append((name, dict(params)))
        return query(self, name, **params)

    def record_run(self, name, params):
        calls.append((name, dict(params)))
        return run(self, name, params)

    def recording(name, function):
        def record(*args, **kwargs):
            filters = next(a for a in (*args, *kwargs.values()) if isinstance(a, Filters))
            calls.append((name, filters.sql_params()))
            return function(*args, **kwargs)

        return record

    with contextlib.ExitStack() as stack:
        stack.enter_context(mock.patch.object(db.Database, "query", record_query))
        stack.enter_context(mock.patch.object(db.Database, "_run", record_run))
        for name, (module, attribute) in SUMS.items():
            stack.enter_context(mock.patch.object(module, attribute, recording(name, getattr(module, attribute))))
        yield calls


def run(script: str, link: Link) -> tuple[AppTest, list[tuple[str, dict]]]:
    at = AppTest.from_file(script, default_timeout=60)
    for name, values in link.params.items():
        at.query_params[name] = values
    with recording_queries() as calls:
        at.run()
    return at, calls


def check_clean(at: AppTest) -> None:
    assert not at.exception, [e.value for e in at.exception]
    assert not at.error, [e.value for e in at.error]


def check_notices(at: AppTest, link: Link) -> None:
    """One 'Ignored ...' notice per refused value of a known parameter, and no other; one notice per
    day widened to its month, naming that month; the month boxes show the months applied."""
    widened = [w.value for w in at.warning if w.value.startswith("The link's ")]
    assert len(widened) == len(link.widened), (link.widened, widened)
    for name, day in link.widened:
        month = link.date_from if name == "from" else link.date_to
        assert any(f"{name}='{day}'" in n and f"{month:%B %Y}" in n for n in widened), (name, day, widened)
    months = [month_value(m) for m in data_months()]
    assert at.selectbox(key="from").value == (month_value(link.date_from) if link.date_from else months[0])
    assert at.selectbox(key="to").value == (month_value(link.date_to) if link.date_to else months[-1])
    notices = [w.value for w in at.warning if w.value.startswith("Ignored ")]
    for name in KNOWN_NAMES:
        mine = [n for n in notices if n.startswith(f"Ignored {name}=")]
        refused = [v for n, v in link.bad if n == name]
        assert len(mine) == len(refused), (name, refused, mine)
        for value in refused:  # a short plain value is quoted in its notice, as plain (escaped) text
            if len(value) <= 50 and value.isprintable() and not set(value) & set("'\"\\"):
                assert any(escape_markdown(value) in n for n in mine), (name, value, mine)
    assert len(notices) == len(link.bad), (link.bad, notices)


def check_queries(calls: list[tuple[str, dict]], link: Link) -> None:
    """Every parameter bound to a query is a known label or a month bound in range: no refused value gets through."""
    data = demo()
    assert calls, "no query ran"
    labels = {
        "care_groups": set(demo_model.CARE_GROUPS),
        "service_areas": set(data.service_areas["service_area"]),
        "surveys": set(demo_model.SURVEYS),
        "staff_groups": set(demo_model.STAFF_GROUPS),
    }
    known_text = (
        set().union(*labels.values())
        | set(data.waves)
        | set(data.questions)
        | {"care_group", "service_area", "survey", "staff_group", "", contract.NOT_STATED, demo_model.COMPLETED}
    )
    # A value refused for one parameter may be a good value of another (wave=Carer, survey=Carer).
    accepted = {*link.care_groups, *link.service_areas, *link.surveys, *link.staff_groups}
    refused = {v for _, v in link.bad} - accepted
    telling = {v for v in refused if len(v) >= 4 and not any(v in label for label in known_text)}
    for name, params in calls:
        assert name in SUMS or (ROOT / "queries" / f"{name}.sql").is_file(), name
        for key, value in params.items():
            values = value if isinstance(value, (list, tuple)) else [value]
            for item in values:
                if key in labels:
                    assert item in labels[key], (name, key, item)
                if isinstance(item, str):
                    assert item not in refused, (name, key, item)
                    assert not any(v in item for v in telling), (name, key, item)
                    assert item in known_text, (name, key, item)  # measure, dimension, search text ("")
                elif isinstance(item, dt.date):
                    if item in (dt.date.min, dt.date.max):
                        continue
                    assert data.first_day.replace(day=1) <= item <= month_end(data.last_day), (key, item)
                    if key == "date_from":
                        assert item.day == 1, (key, item)  # whole months: the From month's first day
                    if key == "date_to":
                        assert item == month_end(item), (key, item)  # and the To month's last


FUZZ = settings(
    max_examples=40,
    deadline=None,  # each example is an AppTest run: 0.1-1 s
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)


def check_overview(link: Link) -> AppTest:
    """The Overview on ``link``: clean, with the notices it owes and the valid filters' figures on its tiles."""
    at, calls = run(APP, link)
    check_clean(at)
    check_notices(at, link)
    check_queries(calls, link)
    shown = {m.label: shown_number(m.value) for m in at.metric}
    engagement = expected_engagement(link)
    for tile in ENGAGEMENT_TILES:
        assert shown[tile] == pytest.approx(engagement[tile], abs=0.051), (tile, link.params)
    for tile, measure in SURVEY_TILES.items():
        assert shown[tile] == expected_survey(link, measure), (tile, link.params)
    check_whole_wave_note(at, link)
    return at


@FUZZ
@given(link=links())
def test_overview_survives_hostile_links_and_shows_the_valid_filters_figures(link: Link) -> None:
    check_overview(link)


@settings(FUZZ, max_examples=10)
@given(link=links(), breakdown=st.sampled_from(["", "care_group", "staff_group", "' or 1=1 --", "x" * 10_000]))
def test_a_survey_page_survives_hostile_links(link: Link, breakdown: str) -> None:
    if breakdown:
        link.params["breakdown"] = [breakdown]  # the page's own link parameter: its widget keeps valid values only
    at, calls = run(str(SURVEY_PAGE), link)
    check_clean(at)
    check_notices(at, link)
    check_queries(calls, link)
    for _, params in calls:
        if "dimension" in params:
            assert params["dimension"] in ("care_group", "service_area", "survey", "staff_group"), params
    shown = {m.label: shown_number(m.value) for m in at.metric}
    assert shown["This selection"] == expected_survey(link, "it_skills")
    check_whole_wave_note(at, link)
    wave = link.survey_wave
    assert shown["Whole Trust"] == expected_survey(Link(wave=wave), "it_skills")  # the whole Trust, same wave
    if wave == oracle.PUBLISHED_WAVE:
        assert shown["Whole Trust"] == oracle.PUBLISHED["it_skills"]


def test_the_expectations_here_reproduce_the_published_figures() -> None:
    """The pandas arithmetic above, checked against the contract's published figures."""
    assert expected_engagement(Link()) == {
        "Conversation hours": 102,
        "Staff engaged": 256,
        "Actions raised": 831,
        "Service areas covered": 92,
        "Quick wins completed": 213,
    }
    assert {m: expected_survey(Link(wave=oracle.PUBLISHED_WAVE), m) for m in SURVEY_TILES.values()} == oracle.PUBLISHED


# --------------------------------------------------------------------------- edge cases, known mismatches

AMH = "Adult mental health"


def _known(params: dict[str, list[str]], bad: list[tuple[str, str]], **valid) -> Link:
    return Link(params=params, bad=bad, **valid)


def _widened(params: dict[str, list[str]], widened: list[tuple[str, str]], **valid) -> Link:
    return Link(params=params, widened=widened, **valid)


MARCH, APRIL, MAY = dt.date(2021, 3, 1), dt.date(2021, 4, 1), dt.date(2021, 5, 1)
END_OF_MARCH, END_OF_MAY = dt.date(2021, 3, 31), dt.date(2021, 5, 31)


@pytest.mark.parametrize(
    "link",
    [
        pytest.param(_known({"care_group": [AMH, AMH]}, [], care_groups=(AMH,)), id="repeated valid value"),
        pytest.param(
            _known({"from": ["2021-03"], "to": ["2021-05"]}, [], date_from=MARCH, date_to=END_OF_MAY),
            id="months: March 1 to May 31",
        ),
        pytest.param(
            _widened(
                {"from": ["2021-03-14"], "to": ["2021-05-02"]},
                [("from", "2021-03-14"), ("to", "2021-05-02")],
                date_from=MARCH,
                date_to=END_OF_MAY,
            ),
            id="days: widened to their months",
        ),
        pytest.param(
            _known({"from": ["2021-03", "2021-04"]}, [("from", "2021-03")], date_from=APRIL),
            id="two from months: the last is used, as the month box does",
        ),
        pytest.param(
            _known({"from": ["2021-04", "nope"]}, [("from", "2021-04"), ("from", "nope")]),
            id="a refused last value: no month",
        ),
        pytest.param(
            _known({"from": ["2021-05"], "to": ["2021-03"]}, [], date_from=MAY, date_to=END_OF_MARCH),
            id="from after to: applied as given, nothing matches",
        ),
        pytest.param(
            _widened({"to": ["2021-3-1"]}, [("to", "2021-3-1")], date_to=END_OF_MARCH), id="day without leading zeros"
        ),
        pytest.param(
            _widened({"to": ["2021/03/01"]}, [("to", "2021/03/01")], date_to=END_OF_MARCH), id="day with slashes"
        ),
        pytest.param(_known({"to": ["2021-3"]}, [("to", "2021-3")]), id="month without its leading zero"),
        pytest.param(_known({"to": ["March 2021"]}, [("to", "March 2021")]), id="month by name"),
        pytest.param(_known({"from": ["2021-W09-1"]}, [("from", "2021-W09-1")]), id="ISO week date"),
        pytest.param(
            _known({"from": ["2021-01"], "to": ["2023-06"]}, [("from", "2021-01"), ("to", "2023-06")]),
            id="months outside the data",
        ),
        pytest.param(_known({"to": ["2021-05' or 1=1 --"]}, [("to", "2021-05' or 1=1 --")]), id="sql after a month"),
        pytest.param(
            _known({"care_group": [AMH], "survey": ["Staff"]}, [], care_groups=(AMH,), surveys=("Staff",)),
            id="control: valid link",
        ),
    ],
)
def test_links_at_the_edges_do_what_their_notices_say(link: Link) -> None:
    """Each case expects the page to apply exactly the values its notices do not refuse (or widen)."""
    at = check_overview(link)
    nothing_matches = [w.value for w in at.warning if "nothing matches" in w.value]
    reversed_months = bool(link.date_from and link.date_to and link.date_from > link.date_to)
    assert len(nothing_matches) == reversed_months, nothing_matches


def test_a_month_link_opens_march_1_to_may_31() -> None:
    """from=2021-03&to=2021-05 reaches the queries as the first day of March and the last of May."""
    link = _known({"from": ["2021-03"], "to": ["2021-05"]}, [], date_from=MARCH, date_to=END_OF_MAY)
    at, calls = run(APP, link)
    check_clean(at)
    dated = [params for _name, params in calls if "date_from" in params]
    assert dated, calls
    # Each tile's whole-Trust figure (survey.headline works out both rows) has no months: unbounded.
    unbounded = (dt.date.min, dt.date.max)
    assert {(p["date_from"], p["date_to"]) for p in dated} - {unbounded} == {(MARCH, END_OF_MAY)}


MARKDOWN_ACTIVE = re.compile(r"(?<!\\)[\[\]<>*_`]|https?://")


@pytest.mark.parametrize(
    "value",
    [
        pytest.param("[Sign in again](https://evil.example/login)", id="link"),
        pytest.param("![t](https://evil.example/p.png)", id="image"),
        pytest.param("https://evil.example/login", id="bare URL"),
        pytest.param("**Urgent: re-enter your password**", id="bold"),
    ],
)
def test_a_notice_shows_the_refused_value_as_plain_text(value: str) -> None:
    at, _calls = run(APP, Link(params={"survey": [value]}, bad=[("survey", value)]))
    (notice,) = [w.value for w in at.warning if w.value.startswith("Ignored survey=")]
    quoted = notice[len("Ignored survey=") : notice.rindex(" from the link")]
    assert not MARKDOWN_ACTIVE.search(quoted), notice
