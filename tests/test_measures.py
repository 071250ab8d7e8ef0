"""The headline survey measures: one definition, and the rest-of-Trust rule of disclosure control."""

from __future__ import annotations

import pandas as pd
import pytest

from dashboard import db, measures
from dashboard.filters import Filters
from tests.conftest import DEMO_EXTRACTS


@pytest.fixture
def pinned(demo_db):
    database = db.Database(demo_db)
    db.pin(database)
    yield database
    db.pin(None)
    database.close()


def answered_it_skills(surveys: list[str]) -> int:
    responses = pd.read_csv(DEMO_EXTRACTS / "survey_responses.csv", dtype=str)
    return int(responses.loc[responses["survey"].isin(surveys), "it_skills"].notna().sum())


def test_a_selection_is_hidden_when_the_rest_of_the_trust_is_small(pinned):
    everyone = answered_it_skills(["Staff", "Digital champion", "Service user", "Carer"])
    all_but_champions = answered_it_skills(["Staff", "Service user", "Carer"])
    rest = everyone - all_but_champions
    # A threshold just above the rest makes the rest a small group; just at it, it is not.
    hidden = measures.survey_headline(Filters(surveys=("Staff", "Service user", "Carer")), rest + 1).loc["it_skills"]
    assert hidden["hidden"] and "rest of the Trust" in hidden["hidden_reason"]
    assert pd.isna(hidden["n"]) and pd.isna(hidden["percent"])
    shown = measures.survey_headline(Filters(surveys=("Staff", "Service user", "Carer")), rest).loc["it_skills"]
    assert not shown["hidden"] and shown["n"] == all_but_champions


def test_no_filters_gives_the_published_figures(pinned):
    headline = measures.survey_headline(Filters(), 10)
    assert headline["percent"].to_dict() == {"it_skills": 39, "info_available": 69, "it_unreliable": 65}
    assert not headline["hidden"].any()
