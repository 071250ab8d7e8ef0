"""The Streamlit rendering shared by the three survey theme pages.

``render(page, "it_skills")`` draws, for one survey measure and the shared
filters: the headline beside the whole Trust's figure, the answer distribution,
a breakdown by a dimension the user picks, the trend by month, and the
comments. Every figure comes from ``dashboard.features.survey`` already under disclosure
control; this module only lays it out, says what is hidden and why, and
escapes any text that came from data before it reaches markdown.
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

from dashboard.core import disclosure, measures
from dashboard.core.measures import SurveyMeasure
from dashboard.features import comments, survey, survey_text
from dashboard.render import charts, downloads, survey_charts, ui
from dashboard.render.printout import Printout
from dashboard.render.sections import section


def _fit_width(chart: charts.VegaLite) -> charts.VegaLite:
    """Fit the chart to the container's width only, so its height is the plot's own.

    Streamlit's default autosize ("fit") squeezes axes and legend into the
    chart's height; a one-row diverging bar with its legend then has no room left.
    """
    return chart.properties(autosize={"type": "fit-x", "contains": "padding"})


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


def render(page: ui.Page, measure_key: str, theme: str | None = None) -> None:
    measure = measures.survey_measures(page.database)[measure_key]
    printout = Printout(f"{theme or 'Survey'}: {measure.title}")
    about = f"**Question:** {measure.question} **Measure:** {measure.definition} "
    st.markdown(about + f"Filters: {ui.filters_text(page)}.")
    printout.part("about").paragraph(about)
    if ui.survey_withheld(page):
        return
    care_group = survey.care_group_of_selection(page.filters, page.options.care_group_of)
    headline = survey.headline(page.database, measure_key, page.filters, care_group)
    _headline(page, measure, headline, printout)
    if survey.selected_is_hidden(headline):
        hidden = (
            f"This selection's result is hidden: {disclosure.HIDDEN} (fewer than {page.threshold} responses, or it "
            "would let a smaller group be worked out from other figures). Its answers, breakdowns and trend are "
            "hidden too. Widen the filters to see them."
        )
        st.info(hidden, icon=":material/visibility_off:")
        printout.part("hidden").paragraph(hidden)
    else:
        _distribution(page, measure, printout)
        _breakdown(page, measure, printout)
        _trend(page, measure, printout)
    _comments(page, measure)
    closing = (
        f"{ui.disclosure_note(page.threshold)} Every percentage is shown with its base (n) and a 95% "
        "Wilson interval. Data and definitions says more."
    )
    st.markdown(closing)
    printout.part("definitions").heading("Definitions").paragraph(
        f"{measure.question} {measure.definition} {closing} Comments are not printed: they are listed, and "
        "downloaded, on the page."
    )
    downloads.pdf_button(
        printout, f"{measure.key}_view", page, note=f"{measure.title}. {measure.definition}", key=f"{measure.key}_view"
    )


def _headline(page: ui.Page, measure: SurveyMeasure, headline: pd.DataFrame, printout: Printout) -> None:
    st.subheader(measure.title)
    tiles = [
        ui.survey_tile(column, page, measure, row, label=row["level"])
        for column, (_, row) in zip(st.columns(len(headline)), headline.iterrows())
    ]
    part = printout.part("headline").heading(measure.title).metrics(tiles)
    if page.filters.is_empty:
        st.markdown("No filters are set, so this selection is the whole Trust.")
    sentence = ui.escape_markdown(survey_text.headline_sentence(measure, headline))
    st.markdown(sentence)
    part.paragraph(sentence)
    for note in survey_text.headline_notes(headline, page.filters):
        st.markdown(ui.escape_markdown(note))
        part.paragraph(note)
    ui.comparison_note(page)


def _distribution(page: ui.Page, measure: SurveyMeasure, printout: Printout) -> None:
    st.subheader("Answers")
    frame = survey.distribution(page.database, measure.key, page.filters)
    # The diverging bar shows the answers counted in the measure, as shares of its
    # base; an answer outside the base (Don't know) is shown apart, in the table and text.
    counted = [a for a, c in zip(frame["answer"], frame["counted"]) if c is not False]
    apart = [a for a, c in zip(frame["answer"], frame["counted"]) if c is False]
    data = frame.loc[frame["answer"].isin(counted), ["answer", "share"]].assign(group="This selection")
    data["share"] = data["share"].astype(float)
    negative, neutral, positive = (
        [a for a in side if a in counted] for side in (measure.negative, measure.neutral, measure.positive_answers)
    )
    chart = _fit_width(
        survey_charts.diverging_stacked(  # drawn left to right: negative, neutral, positive
            data, "group", [*negative, *neutral, *positive], negative=negative, neutral=neutral, positive=positive
        )
    )
    table, summary = (
        survey_text.distribution_table(frame),
        ui.escape_markdown(survey_text.distribution_sentence(measure, frame)),
    )
    ui.chart_block(chart, table, summary, key=f"{measure.key}_answers")
    part = printout.part("answers").heading("Answers").chart(chart, summary, table)
    if apart:
        st.markdown(f"{' and '.join(apart)} is shown apart: it is not counted in the measure.")
        part.paragraph(f"{' and '.join(apart)} is shown apart: it is not counted in the measure.")


def _hidden_list(labels: list[str], reasons: list[str], part) -> None:
    """Say under a chart which groups are hidden and why (labels escaped: they came from data)."""
    by_reason: dict[str, list[str]] = {}
    for label, reason in zip(labels, reasons):
        by_reason.setdefault(str(reason), []).append(ui.escape_markdown(label))
    for reason, names in by_reason.items():
        heading = reason if reason.startswith("hidden") else f"hidden, {reason}"
        line = f"**{ui.escape_markdown(heading[0].upper() + heading[1:])}:** {'; '.join(names)}."
        st.markdown(line)
        part.paragraph(line)


def _numeric(frame: pd.DataFrame) -> pd.DataFrame:
    return frame.astype(dict.fromkeys(survey.FIGURES, float))


@section
def _breakdown(page: ui.Page, measure: SurveyMeasure, printout: Printout) -> None:
    st.subheader("Breakdown")
    dimension = (
        st.segmented_control(
            "Break down by",
            survey.DIMENSIONS,
            format_func=survey.DIMENSION_TITLES.get,
            default="care_group",
            required=True,
            key="breakdown",
            bind="query-params",
        )
        or "care_group"
    )
    title = survey.DIMENSION_TITLES[dimension]
    frame = survey.breakdown(page.database, measure.key, dimension, page.filters)
    table = survey_text.breakdown_table(frame, dimension)
    summary = ui.escape_markdown(survey_text.breakdown_sentence(measure, dimension, frame))
    hidden = frame.loc[frame["hidden"].astype(bool)]
    shown = frame.loc[~frame["hidden"].astype(bool)]
    # Redrawn on its own when the dimension changes: the PDF then prints the new breakdown.
    part = printout.part("breakdown").heading(f"Breakdown by {title.lower()}")
    if len(shown):
        chart = _fit_width(survey_charts.interval_bars(_numeric(shown), "group", title, value_title=measure.title))
        ui.chart_block(chart, table, summary, key=f"{measure.key}_breakdown")
        part.chart(chart, summary, table)
    else:
        st.markdown(summary)
        ui.show_table(table, key=f"table_{measure.key}_breakdown")
        part.paragraph(summary).table(table)
    _hidden_list(list(hidden["group"]), list(hidden["hidden_reason"]), part)
    downloads.download_buttons(
        table,
        f"{measure.key}_by_{dimension}",
        page,
        note=f"{measure.title} by {title.lower()}. {measure.definition} n is the number counted in the measure; "
        "Percent = Positive / n, with its 95% Wilson interval. Hidden rows keep their label and give the reason.",
        key=f"{measure.key}_breakdown",
    )


def _trend(page: ui.Page, measure: SurveyMeasure, printout: Printout) -> None:
    st.subheader("By month")
    frame = survey.trend(page.database, measure.key, page.filters)
    summary = ui.escape_markdown(survey_text.trend_sentence(frame))
    whole_units = survey_text.trend_note(page.filters)
    if whole_units:
        st.markdown(ui.escape_markdown(whole_units))
    hidden = frame.loc[frame["hidden"].astype(bool)]
    shown = frame.loc[~frame["hidden"].astype(bool)]
    part = printout.part("trend").heading("By month")
    if whole_units:
        part.paragraph(whole_units)
    if len(shown):
        chart = _fit_width(survey_charts.trend(_numeric(shown), "month", "Month", value_title=measure.title))
        ui.chart_block(chart, survey_text.trend_table(frame), summary, key=f"{measure.key}_trend")
        part.chart(chart, summary, survey_text.trend_table(frame))
    else:
        st.markdown(summary)
        part.paragraph(summary)
    _hidden_list([survey_text.month_label(m) for m in hidden["month"]], list(hidden["hidden_reason"]), part)


@section
def _comments(page: ui.Page, measure: SurveyMeasure) -> None:
    st.subheader("Comments")
    found = comments.listing(page.database, page.filters, page.options, page.grant)
    nearest = (
        f" {ui.escape_markdown(found.nearest.describe()[0].upper() + found.nearest.describe()[1:])} lists "
        "its comments: pick it in the sidebar."
        if found.nearest
        else ""
    )
    why = (
        "Comments are listed for one whole reporting unit at a time (the Trust, one care group or one service "
        "area; one survey or all), over the whole survey wave and every staff group, so that no two lists "
        "differ by a handful of people."
    )
    if found.unit is None:
        st.info(
            f"{why} They are not listed for these filters: {found.reason}.{nearest}", icon=":material/visibility_off:"
        )
        return
    unit = ui.escape_markdown(found.unit.describe())
    if not found.listed:
        st.info(
            f"{why} The comments of {unit} are not listed: {ui.escape_markdown(found.reason)}.{nearest}",
            icon=":material/visibility_off:",
        )
        return
    search = st.text_input(
        "Search the comments",
        key="comment_search",
        max_chars=comments.MAX_SEARCH_CHARS,
        placeholder="For example: Wi-Fi",
        help="Shows the comments that contain this text, ignoring case.",
    )
    table = comments.comments_table(comments.comments(page.database, found.unit, search, limit=comments.COMMENTS_SHOWN))
    capped = len(table) == comments.COMMENTS_SHOWN
    total = comments.comment_count(page.database, found.unit, search) if capped else len(table)
    searched = f" containing “{ui.escape_markdown(search.strip())}”" if search and search.strip() else ""
    listed = ""
    if total > len(table):
        listed = f" The first {len(table):,} are listed here: search to narrow them down, or download them all."
    st.markdown(
        f"{total:,} comment{'' if total == 1 else 's'}{searched} from {unit}, over the whole of {ui.escape_markdown(page.options.wave_name(found.unit.wave))} and "
        "every staff group (the month and staff group filters do not apply to comments; nor does the question: "
        "a comment may be about anything). In alphabetical order, so the order says nothing about who wrote "
        f"them or when.{listed}"
    )
    if len(table):
        ui.show_table(table, key=f"comments_{measure.key}")
        unit_listed, database = found.unit, page.database
        downloads.download_buttons(
            lambda: comments.comments_table(comments.comments(database, unit_listed, search)),
            f"comments_{measure.key}",
            page,
            note=f"Comments{searched} from {found.unit.describe()}, whole of the wave {page.options.wave_name(found.unit.wave)}.",
            key=f"{measure.key}_comments",
        )
