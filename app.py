"""Overview: the engagement's headline measures for the current filters."""

import streamlit as st

from dashboard import measures, ui

page = ui.page_setup("Digital strategy engagement: overview", icon=":material/home:")

st.markdown(
    "The Trust's digital strategy engagement, February to June 2021: the conversations held "
    "with staff and what came of them, beside what surveys of service users, carers, staff and "
    f"digital champions said. Filters: {ui.filters_text(page)}."
)

st.subheader("Engagement")
engagement = measures.engagement_headline(page.filters)
# Columns as wide as their labels need, so no tile's name is cut short.
widths = [len(measure.title) + 8 for measure in measures.ENGAGEMENT_MEASURES]  # + the help icon
for column, measure in zip(st.columns(widths), measures.ENGAGEMENT_MEASURES):
    column.metric(measure.title, ui.format_number(engagement[measure.key]), help=measure.definition, border=True)

st.subheader("Survey results")
if ui.survey_withheld(page):
    st.stop()
survey = measures.survey_headline(page.filters, page.threshold)
for column, measure in zip(st.columns(len(measures.SURVEY_MEASURES)), measures.SURVEY_MEASURES.values()):
    row = survey.loc[measure.key]
    value = "Hidden" if row["hidden"] else f"{row['percent']}%"
    column.metric(measure.title, value, help=f"{measure.question} {measure.definition}", border=True)
    column.markdown(ui.percent_text(row))

st.markdown(ui.disclosure_note(page.threshold))
