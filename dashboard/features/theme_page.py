"""A survey theme page, described once (``dashboard.features.view``): the screen draws it and the PDF
prints it, so both show the same tiles, figures, charts, tables and sentences, in the same order.

In order, for one survey measure and the page's filters: what is asked and measured and the filters
(``about``); the headline tiles beside the care group and the whole Trust with their sentences
(``headline``); when the selection is hidden, why, and nothing more of its figures; otherwise the
answers (``answers``), the breakdown by a dimension (``breakdown``) and the trend by month
(``trend``); the comments (``comments``); what is done to the figures (``closing``).

The page's controls (the question, the breakdown's dimension, the comment search) are widgets, not
content: the render layer reads them and passes their values here. Each part is a function of its
own inputs, so a section the screen redraws on its own (a new breakdown) is described again alone;
``describe`` puts the parts together as one ``View``. No Streamlit here.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from dashboard.core import disclosure, measures, wording
from dashboard.core.db import Database
from dashboard.core.filters import Filters, Options, whole_waves_note
from dashboard.core.measures import SurveyMeasure
from dashboard.core.text import escape_markdown
from dashboard.features import comments as comment_lists
from dashboard.features import survey, survey_text
from dashboard.features.grants import TRUST, Grant
from dashboard.features.view import (
    Chart,
    Downloads,
    Heading,
    Item,
    Notice,
    Paragraph,
    Strong,
    Table,
    Tiles,
    View,
    paragraph,
)

DEFAULT_BREAKDOWN = "care_group"
WHY_COMMENTS = (
    "Comments are listed for one whole reporting unit at a time (the Trust, one care group or one service "
    "area; one survey or all), over the whole survey wave and every staff group, so that no two lists "
    "differ by a handful of people."
)
NOT_PRINTED = "The comments are listed, and downloaded, on the page: they are not printed."


@dataclass(frozen=True)
class Selection:
    """What every part reads: the database, the filters within the person's grant, the sidebar's
    choices, the release's threshold, the grant, and the filters in words (as every page words them)."""

    database: Database
    filters: Filters
    options: Options
    threshold: int
    filters_words: str
    grant: Grant = TRUST


def title(theme: str | None) -> str:
    return theme or "Survey"


def describe(
    selection: Selection,
    measure_key: str,
    theme: str | None,
    disclosure_note: str,
    withheld: str | None = None,
    dimension: str = DEFAULT_BREAKDOWN,
    search: str = "",
) -> View:
    """The whole page for ``measure_key``: every part in order. ``withheld``: the notice shown instead
    of every survey figure (real answers built without a perturbation key). ``dimension`` and ``search``:
    the breakdown's dimension and the comment search the page's controls hold."""
    measure = measures.survey_measures(selection.database)[measure_key]
    items: list[Item] = [*about(selection, measure)]
    if withheld:
        return View(title(theme), measure.title, (*items, Notice(withheld)))
    head, hidden = headline(selection, measure)
    items += head
    if not hidden:
        items += [*answers(selection, measure), *breakdown(selection, measure, dimension), *trend(selection, measure)]
    items += comments(selection, measure, search)
    items += closing(disclosure_note)
    return View(title(theme), measure.title, tuple(items))


def about(selection: Selection, measure: SurveyMeasure) -> tuple[Item, ...]:
    """The question, the measure and the filters in force."""
    return (
        paragraph(
            Strong("Question:"),
            f" {measure.question} ",
            Strong("Measure:"),
            f" {measure.definition} Filters: ",
            Strong(selection.filters_words),
            ".",
        ),
    )


def headline(selection: Selection, measure: SurveyMeasure) -> tuple[tuple[Item, ...], bool]:
    """The measure's tiles (this selection, its care group, the whole Trust) and their sentences, and
    whether this selection's result is hidden (then the notice saying so ends the part)."""
    filters = selection.filters
    care_group = survey.care_group_of_selection(filters, selection.options.care_group_of)
    frame = survey.headline(selection.database, measure.key, filters, care_group)
    items: list[Item] = [
        Heading(measure.title),
        Tiles(tuple(survey_text.tile(measure, row, filters, selection.options) for _, row in frame.iterrows())),
    ]
    if filters.is_empty:
        items.append(paragraph("No filters are set, so this selection is the whole Trust."))
    items.append(paragraph(survey_text.headline_sentence(measure, frame)))
    items += [paragraph(note) for note in survey_text.headline_notes(frame, filters)]
    note = whole_waves_note(filters, selection.options)
    if note:
        items.append(paragraph(note))
    hidden = survey.selected_is_hidden(frame)
    if hidden:
        items.append(
            Notice(
                f"This selection's result is hidden: {disclosure.HIDDEN} (fewer than {selection.threshold} responses, "
                "or it would let a smaller group be worked out from other figures). Its answers, breakdowns and "
                "trend are hidden too. Widen the filters to see them.",
                kind="hidden",
            )
        )
    return tuple(items), hidden


def answers(selection: Selection, measure: SurveyMeasure) -> tuple[Item, ...]:
    """The answers as a diverging bar of the answers counted in the measure (shares of its base); an
    answer outside the base (Don't know) is shown apart, in the table and text."""
    frame = survey.distribution(selection.database, measure.key, selection.filters)
    counted = [a for a, c in zip(frame["answer"], frame["counted"]) if c is not False]
    apart = [a for a, c in zip(frame["answer"], frame["counted"]) if c is False]
    data = frame.loc[frame["answer"].isin(counted), ["answer", "share"]].assign(group="This selection")
    data["share"] = data["share"].astype(float)
    sides = tuple(
        tuple(a for a in side if a in counted) for side in (measure.negative, measure.neutral, measure.positive_answers)
    )
    items: list[Item] = [
        Heading("Answers"),
        Chart(
            kind="diverging",
            frame=data,
            category="group",
            category_title="",
            value_title="Share of answers",
            summary=survey_text.distribution_sentence(measure, frame),
            key=f"{measure.key}_answers",
            table=survey_text.distribution_table(frame),
            sides=sides,
            fit_width=True,
        ),
    ]
    if apart:
        items.append(paragraph(survey_text.apart_sentence(measure, frame)))
    rounded = survey_text.rounding_note(measure, frame)
    if rounded:
        items.append(paragraph(rounded))
    return tuple(items)


def _figures_chart(
    kind: str,
    shown: pd.DataFrame,
    category: str,
    title: str,
    measure: SurveyMeasure,
    summary: str,
    part: str,
    table: pd.DataFrame,
) -> Chart:
    """The measure's shown rows (``survey.FIGURES`` as numbers) by ``category``, fitted to the width."""
    return Chart(
        kind=kind,
        frame=shown.astype(dict.fromkeys(survey.FIGURES, float)),
        category=category,
        category_title=title,
        value_title=measure.title,
        summary=summary,
        key=f"{measure.key}_{part}",
        table=table,
        fit_width=True,
    )


def hidden_list(labels: list[str], reasons: list[str]) -> list[Paragraph]:
    """Which groups are hidden and why, a line per reason."""
    by_reason: dict[str, list[str]] = {}
    for label, reason in zip(labels, reasons):
        by_reason.setdefault(str(reason), []).append(str(label))
    lines = []
    for reason, names in by_reason.items():
        heading = reason if reason.startswith("hidden") else f"hidden, {reason}"
        lines.append(paragraph(Strong(f"{heading[0].upper()}{heading[1:]}:"), f" {'; '.join(names)}."))
    return lines


def breakdown(selection: Selection, measure: SurveyMeasure, dimension: str) -> tuple[Item, ...]:
    """The measure by ``dimension`` (one of ``survey.DIMENSIONS``): its heading first (the screen puts
    the control choosing the dimension under it), the chart of the groups shown with its table, or the
    table alone when none is shown; the hidden groups; the table's downloads."""
    title = survey.DIMENSION_TITLES[dimension]
    frame = survey.breakdown(selection.database, measure.key, dimension, selection.filters)
    table = survey_text.breakdown_table(frame, dimension)
    summary = survey_text.breakdown_sentence(measure, dimension, frame)
    hidden = frame.loc[frame["hidden"].astype(bool)]
    shown = frame.loc[~frame["hidden"].astype(bool)]
    items: list[Item] = [Heading(f"Breakdown by {title.lower()}")]
    if len(shown):
        items.append(_figures_chart("interval_bars", shown, "group", title, measure, summary, "breakdown", table))
    else:
        items += [paragraph(summary), Table(table, key=f"table_{measure.key}_breakdown")]
    items += hidden_list(list(hidden["group"]), list(hidden["hidden_reason"]))
    items.append(
        Downloads(
            table,
            f"{measure.key}_by_{dimension}",
            note=f"{measure.title} by {title.lower()}. {measure.definition} n is the number counted in the measure; "
            "Percent = Positive / n, with its 95% Wilson interval. Hidden rows keep their label and give the reason.",
            key=f"{measure.key}_breakdown",
        )
    )
    return tuple(items)


def trend(selection: Selection, measure: SurveyMeasure) -> tuple[Item, ...]:
    """The measure by month: why it may not follow the survey and staff group filters, the chart of
    the months shown with its table (or the sentence alone), and the hidden months."""
    frame = survey.trend(selection.database, measure.key, selection.filters)
    summary = survey_text.trend_sentence(frame)
    whole_units = survey_text.trend_note(selection.filters)
    hidden = frame.loc[frame["hidden"].astype(bool)]
    shown = frame.loc[~frame["hidden"].astype(bool)]
    items: list[Item] = [Heading("By month")]
    if whole_units:
        items.append(paragraph(whole_units))
    if len(shown):
        table = survey_text.trend_table(frame)
        items.append(_figures_chart("trend", shown, "month", "Month", measure, summary, "trend", table))
    else:
        items.append(paragraph(summary))
    items += hidden_list([survey_text.month_label(m) for m in hidden["month"]], list(hidden["hidden_reason"]))
    return tuple(items)


def comment_listing(selection: Selection) -> comment_lists.Listing:
    """The unit whose comments the page lists, or why none (the screen offers a search only when listed)."""
    return comment_lists.listing(selection.database, selection.filters, selection.options, selection.grant)


def comments(
    selection: Selection, measure: SurveyMeasure, search: str = "", found: comment_lists.Listing | None = None
) -> tuple[Item, ...]:
    """The comments section: why no list is shown, or how many comments (containing ``search``) the
    unit has and the first of them (on screen only: the PDF says they are not printed), with downloads."""
    found = found or comment_listing(selection)
    items: list[Item] = [Heading("Comments")]
    described = found.nearest.describe() if found.nearest else ""
    nearest = (  # the notices are the app's markdown: names from data escaped
        f" {escape_markdown(described[:1].upper() + described[1:])} lists its comments: pick it in the sidebar."
        if described
        else ""
    )
    if found.unit is None:
        why = f"{WHY_COMMENTS} They are not listed for these filters: {found.reason}.{nearest}"
        return (*items, Notice(why, kind="hidden"))
    unit = found.unit.describe()
    if not found.listed:
        why = f"{WHY_COMMENTS} The comments of {escape_markdown(unit)} are not listed: {escape_markdown(found.reason)}."
        return (*items, Notice(why + nearest, kind="hidden"))
    database, listed_unit = selection.database, found.unit
    table = comment_lists.comments_table(
        comment_lists.comments(database, listed_unit, search, limit=comment_lists.COMMENTS_SHOWN)
    )
    capped = len(table) == comment_lists.COMMENTS_SHOWN
    total = comment_lists.comment_count(database, listed_unit, search) if capped else len(table)
    searched = f" containing “{search.strip()}”" if search and search.strip() else ""
    listed = ""
    if total > len(table):
        listed = f" The first {len(table):,} are listed here: search to narrow them down, or download them all."
    wave = selection.options.wave_name(listed_unit.wave)
    items.append(
        paragraph(
            f"{total:,} comment{'' if total == 1 else 's'}{searched} from {unit}, over the whole of {wave} and "
            "every staff group (the month and staff group filters do not apply to comments; nor does the question: "
            "a comment may be about anything). In alphabetical order, so the order says nothing about who wrote "
            f"them or when.{listed}"
        )
    )
    if len(table):
        items += [
            Table(table, key=f"comments_{measure.key}", not_printed=NOT_PRINTED),
            Downloads(
                lambda: comment_lists.comments_table(comment_lists.comments(database, listed_unit, search)),
                f"comments_{measure.key}",
                note=f"Comments{searched} from {unit}, whole of the wave {wave}.",
                key=f"{measure.key}_comments",
            ),
        ]
    return tuple(items)


def closing(disclosure_note: str) -> tuple[Item, ...]:
    """What is done to survey figures, and where to read more."""
    return (
        paragraph(
            f"{disclosure_note} Every percentage is shown with its base (n) and a 95% interval (CI): "
            f"{wording.INTERVAL_SENTENCE} {wording.CHANCE_SENTENCE} Data and definitions says more."
        ),
    )
