"""Survey results by theme: the data behind the three survey pages.

Plain Python (no Streamlit). Every function reads ``measures.survey_figures`` (one
pass of sums and one disclosure step per filter state) and returns a DataFrame that
has already been through disclosure control (``dashboard.disclosure``): every count
perturbed, and a group whose perturbed n is under ``threshold`` hidden, its figures
blanked and its reason given. When the filtered group itself is hidden, nothing about
it is returned (no breakdown rows, no months). Comments are not here: they are listed
per fixed reporting unit (``dashboard.comments``).

The measures are defined once, in the build's ``answer_scale`` table (from the question
bank: ``pipeline.contract.SEED_QUESTIONS`` or the questions extract); this module only groups, adds
intervals, protects and describes. The ``*_sentence``
functions give the one-sentence text summary of each chart, computed from the
frame that is shown; the ``*_table`` functions give the table shown beside each
chart and offered for download.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

import numpy as np
import pandas as pd

from dashboard import disclosure, measures, stats
from dashboard.db import Database
from dashboard.filters import Filters
from pipeline import contract

DIMENSIONS: tuple[str, ...] = ("care_group", "service_area", "survey", "staff_group")
DIMENSION_TITLES: dict[str, str] = {
    "care_group": "Care group",
    "service_area": "Service area",
    "survey": "Survey",
    "staff_group": "Staff group",
}
DIMENSION_PLURALS: dict[str, str] = {
    "care_group": "care groups",
    "service_area": "service areas",
    "survey": "surveys",
    "staff_group": "staff groups",
}

FIGURES = ["n", "positive", "share", "percent", "low", "high"]
SCOPE_SELECTED = "This selection"
SCOPE_TRUST = "Whole Trust"


def _measure(database: Database, measure: str) -> measures.SurveyMeasure:
    bank = measures.survey_measures(database)
    if measure not in bank:
        raise ValueError(f"unknown survey measure {measure!r}; expected one of {', '.join(bank)}")
    return bank[measure]


def selection_hidden_reason(database: Database, measure: str, filters: Filters, threshold: int) -> str | None:
    """Why the filtered group is hidden for ``measure`` (None when it is shown).

    One decision, ``measures.survey_headline``'s, for everything about the
    selection: its headline, answers, breakdowns and months.
    """
    row = measures.survey_headline(database, filters, threshold).loc[measure]
    return str(row["hidden_reason"]) if bool(row["hidden"]) else None


def _empty(columns: Sequence[str]) -> pd.DataFrame:
    return pd.DataFrame({column: pd.Series(dtype=object) for column in columns})


# --- Headline ------------------------------------------------------------------


def headline(database: Database, measure: str, filters: Filters, threshold: int,
             care_group: str | None = None) -> pd.DataFrame:
    """The rows ``scope`` 'This selection' (the filters), the care group's total when ``care_group`` is
    given (the care group of the areas picked, with the other filters), and 'Whole Trust' (no
    filters), in the filters' wave: n, positive, share, percent, low, high, hidden, hidden_reason;
    with a comparison (``measures.compared_filters``), each row's change since the compared wave
    (``measures.CHANGE_COLUMNS``)."""
    _measure(database, measure)

    def rows(chosen: Filters) -> pd.DataFrame:  # the selection, its care group and the whole Trust, in one wave
        scopes = [chosen]
        if care_group is not None:
            scopes.append(replace(chosen, care_groups=(care_group,), service_areas=()))
        scopes.append(Filters(wave=chosen.wave))
        return pd.concat([measures.survey_headline(database, f, threshold).loc[[measure]] for f in scopes], ignore_index=True)

    frame = rows(filters)
    frame.insert(0, "scope", [SCOPE_SELECTED, *([f"Care group: {care_group}"] if care_group else []), SCOPE_TRUST])
    frame["hidden"] = frame["hidden"].astype(bool)
    then = measures.compared_filters(filters)
    if then is not None:
        frame = _add_change(frame, rows(then))
    return frame[["scope", *FIGURES, "hidden", "hidden_reason", *_change_columns(frame)]]


def care_group_of_selection(filters: Filters, care_group_of) -> str | None:
    """The one care group the picked service areas lie in (``care_group_of``: area -> care group),
    shown as a total beside them; None when no area is picked or they span care groups."""
    groups = {care_group_of(area) for area in filters.service_areas}
    return groups.pop() if len(groups) == 1 and None not in groups else None


def changes(now: pd.DataFrame, then: pd.DataFrame) -> dict[str, np.ndarray]:
    """``measures.changes`` of two frames of matching rows (n, positive, percent; blank when hidden
    or missing)."""
    def numbers(frame: pd.DataFrame) -> dict[str, np.ndarray]:
        return {c: pd.to_numeric(frame[c], errors="coerce").to_numpy(dtype=float) for c in ("n", "positive", "percent")}

    return measures.changes(numbers(now), numbers(then))


def _add_change(frame: pd.DataFrame, earlier: pd.DataFrame) -> pd.DataFrame:
    """``frame`` with ``measures.CHANGE_COLUMNS`` against the matching rows of ``earlier``
    (the compared wave's rows, in the same order; missing rows blank)."""
    changed = changes(frame, earlier)
    frame = frame.copy()
    for name, values in changed.items():
        frame[name] = disclosure.wholes(values) if name in ("compared_percent", "change") else values
    return frame


def _change_columns(frame: pd.DataFrame) -> list[str]:
    return [c for c in measures.CHANGE_COLUMNS if c in frame.columns]


def selected_is_hidden(frame: pd.DataFrame) -> bool:
    """Whether the filtered group (first row of ``headline``) is hidden."""
    return bool(frame.iloc[0]["hidden"])


# --- Answer distribution -----------------------------------------------------------


def distribution(database: Database, measure: str, filters: Filters, threshold: int) -> pd.DataFrame:
    """One row per answer on the measure's full scale, in scale order.

    ``responses`` gave that answer; ``share`` is of those counted in the measure
    (blank for an answer outside its base, such as Don't know, which is shown
    apart); ``share_of_answered`` is of everyone who answered. ``counted`` and
    ``positive`` say where the answer sits in the measure (blank when nobody gave
    it). Every row is hidden when fewer than ``threshold`` are counted.
    """
    spec = _measure(database, measure)
    rows = measures.survey_figures(database, filters, threshold).arrays(measure, "answer")
    at = {answer: i for i, answer in enumerate(rows["answer"])}
    found = [at.get(answer) for answer in spec.scale]  # None: nobody gave it
    responses = np.array([0.0 if i is None else rows["responses"][i] for i in found])
    responses = np.nan_to_num(responses)  # withheld: the selection is hidden below anyway
    counted = [None if i is None else bool(rows["answer_counted"][i]) for i in found]
    positive = [None if i is None else bool(rows["answer_positive"][i]) for i in found]
    in_base = np.array([c is not False for c in counted])
    base, answered = responses[in_base].sum(), responses.sum()
    with np.errstate(divide="ignore", invalid="ignore"):
        share = np.where(in_base & (base > 0), responses / base, np.nan)
        share_of_answered = responses / answered if answered else np.full(len(responses), np.nan)
    reason = selection_hidden_reason(database, measure, filters, threshold)
    hidden = reason is not None
    blank = np.full(len(responses), np.nan)
    return pd.DataFrame({
        "answer": pd.array(list(spec.scale), dtype=object),
        "counted": pd.array([None] * len(found) if hidden else counted, dtype=object),
        "positive": pd.array([None] * len(found) if hidden else positive, dtype=object),
        "responses": disclosure.wholes(blank if hidden else responses),
        "share": blank if hidden else share,
        "share_of_answered": blank if hidden else share_of_answered,
        "hidden": np.full(len(found), hidden),
        "hidden_reason": pd.array([reason] * len(found), dtype=object),
    })


def _rows(database: Database, measure: str, breakdown: str, filters: Filters, threshold: int,
          columns: Sequence[str]) -> pd.DataFrame:
    """The rows of one set of ``measures.survey_figures`` for one measure, of those groups where
    anyone answered it (a group nobody answered has no figure)."""
    frame = measures.survey_figures(database, filters, threshold).of(measure, breakdown, [*columns, "answered"])
    return frame.loc[frame["answered"].to_numpy()].drop(columns="answered")


# --- Breakdown by a dimension ---------------------------------------------------------


def breakdown_columns(dimension: str) -> list[str]:
    labels = ["care_group", "service_area"] if dimension == "service_area" else [dimension]
    return ["group", *labels, *FIGURES, "hidden", "hidden_reason"]


def _area_label(care_group: str, service_area: str) -> str:
    if service_area == contract.NOT_STATED and care_group != contract.NOT_STATED:
        return f"{contract.NOT_STATED} ({care_group})"
    return service_area


def breakdown(database: Database, measure: str, dimension: str, filters: Filters, threshold: int) -> pd.DataFrame:
    """One row per group of ``dimension`` (care_group, service_area, survey, staff_group),
    'Not stated' included: group (a unique label), the dimension's column(s), n,
    positive, share, percent, low, high, hidden, hidden_reason.

    Shown rows first, highest share first; then hidden rows by label, their figures
    blank. No rows at all when the filtered group is under the threshold.
    """
    _measure(database, measure)
    if dimension not in DIMENSIONS:
        raise ValueError(f"unknown breakdown {dimension!r}; expected one of {', '.join(DIMENSIONS)}")
    columns = breakdown_columns(dimension)
    if selection_hidden_reason(database, measure, filters, threshold):
        return _empty(columns)
    labels = ["care_group", "service_area"] if dimension == "service_area" else [dimension]
    frame = _rows(database, measure, dimension, filters, threshold, [*labels, *FIGURES, "hidden", "hidden_reason"])
    if dimension == "service_area":
        frame["group"] = [_area_label(c, a) for c, a in zip(frame["care_group"], frame["service_area"])]
    else:
        frame["group"] = frame[dimension]
    # Shown rows by value; hidden rows by label only, so their order gives nothing away.
    frame["sort_share"] = frame["share"].fillna(0.0)  # hidden rows: blank, sorted by label only
    frame = frame.sort_values(["hidden", "sort_share", "group"], ascending=[True, False, True], kind="stable")
    frame = frame[columns].reset_index(drop=True)
    then = measures.compared_filters(filters)
    if then is not None:
        earlier = _rows(database, measure, dimension, then, threshold, [*labels, "n", "positive", "percent"])
        matched = frame[labels].merge(earlier, on=labels, how="left")
        frame = _add_change(frame, matched)
    return frame


# --- Trend by month -----------------------------------------------------------------------

TREND_COLUMNS = ["month", *FIGURES, "hidden", "hidden_reason"]


def trend(database: Database, measure: str, filters: Filters, threshold: int) -> pd.DataFrame:
    """One row per calendar month with answers, in date order: month (first day), n,
    positive, share, percent, low, high, hidden, hidden_reason. Each month is its own
    view, perturbed and hidden as itself. No rows when the filtered group is hidden."""
    _measure(database, measure)
    if selection_hidden_reason(database, measure, filters, threshold):
        return _empty(TREND_COLUMNS)
    frame = _rows(database, measure, "month", filters, threshold, TREND_COLUMNS)
    return frame.sort_values("month", ignore_index=True)


def month_label(month: pd.Timestamp) -> str:
    return f"{pd.Timestamp(month):%B %Y}"


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
    trust_text = "" if trust["hidden"] or same else f"across the whole Trust it was {trust['percent']}% of {_count(trust['n'])}."
    if selected["hidden"]:
        text = f"The result for this selection is hidden: {selected['hidden_reason']}."
        return text + (f" {trust_text[0].upper()}{trust_text[1:]}" if trust_text else "")
    text = (
        f"Of {_count(selected['n'])} people who answered, {selected['percent']}% {words} "
        f"(95% CI {selected['low']:.0%} to {selected['high']:.0%})"
    )
    return text + (f"; {trust_text}" if trust_text else ".")


def _join(parts: Sequence[str]) -> str:
    parts = list(parts)
    return parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " and " + parts[-1]


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
            parts.append(f"{stats.whole_percent(part, base)}% {' or '.join(answers)}")
    text = f"Of {_count(base)} people counted, {parts[0].replace('% ', '% answered ', 1)}"
    text += (", " + _join(parts[1:])) if len(parts) > 1 else ""
    apart = {a: int(r) for a, c, r in rows if c is False}
    if apart and sum(apart.values()):
        text += f"; {_count(sum(apart.values()))} more said {' or '.join(apart)} and are not counted"
    return text + "."


def breakdown_sentence(measure: measures.SurveyMeasure, dimension: str, frame: pd.DataFrame) -> str:
    """E.g. 'Of 2,380 people who answered in the 5 care groups shown, 39% rated their
    IT skills good or very good; the highest was X (52%), the lowest Y (21%); 1 care
    group is hidden.'"""
    words = measure.summary
    plural = DIMENSION_PLURALS[dimension]
    if frame.empty:
        return f"The breakdown by {DIMENSION_TITLES[dimension].lower()} is hidden: the selection is too small."
    shown = _shown(frame)
    hidden = len(frame) - len(shown)
    hidden_text = ""
    if hidden:
        hidden_text = f"{hidden} {plural if hidden > 1 else plural[:-1]} {'are' if hidden > 1 else 'is'} hidden"
    if shown.empty:
        return f"All {hidden} {plural if hidden > 1 else plural[:-1]} are hidden to protect small groups."
    n = int(shown["n"].sum())
    positive = int(shown["positive"].sum())
    text = (
        f"Of {_count(n)} people who answered in the {len(shown)} {plural if len(shown) > 1 else plural[:-1]} shown, "
        f"{stats.whole_percent(positive, n)}% {words}"
    )
    if len(shown) > 1:
        ranked = shown.sort_values(["share", "group"], ascending=[False, True], kind="stable")
        top, bottom = ranked.iloc[0], ranked.iloc[-1]
        text += f"; the highest was {top['group']} ({top['percent']}%), the lowest {bottom['group']} ({bottom['percent']}%)"
    return text + (f"; {hidden_text}." if hidden_text else ".")


def trend_sentence(frame: pd.DataFrame) -> str:
    """E.g. 'From February 2021 to June 2021 the figure ranged from 32% (February 2021)
    to 43% (May 2021); it was 43% in June 2021.'"""
    if frame.empty:
        return "The trend for this selection is hidden: the selection is too small."
    shown = _shown(frame)
    hidden = len(frame) - len(shown)
    hidden_text = f"; {hidden} month{'s are' if hidden > 1 else ' is'} hidden" if hidden else ""
    if shown.empty:
        return f"Every month is hidden to protect small groups ({len(frame)} months)."
    if len(shown) == 1:
        only = shown.iloc[0]
        return f"Only {month_label(only['month'])} is shown: {only['percent']}% of {_count(only['n'])}{hidden_text}."
    ranked = shown.sort_values(["share", "month"], ascending=[False, True], kind="stable")
    top, bottom, last = ranked.iloc[0], ranked.iloc[-1], shown.iloc[-1]
    return (
        f"Across the {len(shown)} months shown the figure ranged from {bottom['percent']}% "
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
        "Real change (p < 0.05)": [{True: "Yes", False: "No"}.get(v, "") for v in frame["significant"]],
    }


def breakdown_table(frame: pd.DataFrame, dimension: str) -> pd.DataFrame:
    """The breakdown for people: hidden rows keep their label, figures blank, with the reason."""
    labels = ["care_group", "service_area"] if dimension == "service_area" else [dimension]
    table = {DIMENSION_TITLES[c]: list(frame[c]) for c in labels}
    return pd.DataFrame(table | _figures_table(frame))


def trend_table(frame: pd.DataFrame) -> pd.DataFrame:
    return pd.DataFrame({"Month": [month_label(m) for m in frame["month"]]} | _figures_table(frame))


def distribution_table(frame: pd.DataFrame) -> pd.DataFrame:
    def counted_text(value: object) -> str:
        return {True: "Yes", False: "No (shown apart)"}.get(value, "") if isinstance(value, bool) else ""

    return pd.DataFrame({
        "Answer": list(frame["answer"]),
        "Responses": _wholes(frame["responses"]),
        "Percent of those counted": _percents_1dp(frame["share"]),
        "Percent of everyone who answered": _percents_1dp(frame["share_of_answered"]),
        "Counted in the measure": [counted_text(v) for v in frame["counted"]],
        "Hidden because": [r if h else "" for h, r in zip(frame["hidden"], frame["hidden_reason"])],
    })


