"""The Response rates section of All questions: the table of ``dashboard.features.response_rates``
for the page's wave and areas, what is not yet reportable, the definition and the downloads
(``response_rates.section``, drawn on screen; My area prints it in its PDF too)."""

from __future__ import annotations

import datetime as dt

from dashboard.features import response_rates
from dashboard.render import screen, ui

TABLE_COLUMNS = response_rates.TABLE_COLUMNS
table = response_rates.table  # for people and downloads (kept here for its callers)


def render(page, areas: tuple[str, ...] | None = None, today: dt.date | None = None) -> None:
    """The Response rates section for ``page`` (a ``dashboard.render.ui.Page``): its wave, and the areas its
    care group and service area filters select, limited to ``areas`` when given (None: no limit).
    ``today`` (default: today) decides whether the wave is still open; for tests. The section is
    ``response_rates.section``, drawn by ``dashboard.render.screen``."""
    withheld = ui.WITHHELD_MESSAGE if page.survey_withheld else None
    screen.draw(
        response_rates.section(
            page.database, page.options, page.filters, page.threshold, areas=areas, today=today, withheld=withheld
        ),
        page,
    )
