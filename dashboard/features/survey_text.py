"""Survey results in words and tables: the text summary of each chart and the table beside it.

``tile`` gives a headline figure as a tile. The ``*_sentence`` functions give the one-sentence summary of each chart, computed from the
frame that is shown (``dashboard.features.survey``, already through disclosure control); the ``*_table``
functions give the table shown beside each chart and offered for download. No Streamlit here.
"""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd

from dashboard.core import disclosure, measures, stats, wording
from dashboard.core.text import and_list
from dashboard.features.survey import DIMENSION_PLURALS, DIMENSION_TITLES
from dashboard.features.view import Tile


def month_label(month: pd.Timestamp) -> str:
    """'March 2021' (``wording.month_name``)."""
    return wording.month_name(month)


# --- Summary sentences ----------------------------------------------------------------------


def _count(n: object) -> str:
    return f"{int(n):,}"


def _shown(frame: pd.DataFrame) -> pd.DataFrame:
    return frame.loc[~frame["hidden"].astype(bool)]


def headline_sentence(measure: measures.SurveyMeasure, frame: pd.DataFrame) -> str:
    """E.g. 'Of 1,234 people who answered, 39% rated their IT skills good or very good
    (95% CI 36% to 42%); across the whole Trust it was 39% of 2,380.'"""
    words = measure.summary
    selected, trust = frame.iloc[0], frame.iloc[-1]
    same = not selected["hidden"] and selected["n"] == trust["n"] and selected["positive"] == trust["positive"]
    trust_text = (
        "" if trust["hidden"] or same else f"across the whole Trust it was {trust['percent']}% of {_count(trust['n'])}."
    )
    if selected["hidden"]:
        text = f"The result for this selection is hidden: {selected['hidden_reason']}."
        return text + (f" {trust_text[0].upper()}{trust_text[1:]}" if trust_text else "")
    counted = "answered" if not measure.excluded else f"answered ({' or '.join(measure.excluded)} left out)"
    text = (
        f"Of {_count(selected['n'])} people who {counted}, {selected['percent']}% {words} "
        f"(95% CI {selected['low']:.0%} to {selected['high']:.0%})"
    )
    return text + (f"; {trust_text}" if trust_text else ".")


def tile(measure: measures.SurveyMeasure, row: pd.Series, filters, options, label: str | None = None) -> Tile:
    """A headline row (``survey.headline``) as a tile, labelled with its level unless ``label`` is given:
    the percent (or Hidden), its change since the compared wave when there is one (green when better for
    the measure, red when worse: ``wording.change_colour``), and its base and interval below."""
    change = row.get("change")
    shown = change is not None and not pd.isna(change)
    note = (
        f"Hidden: {row['hidden_reason']}"
        if row["hidden"]
        else f"n = {int(row['n']):,} · 95% CI {row['low'] * 100:.0f}–{row['high'] * 100:.0f}%"
    )
    compare = filters.compare
    if shown:
        note += " · " + wording.change_words(
            change, row["p_value"], options.wave_name(compare), measure.higher_is_better
        )
    elif compare and compare not in measure.waves and not filters.months_chosen:
        note += f" · not asked in {options.wave_name(compare)}, so no change"
    return Tile(
        label=str(row["level"]) if label is None else label,
        value="Hidden" if row["hidden"] else f"{row['percent']}%",
        note=note,
        help=f"{measure.question} {measure.definition}",
        change=(f"{int(change):+d} {wording.plural(abs(int(change)), 'point')}" if change else "0 points")
        if shown
        else None,
        colour=wording.change_colour(change if shown else None, measure.higher_is_better),
    )


def headline_notes(frame: pd.DataFrame, filters) -> list[str]:
    """What a reader must know about the headline's figures: the parts of the selection left out
    (too small to release), and that survey figures are whole-wave when months are picked."""
    notes = []
    selected = frame.iloc[0]
    if not selected["hidden"] and selected["left_out"]:
        notes.append(disclosure.left_out_text(selected["left_out"]))
    if filters.months_chosen:
        notes.append(
            "Survey figures are for the whole wave: the months picked narrow the engagement figures and the months "
            "shown on the trend chart, not these results."
        )
    return notes


def trend_note(filters) -> str:
    """Why a trend may not follow the survey and staff group filters ('' when it does)."""
    if not (filters.surveys or filters.staff_groups):
        return ""
    return (
        "Each month counts everyone in the units picked who answered that month, whatever their survey or staff "
        "group: results are released by month only for whole units."
    )


def distribution_sentence(spec: measures.SurveyMeasure, frame: pd.DataFrame) -> str:
    """E.g. 'Of 1,234 people counted, 39% answered Good or Very good, 41% Fair and
    20% Poor or Very poor.' or '...; 113 more said Don't know and are not counted.'"""
    if frame["hidden"].astype(bool).all():
        return f"The answers for this selection are hidden: {frame['hidden_reason'].iloc[0]}."
    rows = list(zip(frame["answer"], frame["counted"], frame["responses"]))
    counted = {a: int(r) for a, c, r in rows if c is True}  # answers nobody gave (None) add nothing
    base = sum(counted.values())
    parts = []
    # Read outwards from the middle of the scale: 'Good or Very good', 'Poor or Very poor'.
    for answers in (spec.positive_answers, spec.neutral, tuple(reversed(spec.negative))):
        answers = [a for a in answers if a in counted]
        if answers:
            part = sum(counted[a] for a in answers)
            parts.append(f"{int(stats.whole_percents(part, base)[0])}% {' or '.join(answers)}")
    text = f"Of {_count(base)} people counted, {parts[0].replace('% ', '% answered ', 1)}"
    text += (", " + and_list(parts[1:])) if len(parts) > 1 else ""
    apart = {a: int(r) for a, c, r in rows if c is False}
    if apart and sum(apart.values()):
        text += f"; {_count(sum(apart.values()))} more said {' or '.join(apart)} and are not counted"
    return text + "."


def _answer_counts(frame: pd.DataFrame) -> tuple[dict[str, float], float]:
    """The answers' released counts by answer (a hidden one 0), and the sum of those the measure counts."""
    responses = dict(zip(frame["answer"], pd.to_numeric(frame["responses"]).fillna(0)))
    return responses, sum(responses[a] for a, c in zip(frame["answer"], frame["counted"]) if c is not False)


def apart_sentence(spec: measures.SurveyMeasure, frame: pd.DataFrame) -> str:
    """Why the answers counted in the measure (the headline) and the shares of everyone who answered
    differ when an answer is shown apart: e.g. "Don't know is shown apart: it is not counted in the
    measure, so Yes is 72% of the 1,433 people counted but 67% of all 1,528 who answered." """
    apart = [a for a, c in zip(frame["answer"], frame["counted"]) if c is False]
    text = f"{' and '.join(apart)} {wording.plural(len(apart), 'is')} shown apart: not counted in the measure"
    if frame["hidden"].astype(bool).all():
        return text + "."
    responses, counted = _answer_counts(frame)
    answered = sum(responses.values())
    positive = sum(responses.get(a, 0) for a in spec.positive_answers)
    return (
        f"{text}, so {' or '.join(spec.positive_answers)} is {wording.percent_text(positive, counted)} of the "
        f"{_count(counted)} people counted (the headline) but {wording.percent_text(positive, answered)} of all "
        f"{_count(answered)} who answered."
    )


def rounding_note(spec: measures.SurveyMeasure, frame: pd.DataFrame) -> str:
    """When the chart's answers, each rounded on its own, add up to other than the measure's percent
    (the headline's), say so: e.g. 'Each answer is rounded on its own: Agree (36%) and Strongly agree
    (24%) add up to 60%, while together they are 59% (the headline).' '' when they agree."""
    if frame["hidden"].astype(bool).all() or len(spec.positive_answers) < 2:
        return ""
    responses, base = _answer_counts(frame)
    parts = {a: wording.percent_of(responses.get(a, 0), base) for a in spec.positive_answers}
    together = wording.percent_of(sum(responses.get(a, 0) for a in spec.positive_answers), base)
    if None in parts.values() or together is None or sum(parts.values()) == together:
        return ""
    named = and_list([f"{a} ({p}%)" for a, p in parts.items()])
    return (
        f"Each answer is rounded on its own: {named} add up to {sum(parts.values())}%, while together they are "
        f"{together}% (the headline)."
    )


def breakdown_sentence(measure: measures.SurveyMeasure, dimension: str, frame: pd.DataFrame) -> str:
    """E.g. 'Of the 5 care groups shown, the highest was X (52%), the lowest Y (21%); 1 care group is
    hidden.' The selection's own figure and n are the headline's: no second total is given here."""
    plural = DIMENSION_PLURALS[dimension]
    singular = plural[:-1]
    if frame.empty:
        return f"The breakdown by {DIMENSION_TITLES[dimension].lower()} is hidden: the selection is too small."
    shown = _shown(frame)
    hidden = len(frame) - len(shown)
    hidden_text = ""
    if hidden:
        hidden_text = f"{wording.count_of(hidden, singular, plural)} {wording.plural(hidden, 'is')} hidden"
    if shown.empty:
        every = "The only" if hidden == 1 else "All"
        return f"{every} {wording.count_of(hidden, singular, plural)} {wording.plural(hidden, 'is')} hidden to protect small groups."
    if len(shown) == 1:
        only = shown.iloc[0]
        text = f"Only {only['group']} is shown: {only['percent']}% {measure.summary} (n = {_count(only['n'])})"
    else:
        ranked = shown.sort_values(["share", "group"], ascending=[False, True], kind="stable")
        top, bottom = ranked.iloc[0], ranked.iloc[-1]
        text = (
            f"Of the {wording.count_of(len(shown), singular, plural)} shown, the highest was {top['group']} ({top['percent']}%), "
            f"the lowest {bottom['group']} ({bottom['percent']}%)"
        )
    return text + (f"; {hidden_text}." if hidden_text else ".")


def trend_sentence(frame: pd.DataFrame) -> str:
    """E.g. 'From February 2021 to June 2021 the figure ranged from 32% (February 2021)
    to 43% (May 2021); it was 43% in June 2021.'"""
    if frame.empty:
        return "The trend for this selection is hidden: the selection is too small."
    shown = _shown(frame)
    hidden = len(frame) - len(shown)
    hidden_text = f"; {wording.count_of(hidden, 'month')} {wording.plural(hidden, 'is')} hidden" if hidden else ""
    if shown.empty:
        return f"Every month is hidden to protect small groups ({wording.count_of(len(frame), 'month')})."
    if len(shown) == 1:
        only = shown.iloc[0]
        return f"Only {month_label(only['month'])} is shown: {only['percent']}% of {_count(only['n'])}{hidden_text}."
    ranked = shown.sort_values(["share", "month"], ascending=[False, True], kind="stable")
    top, bottom, last = ranked.iloc[0], ranked.iloc[-1], shown.iloc[-1]
    return (
        f"Across the {wording.count_of(len(shown), 'month')} shown the figure ranged from {bottom['percent']}% "
        f"({month_label(bottom['month'])}) to {top['percent']}% ({month_label(top['month'])}); "
        f"it was {last['percent']}% in {month_label(last['month'])}{hidden_text}."
    )


# --- Tables (shown beside the charts and offered for download) ------------------------------


def _percent_1dp(value: object) -> object:
    return None if value is None or pd.isna(value) else round(float(value) * 100, 1)


def _whole(value: object) -> object:
    return None if value is None or pd.isna(value) else int(value)


def _wholes(values: Sequence[object]) -> pd.api.extensions.ExtensionArray:
    return pd.array([_whole(v) for v in values], dtype="Int64")


def _percents_1dp(values: Sequence[object]) -> pd.api.extensions.ExtensionArray:
    return pd.array([_percent_1dp(v) for v in values], dtype="Float64")


def _figures_table(frame: pd.DataFrame) -> dict[str, object]:
    return {
        "Answered (n)": _wholes(frame["n"]),
        "Positive": _wholes(frame["positive"]),
        "Percent": _wholes(frame["percent"]),
        "95% CI low (%)": _percents_1dp(frame["low"]),
        "95% CI high (%)": _percents_1dp(frame["high"]),
        "Hidden because": [r if h else "" for h, r in zip(frame["hidden"], frame["hidden_reason"])],
    } | change_table(frame)


def change_table(frame: pd.DataFrame, compared: bool = True) -> dict[str, object]:
    """The change columns for people, when the frame has them (``measures.CHANGE_COLUMNS``): every
    table that shows change (breakdowns, All questions, across waves) names them the same way.
    ``compared``: with the compared wave's percent (left out where the table shows each wave)."""
    if "change" not in frame.columns:
        return {}
    return {
        **({"Compared wave (%)": _wholes(frame["compared_percent"])} if compared else {}),
        "Change (points)": _wholes(frame["change"]),
        "p-value": pd.array([None if pd.isna(v) else round(float(v), 4) for v in frame["p_value"]], dtype="Float64"),
        "Bigger than chance?": [{True: "Yes", False: "No"}.get(v, "") for v in frame["significant"]],
    }


def breakdown_table(frame: pd.DataFrame, dimension: str) -> pd.DataFrame:
    """The breakdown for people: hidden rows keep their label, figures blank, with the reason; a row
    that leaves out parts too small to release names them."""
    labels = ["care_group", "service_area"] if dimension == "service_area" else [dimension]
    table = {DIMENSION_TITLES[c]: list(frame[c]) for c in labels}
    left_out = _left_out(frame)
    return pd.DataFrame(table | _figures_table(frame) | ({"Left out": left_out} if any(left_out) else {}))


def _left_out(frame: pd.DataFrame) -> list[str]:
    if "left_out" not in frame:
        return [""] * len(frame)
    return [
        "; ".join(parts) if parts and not hidden else "" for parts, hidden in zip(frame["left_out"], frame["hidden"])
    ]


def trend_table(frame: pd.DataFrame) -> pd.DataFrame:
    return pd.DataFrame({"Month": [month_label(m) for m in frame["month"]]} | _figures_table(frame))


def distribution_table(frame: pd.DataFrame) -> pd.DataFrame:
    def counted_text(value: object) -> str:
        return {True: "Yes", False: "No (shown apart)"}.get(value, "") if isinstance(value, bool) else ""

    return pd.DataFrame(
        {
            "Answer": list(frame["answer"]),
            "Responses": _wholes(frame["responses"]),
            "Percent of those counted": _percents_1dp(frame["share"]),
            "Percent of everyone who answered": _percents_1dp(frame["share_of_answered"]),
            "Counted in the measure": [counted_text(v) for v in frame["counted"]],
            "Hidden because": [r if h else "" for h, r in zip(frame["hidden"], frame["hidden_reason"])],
        }
    )
