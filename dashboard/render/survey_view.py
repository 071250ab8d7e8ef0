"""The three survey theme pages on screen and in their PDF.

``render(page, "it_skills")`` draws the page ``dashboard.features.theme_page`` describes for one
survey measure and the shared filters (the headline beside the whole Trust's figure, the answer
distribution, a breakdown by a dimension the user picks, the trend by month, the comments) with
``dashboard.render.screen``, and records the same items, part by part, in the page's PDF
(``Printout.part(...).items``, as ``printout.of_view`` does): screen and PDF agree by construction.
This module only reads the page's controls (the question, the breakdown's dimension, the comment
search) and hands their values to the description. The breakdown and the comments rerun on their
own when their control changes; each then describes, draws and records its part again, so the PDF
is the view on screen when clicked.
"""

from __future__ import annotations

from collections.abc import Sequence

import streamlit as st

from dashboard.core import measures
from dashboard.core.measures import SurveyMeasure
from dashboard.features import comments, survey, theme_page
from dashboard.features.view import Item, Notice
from dashboard.render import downloads, screen, ui
from dashboard.render.printout import Printout
from dashboard.render.sections import section


def render_theme(page: ui.Page, theme: str) -> None:
    """A theme page: the questions of ``theme`` asked in the page's wave (a choice when there are
    several, kept in the link as ``question``), each drawn by ``render``."""
    wave = page.options.wave_of(page.filters)
    asked = {key: m for key, m in measures.theme_measures(page.database, theme).items() if wave in m.waves}
    if not asked:
        st.info(
            f"No question of this theme was asked in {ui.escape_markdown(page.options.wave_name(wave))}. "
            "Pick another survey wave in the sidebar.",
            icon=":material/quiz:",
        )
        return
    key = next(iter(asked))
    if len(asked) > 1:
        # Shown by measure title, which is also what the link holds (a bound box reads back only
        # the text it shows): question=Confident+with+the+patient+record.
        by_title = {m.title: k for k, m in asked.items()}
        title = st.selectbox(
            "Question",
            tuple(by_title),
            key="question",
            bind="query-params",
            help="This theme has more than one question in this wave.",
        )
        key = by_title.get(title, key)
    render(page, key, theme)


def selection(page: ui.Page) -> theme_page.Selection:
    """What the description reads of the page: its database, filters, choices, threshold and grant."""
    return theme_page.Selection(
        page.database, page.filters, page.options, page.threshold, ui.describe(page), page.grant
    )


def render(page: ui.Page, measure_key: str, theme: str | None = None) -> None:
    measure = measures.survey_measures(page.database)[measure_key]
    chosen = selection(page)
    printout = Printout(f"{theme_page.title(theme)}: {measure.title}")
    _show(page, printout, "about", theme_page.about(chosen, measure))
    if page.survey_withheld:
        screen.draw((Notice(ui.WITHHELD_MESSAGE),), page)
        return
    headline, hidden = theme_page.headline(chosen, measure)
    _show(page, printout, "headline", headline)
    if not hidden:
        _show(page, printout, "answers", theme_page.answers(chosen, measure))
        _breakdown(page, measure, printout)
        _show(page, printout, "trend", theme_page.trend(chosen, measure))
    _comments(page, measure, printout)
    _show(page, printout, "closing", theme_page.closing(ui.disclosure_note(page.threshold)))
    downloads.pdf_button(
        printout, f"{measure.key}_view", page, note=f"{measure.title}. {measure.definition}", key=f"{measure.key}_view"
    )


def _show(page: ui.Page, printout: Printout, part: str, items: Sequence[Item]) -> None:
    """Draw ``items`` and record them as the PDF's ``part`` (what it recorded before is replaced)."""
    screen.draw(items, page)
    printout.part(part).items(items)


@section
def _breakdown(page: ui.Page, measure: SurveyMeasure, printout: Printout) -> None:
    heading = st.container()  # the part's heading, above the control that chose its dimension
    dimension = (
        st.segmented_control(
            "Break down by",
            survey.DIMENSIONS,
            format_func=survey.DIMENSION_TITLES.get,
            default=theme_page.DEFAULT_BREAKDOWN,
            required=True,
            key="breakdown",
            bind="query-params",
        )
        or theme_page.DEFAULT_BREAKDOWN
    )
    items = theme_page.breakdown(selection(page), measure, dimension)
    with heading:
        screen.draw(items[:1], page)
    screen.draw(items[1:], page)
    printout.part("breakdown").items(items)  # redrawn on its own: the PDF then prints the new breakdown


@section
def _comments(page: ui.Page, measure: SurveyMeasure, printout: Printout) -> None:
    chosen = selection(page)
    found = theme_page.comment_listing(chosen)
    if not found.listed:
        _show(page, printout, "comments", theme_page.comments(chosen, measure, found=found))
        return
    heading = st.container()  # the section's heading, above its search box
    search = st.text_input(
        "Search the comments",
        key="comment_search",
        max_chars=comments.MAX_SEARCH_CHARS,
        placeholder="For example: Wi-Fi",
        help="Shows the comments that contain this text, ignoring case.",
    )
    items = theme_page.comments(chosen, measure, search, found=found)
    with heading:
        screen.draw(items[:1], page)
    screen.draw(items[1:], page)
    printout.part("comments").items(items)
