"""Reference IT reliability page (usual pandas style)."""

from bench.reference import common

common.survey_page("it_unreliable", "IT reliability")
