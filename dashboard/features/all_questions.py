"""Every question of the bank in every wave that asked it, and its change: the All questions page.

Plain Python (no Streamlit). Each wave's figures are ``measures.survey_headline`` for the
filters' units over the whole wave (months belong to one wave), so every figure is a sum of
released cells; the change between the filters' wave and the compared
wave is ``measures.changes`` of those figures.
"""

from __future__ import annotations

import pandas as pd

from dashboard.core import disclosure, measures, wording
from dashboard.core.db import Database
from dashboard.core.filters import Filters, Options
from dashboard.features import survey, survey_text

FIGURES = ["n", "positive", "share", "percent", "low", "high", "hidden", "hidden_reason", "left_out"]


def results(database: Database, filters: Filters, options: Options) -> pd.DataFrame:
    """One row per question and wave that asked it, in the bank's order then oldest wave first:
    question, label, theme, wave, wave_name (the wave as people know it), higher_is_better and the
    figures (blank when hidden, with the reason)."""
    bank = measures.survey_measures(database)
    rows = []
    for wave in options.waves:
        figures = measures.survey_headline(database, filters.in_wave(wave))
        for key, measure in bank.items():
            if wave in measure.waves:
                rows.append(
                    {
                        "question": key,
                        "label": measure.title,
                        "theme": measure.page,
                        "wave": wave,
                        "wave_name": options.wave_name(wave),
                        "higher_is_better": measure.higher_is_better,
                        **figures.loc[key, FIGURES].to_dict(),
                    }
                )
    frame = pd.DataFrame(
        rows, columns=["question", "label", "theme", "wave", "wave_name", "higher_is_better", *FIGURES]
    )
    frame["hidden"] = frame["hidden"].astype(bool)
    return frame


def left_out_lines(frame: pd.DataFrame) -> list[str]:
    """A line per question and wave shown with parts left out (too small to release): which."""
    partial = frame.loc[~frame["hidden"] & frame["left_out"].map(bool)]
    return [
        f"{label}, {wave}: " + disclosure.left_out_text(left_out)
        for label, wave, left_out in zip(partial["label"], partial["wave_name"], partial["left_out"])
    ]


def changes(frame: pd.DataFrame, filters: Filters, options: Options) -> pd.DataFrame:
    """Per question: whether higher is better for it, and its change from the compared wave to the
    filters' wave (``measures.changes``), blank where either wave did not ask it or hid it; no rows
    without a comparison."""
    now, then = options.wave_of(filters), filters.compare
    columns = ["question", "higher_is_better", *measures.CHANGE_COLUMNS]
    if not then:
        return pd.DataFrame(columns=columns)
    questions = frame[["question", "higher_is_better"]].drop_duplicates("question", ignore_index=True)

    def figures(wave: str) -> pd.DataFrame:
        return questions.merge(frame.loc[frame["wave"] == wave], on="question", how="left")

    return pd.DataFrame(
        {
            "question": questions["question"],
            "higher_is_better": questions["higher_is_better"],
            **survey.changes(figures(now), figures(then)),
        }
    )


def table(
    bank: dict[str, measures.SurveyMeasure], frame: pd.DataFrame, changed: pd.DataFrame, options: Options
) -> pd.DataFrame:
    """For people and downloads: one row per question, each wave's percent and n side by side
    (blank where not asked or hidden), then the change and whether it is a real change. ``bank``:
    ``measures.survey_measures``."""
    out = pd.DataFrame(
        {
            "Question": [bank[q].question for q in bank],
            "Measure": [bank[q].title for q in bank],
            "Theme": [bank[q].page for q in bank],
        }
    )
    keys = list(bank)
    for wave in options.waves:
        rows = frame.loc[frame["wave"] == wave].set_index("question").reindex(keys)
        out[f"{wave} (%)"] = disclosure.wholes(pd.to_numeric(rows["percent"]).to_numpy(dtype=float))
        out[f"{wave} n"] = disclosure.wholes(pd.to_numeric(rows["n"]).to_numpy(dtype=float))
        out[f"{wave} hidden because"] = [r if h is True else "" for h, r in zip(rows["hidden"], rows["hidden_reason"])]
    if len(changed):
        for name, values in survey_text.change_table(
            changed.set_index("question").reindex(keys), compared=False
        ).items():
            out[name] = values
    return out


def sentence(changed: pd.DataFrame, filters: Filters, options: Options) -> str:
    """E.g. 'Between W1 and W2, 2 of the 3 questions shown in both waves changed by more than chance would
    explain: 2 better and 0 worse.' Better and worse by each question's direction (a fall in 'IT too
    unreliable' is better)."""
    if not filters.compare:
        return "Pick a wave to compare with in the sidebar to see what changed."
    both = changed.dropna(subset=["change"])
    real = both.loc[both["significant"].astype(bool)]
    waves = f"Between {options.wave_name(filters.compare)} and {options.wave_name(options.wave_of(filters))}"
    if both.empty:
        return f"{waves}, no question is shown in both waves, so there is no change to show."
    moved = wording.better_and_worse(list(zip(real["change"], real["higher_is_better"].astype(bool))))
    text = (
        f"{waves}, {len(real)} of the {wording.count_of(len(both), 'question')} shown in both waves changed by "
        f"more than chance would explain{f': {moved}' if moved else ''}."
    )
    if len(real) < len(both):
        others = "The other" if len(both) - len(real) == 1 else "The others"
        text += f" {others} moved no more than chance alone could give."
    return text
