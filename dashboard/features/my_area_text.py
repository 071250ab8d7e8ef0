"""My area in words and tables: the scorecard's cells as text, its tables, its download and its
definitions. The figures are ``dashboard.features.my_area``'s, already through disclosure control.
No Streamlit here."""

from __future__ import annotations

import pandas as pd

from dashboard.core import measures, stats, wording
from dashboard.features import my_area

AGAINST_THE_REST = "Against the rest"


def result_text(row: pd.Series | dict) -> str:
    """'39% (31–47%, n = 45)': percent, 95% interval, n; or 'Hidden: <reason>'."""
    if row["hidden"]:
        return f"Hidden: {row['hidden_reason']}"
    return f"{row['percent']}% ({row['low'] * 100:.0f}–{row['high'] * 100:.0f}%, n = {int(row['n']):,})"


def comparison_text(row: pd.Series | dict) -> str:
    """'▲ Higher than 38% (n = 120)' or '▼ Lower than …' when the difference is bigger than chance would
    explain, 'Could be chance: 39% (n = 593)' when not (the rest's percent and n), or why it is not
    shown."""
    if row["hidden"]:
        return f"Not shown: {row['hidden_reason']}"
    other = f"{rest_percent(row)}% (n = {int(row['n']):,})"
    if row["flag"] == "higher":
        return f"▲ Higher than {other}"
    if row["flag"] == "lower":
        return f"▼ Lower than {other}"
    words = wording.chance_words(row["p_value"])
    return f"{words[0].upper()}{words[1:]}: {other}"


def rest_percent(row: pd.Series | dict) -> int:
    """The rest's whole percent, rounded half up as every percent is (``stats.whole_percents``), not
    its share formatted on its own (half to even: 12.5% would read 12)."""
    return int(stats.whole_percents([row["positive"]], [row["n"]])[0])


def survey_tables(
    results: pd.DataFrame, comparisons: pd.DataFrame, headline: dict[str, measures.SurveyMeasure]
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Two narrow tables of text for the page: results by level (this area, its care group, the Trust),
    and the comparisons."""
    titles = {key: m.title for key, m in headline.items()}
    texts = {(row["measure"], row["level"]): result_text(row) for row in results.to_dict("records")}
    survey_table = pd.DataFrame(
        {label: [texts.get((m, level)) for m in titles] for level, label in my_area.LEVELS.items()},
        index=pd.Index(list(titles.values()), name="Measure"),
    )
    texts = {(row["measure"], row["against"]): comparison_text(row) for row in comparisons.to_dict("records")}
    comparison_table = pd.DataFrame(
        {
            f"Against the {label[0].lower()}{label[1:]}": [texts.get((m, against)) for m in titles]
            for against, label in my_area.COMPARISONS.items()
        },
        index=pd.Index(list(titles.values()), name="Measure"),
    )
    return survey_table, comparison_table


def summary_frame(
    area: str,
    care_group: str,
    engagement: pd.DataFrame,
    results: pd.DataFrame,
    comparisons: pd.DataFrame,
    headline: dict[str, measures.SurveyMeasure],
) -> pd.DataFrame:
    """The scorecard as one long table for download: what is on screen, hidden figures blank. Its
    ``group`` column names the area, its care group or the Trust, as the screen's charts do (it was
    "scope" before, a word that meant four things)."""
    names = {"area": area, "care_group": care_group, "trust": "Trust"}
    rows = []
    for _, row in engagement.iterrows():
        for level in my_area.LEVELS:
            rows.append({"section": "Engagement", "measure": row["title"], "group": names[level], "value": row[level]})
    titles = {key: m.title for key, m in headline.items()}
    for _, row in results.iterrows():
        rows.append(
            {
                "section": "Survey",
                "measure": titles[row["measure"]],
                "group": names[row["level"]],
                "value": row["percent"],
                "n": row["n"],
                "ci_low_percent": None if row["hidden"] else round(row["low"] * 100),
                "ci_high_percent": None if row["hidden"] else round(row["high"] * 100),
                "hidden_reason": row["hidden_reason"],
            }
        )
    for _, row in comparisons.iterrows():
        rows.append(
            {
                "section": f"Comparison ({my_area.TEST_NAME})",
                "measure": titles[row["measure"]],
                "group": f"{area} against the {my_area.COMPARISONS[row['against']].lower()}",
                "value": None if row["hidden"] else rest_percent(row),
                "n": row["n"],
                "p_value": None if row["hidden"] else round(float(row["p_value"]), 4),
                "flag": row["flag"],
                "hidden_reason": row["hidden_reason"],
            }
        )
    columns = [
        "section",
        "measure",
        "group",
        "value",
        "n",
        "ci_low_percent",
        "ci_high_percent",
        "p_value",
        "flag",
        "hidden_reason",
    ]
    return pd.DataFrame(rows).reindex(columns=columns)


def definitions_table(headline: dict[str, measures.SurveyMeasure]) -> pd.DataFrame:
    """The scorecard's measures in words: each question and how its measure is counted."""
    rows = [{"Measure": m.title, "Definition": m.definition} for m in my_area.ENGAGEMENT_ROWS]
    rows += [{"Measure": m.title, "Definition": f"{m.question} {m.definition}"} for m in headline.values()]
    rows.append(
        {
            "Measure": AGAINST_THE_REST,
            "Definition": "The area against the rest of its care group and of the Trust, flagged ▲ higher or "
            f"▼ lower only when the difference is bigger than chance would explain. {wording.CHANCE_SENTENCE} "
            f"The method: a {my_area.TEST_NAME}.",
        }
    )
    return pd.DataFrame(rows)
