"""My area: a digital champion's one-screen scorecard for one service area."""

import streamlit as st

from dashboard.features import my_area_view
from dashboard.render import downloads, printout, screen, ui

# The scorecard's PDF button goes above the sidebar's page links, a few tab stops from the start of the
# page (below the links and filters it was the 25th); the container is made before the page sets up.
first_in_sidebar = st.sidebar.container()
page = ui.page_setup("My area", script=__file__)


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
withheld = ui.WITHHELD_MESSAGE if page.survey_withheld else None
view = my_area_view.describe(page.database, page.filters, page.options, page.threshold, area, withheld=withheld)
note = f"Service area: {area} ({page.options.care_group_of(area)})"
with first_in_sidebar:
    downloads.pdf_button(printout.of_view(view, one_page=True), "my_area_scorecard", page, note=note, key="my_area")
with st.sidebar:  # kept out of the printed page
    st.markdown("**This scorecard**")
    if view.download is not None:
        downloads.download_buttons(view.download, "my_area_scorecard", page, note=note, key="download_my_area")
    st.markdown("To print it on one page, close this sidebar and use your browser's Print.")
screen.draw_view(view, page)  # the PDF is the same view: same figures, order, rounding and titles
