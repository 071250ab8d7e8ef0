"""The Response rates section of All questions and My area: the table of ``dashboard.features.response_rates``
for the page's wave and areas, what is not yet reportable, the definition and the downloads."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import streamlit as st

from dashboard.core import lists
from dashboard.features import response_rates
from dashboard.render import downloads, ui

TABLE_COLUMNS = {
    "service_area": "Service area",
    "care_group": "Care group",
    "headcount": "Headcount",
    "responses": "Responses",
    "rate": "Response rate (%)",
    "note": "Note",
}


def table(frame: pd.DataFrame) -> pd.DataFrame:
    """For people and downloads: Service area, Care group, Headcount, Responses, Response rate (%), Note."""
    return frame[list(TABLE_COLUMNS)].rename(columns=TABLE_COLUMNS)


def render(page, areas: tuple[str, ...] | None = None, today: dt.date | None = None, part=None) -> None:
    """The Response rates section for ``page`` (a ``dashboard.render.ui.Page``): its wave, and the areas its
    care group and service area filters select, limited to ``areas`` when given (None: no limit).
    ``today`` (default: today) decides whether the wave is still open; for tests. ``part`` (a
    ``dashboard.render.printout.Part``) records the section for the page's PDF."""
    st.subheader("Response rates")
    st.markdown(ui.escape_markdown(response_rates.explanation(page.threshold)))
    if part is not None:
        part.heading("Response rates").paragraph(response_rates.explanation(page.threshold))
    if ui.survey_withheld(page):
        return
    wave = page.options.wave_of(page.filters)
    listed = response_rates.listed_areas(page.filters, page.options, areas)
    frame = response_rates.rates(page.database, page.options, wave, listed, today)
    shown = table(frame)
    ui.show_table(shown, key="table_response_rates")
    open_wave = response_rates.is_open(page.options, wave, today)
    waiting = frame.loc[frame["hidden"] & (frame["level"] == "service_area")]
    if open_wave:
        closed = page.options.wave_dates[wave][1]
        st.markdown(
            f"The survey wave {ui.escape_markdown(page.options.wave_name(wave))} is open until "
            f"{closed.day} {closed:%B %Y}: figures will change as responses come in. "
            + (
                f"Not yet reportable: {len(waiting)} of the {len(frame)} rows (see Note)."
                if len(waiting)
                else "Every row is reportable."
            )
        )
    if not listed:
        st.markdown("No service area is selected by the filters: only the Trust is shown.")
    if not frame["areas_known"].any():
        st.markdown(
            "No service area has a headcount, so there is no rate: the Trust adds a `headcount` column "
            "to its service areas extract (see Data and definitions)."
        )
    st.markdown(ui.escape_markdown(response_rates.definition(page.threshold, lists.of(page.database).staff_surveys)))
    if part is not None:
        part.table(shown).paragraph(response_rates.definition(page.threshold, lists.of(page.database).staff_surveys))
    downloads.download_buttons(
        shown,
        "response_rates",
        page,
        key="response_rates",
        note=response_rates.definition(page.threshold, lists.of(page.database).staff_surveys)
        + " "
        + response_rates.explanation(page.threshold),
    )
