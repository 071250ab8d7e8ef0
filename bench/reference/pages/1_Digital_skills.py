"""Reference Digital skills page (usual pandas style)."""

from bench.reference import common

common.survey_page("it_skills", "Digital skills")
