"""Overview: the engagement's headline measures for the current filters."""

import streamlit as st

from dashboard.core import lists, measures
from dashboard.core.text import and_list
from dashboard.features import engagement, survey
from dashboard.render import ui

page = ui.page_setup("Digital strategy engagement: overview", script=__file__)

held = engagement.conversation_months(page.database)
surveys = ui.escape_markdown(and_list(lists.of(page.database)["survey"]))
st.markdown(
    f"The Trust's digital strategy engagement{f' ({held})' if held else ''}: the conversations held "
    f"with staff and what came of them, beside what the surveys ({surveys}) said in each survey wave. "
    f"Filters: {ui.filters_text(page)}."
)

st.header("Engagement")
engagement = measures.engagement_headline(page.database, page.filters)
ui.engagement_tiles(measures.OVERVIEW_ENGAGEMENT, engagement, fit_labels=True)

st.header("Survey results")
if ui.survey_withheld(page):
    st.stop()
tiles = measures.headline_measures(page.database)
wave = page.options.wave_of(page.filters)
st.markdown(
    f"Survey wave: **{ui.escape_markdown(page.options.wave_name(wave))}**. Every question of the wave is "
    "on All questions."
)
if not tiles:
    st.markdown("The question bank has no question on the three theme pages; every question is on All questions.")
for column, measure in zip(st.columns(max(len(tiles), 1)), tiles.values()):
    if wave not in measure.waves:
        column.metric(measure.title, "Not asked", border=True, help=f"{measure.question} Not asked in this wave.")
        continue
    row = survey.headline(page.database, measure.key, page.filters).iloc[0]
    ui.survey_tile(column, page, measure, row, label=measure.title)
ui.comparison_note(page)
if page.filters.months_chosen:
    st.markdown(
        "Survey figures are for the whole wave: the months picked narrow the engagement figures above, not these."
    )

st.markdown(ui.disclosure_note(page.threshold))
