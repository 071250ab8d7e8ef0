"""Any Trust: its own lists are data. The demo's extracts, every name of the Trust's structure
renamed (3 care groups for 5, 12 staff groups for 9, a Volunteer survey, other themes, formats,
statuses and service areas), built through the real pipeline: every page shows the new names and
none of the demo's."""

from __future__ import annotations

import csv
import datetime as dt
import shutil
import zlib
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

import demo.model as demo_model
from dashboard.core import db
from dashboard.core.filters import month_span
from dashboard.features import engagement
from pipeline.build import build
from pipeline.keys import KEY_SETTING
from tests.conftest import DEMO_EXTRACTS, ROOT

pytestmark = pytest.mark.slow

CARE_GROUPS = {
    "Adult mental health": "Mental health",
    "Learning disabilities and forensic": "Mental health",
    "Community health services": "Physical health",
    "Children, young people and families": "Physical health",
    "Corporate services": "Support services",
}
STAFF_GROUPS = {  # 9 renamed, and three more: some of three groups' people move to them
    "Nursing": "Registered nursing and midwifery",
    "Allied health professional": "Therapy professions",
    "Medical and dental": "Doctors",
    "Psychology and therapies": "Psychological professions",
    "Social care": "Social work",
    "Healthcare support worker": "Clinical support",
    "Administrative and clerical": "Admin and business support",
    "Estates and ancillary": "Facilities",
    "Management": "Senior leadership",
}
EXTRA_STAFF_GROUPS = {
    "Nursing": "Associate practitioners",
    "Administrative and clerical": "Apprentices",
    "Healthcare support worker": "Healthcare scientists",
}
SURVEYS = {
    "Staff": "Employee",
    "Digital champion": "Digital ambassador",
    "Service user": "Patient",
    "Carer": "Volunteer",
}
THEMES = dict(
    zip(
        demo_model.THEMES,
        (
            "Prevention",
            "Confident digital workforce",
            "Care at home",
            "Data and insight",
            "Paperless working",
            "Joined-up care",
            "Partnerships",
            "Choice",
            "Inclusion",
            "Keeping people informed",
            "Reliable IT",
            "Patient voice",
            "Working anywhere",
            "Buildings",
            "New ideas",
        ),
    )
)
FORMATS = {"Face to face": "In person", "Microsoft Teams": "Video call", "Telephone": "Phone"}
STATUSES = {"Not started": "Open", "In progress": "Under way", "Completed": "Done", "Closed": "Stopped"}
MEANINGS = {"Employee": "staff", "Digital ambassador": "staff", "Done": "completed", "Stopped": "closed"}
ACTION_THEMES = {"Confident digital workforce": "Digital skills", "Reliable IT": "IT reliability"}  # one page without

PAGES = ("app.py", *sorted(str(p.relative_to(ROOT)) for p in (ROOT / "pages").glob("*.py")))
KEY = "another-trusts-own-perturbation-key-of-enough-length"


def _areas() -> dict[str, str]:
    """Every demo service area -> a new name in its new care group."""
    with open(DEMO_EXTRACTS / "service_areas.csv", newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    return {r["service_area"]: f"{CARE_GROUPS[r['care_group']].split()[0]} team {i:03d}" for i, r in enumerate(rows)}


AREAS = _areas()
RENAME = {
    "care_group": CARE_GROUPS,
    "service_area": AREAS,
    "survey": SURVEYS,
    "theme": THEMES,
    "format": FORMATS,
    "status": STATUSES,
}


def _staff_group(old: str, row_id: str) -> str:
    if old in EXTRA_STAFF_GROUPS and zlib.crc32(row_id.encode()) % 3 == 0:
        return EXTRA_STAFF_GROUPS[old]
    return STAFF_GROUPS.get(old, old)


def _rewrite(path: Path) -> None:
    with open(path, newline="", encoding="utf-8") as handle:
        reader = csv.DictReader(handle)
        header, rows = reader.fieldnames, list(reader)
    for row in rows:
        for column, names in RENAME.items():
            if row.get(column):
                row[column] = names[row[column]]
        if row.get("comment"):  # comments name places too: the Trust's own
            for old, new in AREAS.items():
                row["comment"] = row["comment"].replace(old, new)
        if row.get("staff_group"):
            row["staff_group"] = _staff_group(row["staff_group"], next(iter(row.values())))
    with open(path, "w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, header)
        writer.writeheader()
        writer.writerows(rows)


def _lists() -> list[tuple[str, str, str]]:
    rows = [("care_group", g, "") for g in dict.fromkeys(CARE_GROUPS.values())]
    rows += [("staff_group", g, "") for g in (*STAFF_GROUPS.values(), *EXTRA_STAFF_GROUPS.values())]
    rows += [("survey", s, MEANINGS.get(s, "")) for s in SURVEYS.values()]
    rows += [("theme", t, ACTION_THEMES.get(t, "")) for t in THEMES.values()]
    rows += [("format", f, "") for f in FORMATS.values()]
    rows += [("status", s, MEANINGS.get(s, "")) for s in STATUSES.values()]
    return rows


@pytest.fixture(scope="module")
def other_trust(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("other-trust")
    extracts = folder / "extracts"
    shutil.copytree(DEMO_EXTRACTS, extracts)
    (extracts / "SYNTHETIC_DEMO_DATA.json").unlink()  # another Trust's files: real-looking, a key of its own
    for path in extracts.glob("*.csv"):
        if path.name not in ("lists.csv", "questions.csv", "waves.csv"):  # the questions stay the same
            _rewrite(path)
    with open(extracts / "lists.csv", "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(("list", "value", "meaning"))
        writer.writerows(_lists())
    database = folder / "engagement.duckdb"
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv(KEY_SETTING, KEY)
        report = build(extracts, database)
    assert not any(f.rows_rejected for f in report.files), report.text()
    assert len(dict.fromkeys(CARE_GROUPS.values())) == 3 and len(_lists()) - 3 - 4 - 15 - 3 - 4 == 12
    return database


def _texts(node) -> list[str]:
    """Every text of an element tree: each element's message (labels, options, markdown, chart specs
    and their data) and each table's cells and columns."""
    children = getattr(node, "children", None)
    if children is not None:
        return [text for child in children.values() for text in _texts(child)]
    value = getattr(node, "value", None) if type(node).__name__ in ("Dataframe", "Table") else None
    if value is not None:
        return [*map(str, value.columns), *(str(cell) for cell in value.to_numpy().ravel())]
    proto = getattr(node, "proto", None)
    text = str(proto) if proto is not None else ""
    return [text.replace("\\'", "'").replace('\\"', '"')]


@pytest.fixture(scope="module")
def pages(other_trust: Path) -> dict[str, tuple[str, str]]:
    """Per page: (the whole page's text, the main area's text), with no filters."""
    shown = {}
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("DASHBOARD_DB", str(other_trust))
        for page in PAGES:
            at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120)
            if page != "app.py":
                at.switch_page(page)
            at.run()
            assert not at.exception, (page, at.exception)
            main = "\n".join(_texts(at.main))
            shown[page] = ("\n".join(_texts(at.sidebar)) + "\n" + main, main)
    return shown


DEMO_NAMES = (
    *CARE_GROUPS,
    *AREAS,
    *THEMES,
    *STAFF_GROUPS,
    *(s for s in SURVEYS if s not in ("Staff", "Carer")),  # plain words too ("Staff engaged", comments)
    *FORMATS,
    "Not started",
    "In progress",
)


def test_no_page_names_anything_of_the_demo_trust(pages) -> None:
    for page, (text, _) in pages.items():
        named = [name for name in DEMO_NAMES if name in text]
        assert not named, (page, named)


def test_every_name_of_the_trust_is_shown_where_it_belongs(pages) -> None:
    def on(page: str) -> str:
        return pages[page][1]

    for page, (whole, _) in pages.items():  # the sidebar's filters offer the Trust's own lists
        for name in (*CARE_GROUPS.values(), *SURVEYS.values(), *STAFF_GROUPS.values(), *EXTRA_STAFF_GROUPS.values()):
            assert name in whole, (page, name)
    for name in dict.fromkeys(CARE_GROUPS.values()):
        assert name in on("pages/5_Engagement.py") and name in on("pages/1_Digital_skills.py"), name
    for name in SURVEYS.values():
        assert name in on("app.py"), name
    for name in STATUSES.values():
        assert name in on("pages/6_Actions_and_quick_wins.py"), name
    for name in FORMATS.values():
        assert name in on("pages/5_Engagement.py"), name
    for name in ("Confident digital workforce", "Reliable IT", "Data and insight"):
        assert name in on("pages/6_Actions_and_quick_wins.py"), name


def test_the_pages_say_when_the_engagement_ran_from_the_data(pages, small_extracts, tmp_path) -> None:
    assert "engagement (February to June 2021)" in pages["app.py"][1]  # the renamed demo's conversations
    assert "held with staff, February to June 2021." in pages["pages/5_Engagement.py"][1]
    path = tmp_path / "small.duckdb"
    build(small_extracts, path)  # conversations on 15 March and 1 April 2021
    database = db.Database(path)
    try:
        assert engagement.conversation_months(database) == "March to April 2021"
    finally:
        database.close()


@pytest.mark.parametrize(
    ("first", "last", "text"),
    [
        (dt.date(2021, 2, 1), dt.date(2021, 6, 30), "February to June 2021"),
        (dt.date(2020, 11, 5), dt.date(2021, 3, 1), "November 2020 to March 2021"),
        (dt.date(2021, 3, 1), dt.date(2021, 3, 31), "March 2021"),
        (None, None, ""),
    ],
)
def test_month_span(first, last, text) -> None:
    assert month_span(first, last) == text


def test_a_question_theme_without_a_strategy_theme_says_how_to_link_one(other_trust, monkeypatch) -> None:
    monkeypatch.setenv("DASHBOARD_DB", str(other_trust))
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120)
    at.switch_page("pages/6_Actions_and_quick_wins.py")
    at.run()
    (box,) = [s for s in at.selectbox if s.key == "actions_results_measure"]
    box.set_value("info_available").run()
    assert not at.exception
    said = [m.value for m in at.markdown if "No strategy theme is linked" in m.value]
    assert said and "Information to run services" in said[0] and "lists.csv" in said[0]
