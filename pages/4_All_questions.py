"""All questions: every question of the bank in every wave that asked it, and what changed."""

import streamlit as st

from dashboard.core import measures, wording
from dashboard.features import all_questions
from dashboard.render import downloads, response_rates_view, survey_charts, ui

page = ui.page_setup("All questions", script=__file__)

st.markdown(
    "Every survey question in every wave that asked it, for the units picked in the sidebar "
    f"(filters: {ui.filters_text(page)}). Each wave is shown whole: the month filter applies within one wave, "
    "so it does not apply here."
)
if ui.survey_withheld(page):
    st.stop()
results = all_questions.results(page.database, page.filters, page.options)
changed = all_questions.changes(results, page.filters, page.options)
table = all_questions.table(measures.survey_measures(page.database), results, changed, page.options)
summary = ui.escape_markdown(all_questions.sentence(changed, page.filters, page.options))
shown = results.loc[~results["hidden"]].astype({"share": float, "low": float, "high": float, "n": float})
st.header("Results by wave")
if len(shown):
    ui.chart_block(survey_charts.wave_points(shown, "label", "Measure"), table, summary, key="all_questions")
else:
    st.markdown(summary)
    ui.show_table(table, key="table_all_questions")
hidden = results.loc[results["hidden"]]
if len(hidden):
    st.markdown(
        "**Hidden:** "
        + "; ".join(
            f"{ui.escape_markdown(label)} in {ui.escape_markdown(wave)} ({ui.escape_markdown(reason)})"
            for label, wave, reason in zip(hidden["label"], hidden["wave_name"], hidden["hidden_reason"])
        )
        + "."
    )
for line in all_questions.left_out_lines(results):
    st.markdown(ui.escape_markdown(line))
downloads.download_buttons(
    table,
    "all_questions",
    page,
    key="all_questions",
    note="Every question in every wave that asked it, over each whole wave. Percent = positive / n (see each "
    "question's measure on Data and definitions). Change is in percentage points, from the compared wave to "
    f"the wave picked. {wording.CHANCE_SENTENCE}",
)
st.markdown(
    f"{ui.disclosure_note(page.threshold)} The change is the difference of the two percentages shown. "
    f"{wording.CHANCE_SENTENCE} It is worked out from the released counts (the noise, at most 3 in a count, is "
    "small beside the chance differences of any group large enough to be shown); Data and definitions gives "
    "the method."
)

response_rates_view.render(page)
