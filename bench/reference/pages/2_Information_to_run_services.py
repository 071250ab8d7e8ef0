"""Reference Information to run services page (usual pandas style)."""

from bench.reference import common

common.survey_page("info_available", "Information to run services")
