"""Per-person scopes: the access file, and what a signed-in champion can reach.

The pure rules (reading the access file, matching rules, narrowing filters) are tested
directly; the pages in AppTest with a fake signed-in user per role (``at.user``), reading a
real access file named by ``DASHBOARD_ACCESS_FILE``. Expected figures are the oracle's
(tests/oracle.py: pandas over the demo extracts, the release's noise worked out again, which groups
were released read from the database).
"""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path

import pandas as pd
import pytest
from pypdf import PdfReader
from streamlit.testing.v1 import AppTest

import demo.model as demo_model
from dashboard.core import registry, settings
from dashboard.core.filters import Filters, Options
from dashboard.features import grants
from dashboard.render import downloads as buttons
from tests.conftest import DEMO_EXTRACTS, ROOT
from tests.oracle import expected_headline, read_responses, released
from tests.test_access import AUTH

AREAS = pd.read_csv(DEMO_EXTRACTS / "service_areas.csv", dtype=str)
AMH = "Adult mental health"
NORTH = "Community mental health team (North)"
SOUTH = "Community mental health team (South)"  # the same care group as NORTH
OTHER_GROUP = "Community health services"
OTHER_AREA = AREAS.loc[AREAS["care_group"] == OTHER_GROUP, "service_area"].iloc[0]
TRUST_GROUP = "3f2a1c9e-0000-4000-8000-00000000aaaa"
ACCESS_TOML = f"""
# Who sees what (a test file).
[[grant]]
email = "North.Champion@trust.nhs.uk"
role = "service_area"
units = ["{NORTH}"]

[[grant]]
group = "amh-champions"
role = "care_group"
units = ["{AMH}"]

[[grant]]
group = "{TRUST_GROUP}"
role = "trust"
"""
USERS = {
    "area": {"is_logged_in": True, "email": "north.champion@trust.nhs.uk", "name": "North champion"},
    "care_group": {"is_logged_in": True, "email": "amh@trust.nhs.uk", "groups": ["amh-champions"]},
    "trust": {"is_logged_in": True, "email": "board@trust.nhs.uk", "groups": [TRUST_GROUP.upper()]},
    "nobody": {"is_logged_in": True, "email": "someone@trust.nhs.uk", "groups": ["other"]},
}
PAGES = [page.script for page in registry.pages(ROOT)]
OPTIONS = Options(
    {g: tuple(sorted(a["service_area"])) for g, a in AREAS.groupby("care_group")},
    dt.date(2021, 2, 1),
    dt.date(2023, 6, 30),
    care_groups=demo_model.CARE_GROUPS,
    surveys=demo_model.SURVEYS,
    staff_groups=demo_model.STAFF_GROUPS,
)


# --- reading the access file ----------------------------------------------------------------


def _write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_a_toml_access_file_reads_as_grants(tmp_path):
    rules = grants.read_rules(_write(tmp_path, "access.toml", ACCESS_TOML))
    assert [(g.match, g.role, g.units, g.line) for g in rules] == [
        ("email", "service_area", (NORTH,), 3),
        ("group", "care_group", (AMH,), 8),
        ("group", "trust", (), 13),
    ]


def test_a_csv_access_file_reads_as_the_same_grants(tmp_path):
    text = (
        f"match,value,role,units\nemail,North.Champion@trust.nhs.uk,service_area,{NORTH}\n"
        f"group,amh-champions,care_group,{AMH}\n\ngroup,{TRUST_GROUP},trust,\n"
    )
    from_csv = grants.read_rules(_write(tmp_path, "access.csv", text))
    from_toml = grants.read_rules(_write(tmp_path, "access.toml", ACCESS_TOML))
    assert [(g.match, g.value, g.role, g.units) for g in from_csv] == [
        (g.match, g.value, g.role, g.units) for g in from_toml
    ]
    assert [g.line for g in from_csv] == [2, 3, 5]


@pytest.mark.parametrize(
    ("name", "text", "words"),
    [
        ("a.toml", "[[grant]]\nemail = 'a@b.c'\nrole = \n", ["line 3", "column"]),
        ("a.toml", "[grants]\n", ["unknown section", "grants"]),
        (
            "a.toml",
            "[[grant]]\nemail = 'a@b.c'\nrole = 'trust'\n\n[[grant]]\nemil = 'x@y.z'\nrole = 'trust'\n",
            ["line 5", "grant 2", "unknown key 'emil'"],
        ),
        ("a.toml", "[[grant]]\nemail = 'a@b.c'\ngroup = 'g'\nrole = 'trust'\n", ["line 1", "exactly one"]),
        ("a.toml", "[[grant]]\nemail = 'a@b.c'\nrole = 'boss'\n", ["line 1", "role 'boss'"]),
        ("a.toml", "[[grant]]\nemail = 'not-an-address'\nrole = 'trust'\n", ["line 1", "not an e-mail"]),
        ("a.toml", "[[grant]]\ndomain = 'trust.nhs.uk'\nrole = 'trust'\nunits = ['X']\n", ["no units"]),
        ("a.toml", "[[grant]]\ndomain = 'trust.nhs.uk'\nrole = 'care_group'\n", ["needs at least one unit"]),
        ("a.toml", "[[grant]]\ndomain = 'trust.nhs.uk'\nrole = 'care_group'\nunits = 'X'\n", ["list of names"]),
        ("a.csv", "who,value,role,units\n", ["line 1", "header must be"]),
        ("a.csv", "match,value,role,units\nemail,a@b.c,trust\n", ["line 2", "3 columns"]),
        ("a.csv", "match,value,role,units\nemail,a@b.c,trust,\nname,Jo,trust,\n", ["line 3", "column 1 (match)"]),
        ("a.csv", "match,value,role,units\ndomain,,trust,\n", ["line 2", "column 2 (value)", "empty"]),
        ("a.csv", "match,value,role,units\ndomain,trust.nhs.uk,service_area,\n", ["line 2", "column 4 (units)"]),
        ("a.csv", "", ["is empty"]),
        ("a.json", "{}", ["must be a .toml or .csv"]),
    ],
)
def test_a_bad_access_file_is_refused_saying_where(tmp_path, name, text, words):
    path = _write(tmp_path, name, text)
    with pytest.raises(grants.AccessFileError) as error:
        grants.read_rules(path)
    assert str(path) in str(error.value)
    for word in words:
        assert word in str(error.value)


def test_a_missing_or_non_utf8_file_is_refused(tmp_path):
    with pytest.raises(grants.AccessFileError, match="can't be read"):
        grants.read_rules(tmp_path / "absent.toml")
    path = tmp_path / "latin.csv"
    path.write_bytes(b"match,value,role,units\ndomain,caf\xe9.org,trust,\n")
    with pytest.raises(grants.AccessFileError, match="not UTF-8"):
        grants.read_rules(path)


def test_a_unit_the_database_does_not_have_is_refused_with_its_line(tmp_path):
    path = _write(tmp_path, "access.toml", ACCESS_TOML.replace(NORTH, "Community mental health team (Nrth)"))
    rules = grants.read_rules(path)
    with pytest.raises(
        grants.AccessFileError,
        match=r"line 3: 'Community mental health team \(Nrth\)' is not a "
        "service area",
    ):
        grants.check_units(rules, OPTIONS, path)
    grants.check_units(grants.read_rules(_write(tmp_path, "good.toml", ACCESS_TOML)), OPTIONS, path)


# --- matching and scopes --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("grant", "user", "matches"),
    [
        (grants.AccessRule("email", "A.B@Trust.nhs.uk", "trust"), {"email": " a.b@trust.NHS.uk"}, True),
        (grants.AccessRule("email", "a.b@trust.nhs.uk", "trust"), {"email": "a.c@trust.nhs.uk"}, False),
        (grants.AccessRule("domain", "@trust.nhs.uk", "trust"), {"email": "x@Trust.nhs.uk"}, True),
        (grants.AccessRule("domain", "trust.nhs.uk", "trust"), {"email": "x@eviltrust.nhs.uk"}, False),
        (grants.AccessRule("domain", "trust.nhs.uk", "trust"), {"email": "trust.nhs.uk"}, False),
        (grants.AccessRule("group", TRUST_GROUP, "trust"), {"groups": [TRUST_GROUP.upper(), "b"]}, True),
        (grants.AccessRule("group", "Champions", "trust"), {"roles": ["champions"]}, True),
        (grants.AccessRule("group", "g", "trust"), {"groups": "g"}, True),  # a lone group sent as a string
        (grants.AccessRule("group", "g", "trust"), {"groups": ["gg"], "email": "g@x.y"}, False),
        (grants.AccessRule("group", "g", "trust"), {}, False),
    ],
)
def test_grants_match_claims_case_insensitively(grant, user, matches):
    assert grant.matches(user) is matches


def test_a_person_gets_every_grant_that_matches_and_trust_wins():
    rules = [
        grants.AccessRule("domain", "trust.nhs.uk", "care_group", (AMH,)),
        grants.AccessRule("email", "jo@trust.nhs.uk", "service_area", (OTHER_AREA,)),
        grants.AccessRule("group", "board", "trust"),
    ]
    jo = grants.grant_of({"email": "jo@trust.nhs.uk"}, rules)
    assert jo == grants.Grant(False, frozenset({AMH}), frozenset({OTHER_AREA}))
    assert grants.grant_of({"email": "jo@trust.nhs.uk", "groups": ["board"]}, rules) == grants.TRUST
    assert grants.grant_of({"email": "jo@elsewhere.org"}, rules) is None


NORTH_ONLY = grants.Grant(False, service_areas=frozenset({NORTH}))
AMH_ONLY = grants.Grant(False, care_groups=frozenset({AMH}))
MIXED = grants.Grant(False, care_groups=frozenset({AMH}), service_areas=frozenset({OTHER_AREA}))


@pytest.mark.parametrize(
    ("scope", "picked", "expected"),
    [
        (NORTH_ONLY, Filters(), Filters(care_groups=(AMH,), service_areas=(NORTH,))),
        (NORTH_ONLY, Filters(care_groups=(AMH,)), Filters(care_groups=(AMH,), service_areas=(NORTH,))),
        # Values outside the scope never get through, even if something let them into the filters.
        (NORTH_ONLY, Filters(service_areas=(SOUTH,)), Filters(care_groups=(AMH,), service_areas=(NORTH,))),
        (
            NORTH_ONLY,
            Filters(care_groups=(OTHER_GROUP,), surveys=("Staff",)),
            Filters(care_groups=(AMH,), service_areas=(NORTH,), surveys=("Staff",)),
        ),
        (AMH_ONLY, Filters(), Filters(care_groups=(AMH,))),
        (AMH_ONLY, Filters(service_areas=(SOUTH,)), Filters(service_areas=(SOUTH,))),
        (AMH_ONLY, Filters(service_areas=(OTHER_AREA,), wave="2021"), Filters(care_groups=(AMH,), wave="2021")),
        (
            MIXED,
            Filters(),
            Filters(
                care_groups=(AMH, OTHER_GROUP),
                service_areas=tuple(sorted(OPTIONS.service_areas([AMH]) + (OTHER_AREA,))),
            ),
        ),
        (MIXED, Filters(care_groups=(AMH,)), Filters(care_groups=(AMH,))),
        (MIXED, Filters(care_groups=(OTHER_GROUP,)), Filters(care_groups=(OTHER_GROUP,), service_areas=(OTHER_AREA,))),
        (grants.TRUST, Filters(service_areas=(SOUTH,)), Filters(service_areas=(SOUTH,))),
        (grants.TRUST, Filters(), Filters()),
    ],
)
def test_filters_are_clamped_to_the_scope(scope, picked, expected):
    clamped = scope.clamp(picked, OPTIONS)
    assert clamped == expected
    assert set(OPTIONS.service_areas(clamped.care_groups)) & set(
        clamped.service_areas or OPTIONS.service_areas(clamped.care_groups)
    ) <= set(scope.areas(OPTIONS))


def test_the_sidebar_offers_only_units_in_scope():
    offered = MIXED.restrict(OPTIONS)
    assert offered.care_groups == (AMH, OTHER_GROUP)
    assert offered.service_areas() == tuple(sorted(OPTIONS.service_areas([AMH]) + (OTHER_AREA,)))
    assert NORTH_ONLY.restrict(OPTIONS).service_areas() == (NORTH,)
    assert grants.TRUST.restrict(OPTIONS) is OPTIONS


def test_a_scope_naming_no_unit_of_the_database_never_widens_to_the_trust():
    with pytest.raises(ValueError, match="no service area"):
        grants.Grant(False, service_areas=frozenset({"Gone"})).clamp(Filters(), OPTIONS)


# --- pages, per role ------------------------------------------------------------------------


@pytest.fixture
def access_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    path = _write(tmp_path, "access.toml", ACCESS_TOML)
    monkeypatch.setenv(settings.ACCESS_FILE.env, str(path))
    monkeypatch.delenv(settings.REQUIRE_AUTH.env, raising=False)
    return path


@pytest.fixture
def downloads(monkeypatch: pytest.MonkeyPatch) -> list[pd.DataFrame]:
    """Every table a page offers for download, as the button would serve it (a callable is called),
    and the text of every PDF it offers. The real buttons are still drawn: this only keeps a copy."""
    offered: list[pd.DataFrame] = []
    real = buttons.download_buttons

    def keep(frame, name, page, note="", key=None):
        offered.append(frame() if callable(frame) else frame)
        offered[-1].attrs["stamp"] = buttons.stamp(page, note)
        return real(frame, name, page, note, key)

    real_pdf = buttons.pdf_button

    def keep_pdf(printout, name, page, note="", key=None):
        # The PDF as a click would write it, read back as text: one cell of a frame.
        reader = PdfReader(io.BytesIO(printout.to_pdf(buttons.stamp(page, note))))
        offered.append(pd.DataFrame({"PDF": ["\n".join(p.extract_text() for p in reader.pages)]}))
        return real_pdf(printout, name, page, note, key)

    monkeypatch.setattr(buttons, "download_buttons", keep)
    monkeypatch.setattr(buttons, "pdf_button", keep_pdf)
    return offered


def _page(script: str, role: str, link: dict[str, list[str]] | None = None) -> AppTest:
    at = AppTest.from_file(str(ROOT / script), default_timeout=60)
    at.secrets["auth"] = AUTH
    at.user = USERS[role]
    for name, values in (link or {}).items():
        at.query_params[name] = values
    return at.run()


def _everything(at: AppTest, downloads: list[pd.DataFrame] = ()) -> str:
    """All text the page shows or offers: markdown, tiles, tables, notices, widget choices, downloads."""
    parts = [
        e.value
        for kind in ("markdown", "caption", "info", "warning", "error", "success", "title", "subheader", "header")
        for e in getattr(at, kind)
    ]
    parts += [e.value for e in at.sidebar.markdown]
    parts += [f"{m.label} {m.value}" for m in at.metric]
    parts += [e.value.to_csv() for e in at.dataframe] + [e.value.to_csv() for e in at.table]
    parts += [" ".join(map(str, w.options)) for kind in ("multiselect", "selectbox") for w in getattr(at, kind)]
    parts += [frame.to_csv() + " ".join(frame.attrs.get("stamp", {}).values()) for frame in downloads]
    return "\n".join(parts)


COMMENTS = " ".join(
    pd.read_csv(DEMO_EXTRACTS / "survey_responses.csv", dtype=str, usecols=["comment"])["comment"].dropna()
)


def _others(*mine: str) -> list[str]:
    """Service areas outside ``mine`` whose names can only come from the data's labels: not inside one of
    ``mine``, nor a phrase people wrote in comments (a comment may mention "the IT service desk")."""
    return [a for a in AREAS["service_area"] if a not in mine and not any(a in m for m in mine) and a not in COMMENTS]


@pytest.mark.slow
@pytest.mark.parametrize("script", PAGES)
def test_an_area_champion_sees_no_other_area_on_any_page(demo_env, access_file, downloads, script):
    at = _page(script, "area", {"wave": ["2021"]})
    assert not at.exception
    if script.endswith("My_area.py"):  # the one area in scope is the area the scorecard is for
        assert at.main.header and at.main.header[0].value == NORTH
    shown = _everything(at, downloads)
    assert NORTH in shown or script.endswith("Data_and_definitions.py")
    if script.endswith(("My_area.py", "Digital_skills.py")):  # a PDF was offered, and holds the area
        assert any("PDF" in d.columns and NORTH in " ".join(d["PDF"].iloc[0].split()) for d in downloads)
    leaked = [area for area in _others(NORTH) if area in shown]
    assert leaked == []
    for group in {g for g in AREAS["care_group"] if g != AMH}:
        assert group not in shown


@pytest.mark.slow
@pytest.mark.parametrize(
    "script", ["app.py", "pages/1_Digital_skills.py", "pages/5_Engagement.py", "pages/6_Actions_and_quick_wins.py"]
)
def test_a_care_group_champion_sees_their_areas_and_no_other(demo_env, access_file, downloads, script):
    at = _page(script, "care_group")
    assert not at.exception
    shown = _everything(at, downloads)
    mine = tuple(AREAS.loc[AREAS["care_group"] == AMH, "service_area"])
    assert [area for area in _others(*mine) if area in shown] == []
    assert [group for group in set(AREAS["care_group"]) - {AMH} if group in shown] == []
    assert at.sidebar.multiselect(key="care_group").options == [AMH]
    assert at.sidebar.multiselect(key="service_area").options == sorted(mine)


@pytest.mark.slow
def test_the_breakdown_lists_the_champions_areas_only(demo_env, access_file, downloads):
    """Every area of the champion's care group is a row (the breakdown lists the structure, shown or
    hidden), and no other area is."""
    at = _page("pages/1_Digital_skills.py", "care_group", {"breakdown": ["Service area"]})
    assert at.segmented_control(key="breakdown").value == "service_area"
    mine = set(AREAS.loc[AREAS["care_group"] == AMH, "service_area"])
    table = next(d for d in downloads if "service_area" in d.columns or "Service area" in d.columns)
    listed = set(table.get("Service area", table.get("service_area")))
    assert mine <= listed <= mine | {"Not stated"}


@pytest.mark.slow
def test_a_link_to_another_area_is_refused_with_a_notice(demo_env, access_file, downloads):
    at = _page("app.py", "area", {"service_area": [SOUTH], "care_group": [OTHER_GROUP], "wave": ["2021"]})
    notices = " ".join(w.value for w in at.warning)
    assert f"service_area='{SOUTH}' from the link: it is outside what your account may see" in notices
    assert f"care_group='{OTHER_GROUP}' from the link: it is outside what your account may see" in notices
    # The figures are the champion's own area's: the oracle's, for that area.
    responses = read_responses()
    expected = expected_headline(
        responses, "it_skills", Filters(service_areas=(NORTH,), wave="2021"), released(demo_env)
    )
    tile = next(m for m in at.metric if m.label.startswith("IT skills"))
    assert tile.value == ("Hidden" if expected[2] is None else f"{expected[2]}%")
    shown = _everything(at, downloads).replace(notices, "")
    for notice in (w.value for w in at.warning):
        shown = shown.replace(notice, "")
    assert SOUTH not in shown and OTHER_GROUP not in shown


@pytest.mark.slow
def test_a_value_that_is_not_a_unit_at_all_still_says_unknown(demo_env, access_file):
    at = _page("app.py", "area", {"service_area": ["Nowhere"]})
    assert "service_area='Nowhere' from the link: it is not a known value" in " ".join(w.value for w in at.warning)


@pytest.mark.slow
def test_the_widget_cannot_pick_another_area(demo_env, access_file):
    at = _page("pages/1_Digital_skills.py", "area")
    box = at.sidebar.multiselect(key="service_area")
    assert box.options == [NORTH]
    box.set_value([SOUTH]).run()  # a value the widget does not offer is dropped
    assert at.sidebar.multiselect(key="service_area").value == []
    assert at.main.header[0].value and SOUTH not in _everything(at)


@pytest.mark.slow
def test_my_area_offers_only_the_areas_in_scope(demo_env, access_file):
    at = _page("pages/7_My_area.py", "care_group")
    mine = sorted(AREAS.loc[AREAS["care_group"] == AMH, "service_area"])
    assert at.selectbox(key="my_area_choice").options == mine


@pytest.mark.slow
def test_comments_of_a_wider_unit_are_not_offered(demo_env, access_file, downloads):
    at = _page("pages/1_Digital_skills.py", "area")
    text = _everything(at, downloads)
    assert "whole Trust, all surveys lists its comments" not in text
    assert "pick it in the sidebar" not in text or AMH not in text.split("pick it in the sidebar")[0][-200:]


@pytest.mark.slow
def test_a_trust_role_sees_every_area(demo_env, access_file):
    at = _page("pages/1_Digital_skills.py", "trust", {"breakdown": ["Service area"]})
    assert not at.exception
    assert at.sidebar.multiselect(key="service_area").options == sorted(AREAS["service_area"])
    listed = set(at.dataframe[1].value["Service area"]) if len(at.dataframe) > 1 else set()
    assert set(AREAS["service_area"]) <= listed  # the breakdown lists every area of every care group
    assert "You see" not in " ".join(m.value for m in at.sidebar.markdown)


@pytest.mark.slow
@pytest.mark.parametrize("script", ["app.py", "pages/7_My_area.py"])
def test_a_person_without_a_grant_sees_nothing(demo_env, access_file, script):
    at = _page(script, "nobody")
    assert not at.exception and not at.metric and not at.dataframe and not at.table
    assert "has no grant in this dashboard's access file" in at.error[0].value


@pytest.mark.slow
def test_a_broken_access_file_stops_every_page_for_everyone(demo_env, access_file):
    access_file.write_text(ACCESS_TOML + "\n[[grant]]\nrole = 'trust'\n")
    at = _page("app.py", "trust")
    assert not at.metric and "can't be used" in at.error[0].value and "line 17" in at.error[0].value
    assert "Nobody is let in" in at.error[0].value


@pytest.mark.slow
def test_an_access_file_without_sign_in_stops_the_app(demo_env, access_file):
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60).run()
    assert not at.metric and settings.ACCESS_FILE.env in at.error[0].value


@pytest.mark.slow
def test_without_sign_in_and_without_an_access_file_the_app_is_open_as_before(demo_env, monkeypatch):
    monkeypatch.delenv(settings.ACCESS_FILE.env, raising=False)
    at = AppTest.from_file(str(ROOT / "pages/1_Digital_skills.py"), default_timeout=60).run()
    assert not at.exception
    assert at.sidebar.multiselect(key="service_area").options == sorted(AREAS["service_area"])
    assert any("sign-in is not configured" in m.value for m in at.sidebar.markdown)


def test_the_example_access_file_in_docs_reads_and_names_units_of_the_demo():
    path = ROOT / "docs" / "examples" / "access.toml"
    rules = grants.read_rules(path)
    grants.check_units(rules, OPTIONS, path)
    assert {g.role for g in rules} == set(grants.ROLES)


@pytest.mark.slow
def test_the_engagement_breakdown_by_area_lists_only_the_champions_area(demo_env, access_file, downloads):
    at = _page("pages/5_Engagement.py", "area")
    at.radio(key="engagement_dimension").set_value("service_area").run()
    table = next(d for d in downloads if "Service area" in d.columns)
    assert list(table["Service area"]) == [NORTH]
    assert [area for area in _others(NORTH) if area in _everything(at, downloads)] == []
