"""My area: a digital champion's one-screen scorecard for one service area."""

import pandas as pd
import streamlit as st

from dashboard.core import measures
from dashboard.features import beside_action, my_area
from dashboard.render import downloads, my_area_text, response_rates_view, ui
from dashboard.render.printout import Printout

page = ui.page_setup("My area", script=__file__, icon=":material/location_on:")


def choose_area() -> None:
    # Runs before the next script run, so the sidebar's (URL-bound) service area
    # filter can still be set: the page address then carries the area.
    choice = st.session_state.get("my_area_choice")
    if choice:
        st.session_state["service_area"] = [choice]


chosen = page.filters.service_areas
if len(chosen) != 1:
    allowed = page.options.service_areas(page.filters.care_groups)
    listed = (
        f"the {len(allowed)} service areas of {ui.escape_markdown(', '.join(page.filters.care_groups))}"
        if page.filters.care_groups
        else f"all {len(allowed)} service areas (the sidebar's care group filter narrows it)"
    )
    st.markdown(
        "A one-page scorecard for one service area: its engagement and survey results beside its care group "
        "and the Trust. "
        + (
            f"You have {len(chosen)} service areas picked in the sidebar; pick one here instead. "
            if chosen
            else "Pick your service area. "
        )
        + f"The list shows {listed}."
    )
    st.selectbox(
        "Your service area",
        allowed,
        index=None,
        placeholder="Choose a service area",
        key="my_area_choice",
        on_change=choose_area,
    )
    st.stop()

area = chosen[0]
care_group = page.options.care_group_of(area)
area_text, group_text = ui.escape_markdown(area), ui.escape_markdown(care_group)

st.subheader(area_text)
shared_filters = ui.escape_markdown(my_area.scope_filters(page.filters, area, care_group)["trust"].describe())
about = (
    f"Care group: **{group_text}** · Engagement, same filters for all three: **{shared_filters}** · "
    f"{my_area.FIXED_TOTALS} · Six tests: about one scorecard in four flags by chance"
)
st.markdown(about)
printout = Printout(f"My area: {area}")
printout.part("about").paragraph(about)
note = f"Service area: {area} ({care_group})"
with st.sidebar:  # kept out of the printed page
    st.markdown("**This scorecard**")
    scorecard_files = st.container()
    downloads.pdf_button(printout, "my_area_scorecard", page, note=note, key="my_area")
    st.markdown("To print it on one page, close this sidebar and use your browser's Print.")

engagement = my_area.engagement_scorecard(page.database, page.filters, area, care_group)
engagement_table = engagement.set_index("title").loc[:, list(my_area.SCOPES)].T  # scopes down, measures across
engagement_table = engagement_table.map(ui.format_number).rename(index=my_area.SCOPES).rename_axis("Engagement")
st.table(engagement_table)
printout.part("engagement").heading("Engagement").table(engagement_table.T.rename_axis("Measure"))

if ui.survey_withheld(page):
    st.stop()
headline = measures.headline_measures(page.database)
results, comparisons = my_area.survey_scorecard(page.database, page.filters, headline, area, care_group)
survey_table, comparison_table = my_area_text.survey_tables(results, comparisons, headline)
st.table(survey_table.rename_axis("Survey: % (95% CI, n)"))
against = f"**Against the rest** by the {my_area.TEST_NAME}: ▲ higher, ▼ lower (p < 0.05)"
st.markdown(against)
st.table(comparison_table.rename_axis("Survey"))
part = printout.part("survey").heading("Survey results").table(survey_table, caption="% (95% CI, n)")
for measure, chart, summary in my_area_text.scorecard_charts(results, headline, area, care_group):
    part.heading(measure, level=2).chart(chart, summary)
part.heading("Against the rest", level=2).paragraph(against).table(comparison_table)
span = beside_action.between_waves(page.options, page.filters)
if span is not None:
    then, now = page.filters.compare, page.options.wave_of(page.filters)
    since = my_area.since_table(page.database, page.filters, page.options, then, now)
    since_text = (
        f"**Since {ui.escape_markdown(page.options.wave_name(then))}**: each result in both waves (whole "
        f"waves), its change, and the actions this area completed between them ({span[0]:%B %Y} to "
        f"{span[1]:%B %Y}). Actions and quick wins completed are engagement counts: exact."
    )
    st.markdown(since_text)
    since_table = since.set_index("Measure").map(lambda value: "" if pd.isna(value) else str(value))
    st.table(since_table)
    printout.part("since").heading(f"Since {page.options.wave_name(then)}").paragraph(since_text).table(since_table)
else:
    ui.comparison_note(page)
with st.expander("Response rates: this area, its care group and the Trust"):
    response_rates_view.render(page, areas=(area,), part=printout.part("response rates"))
printout.part("definitions").heading("Definitions").table(my_area_text.definitions_table(headline))
summary = my_area_text.summary_frame(area, care_group, engagement, results, comparisons, headline)
with scorecard_files:
    downloads.download_buttons(summary, "my_area_scorecard", page, note=note, key="download_my_area")
