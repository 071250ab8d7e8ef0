"""The wording rules every page follows, in one place (no Streamlit): counts with their noun in the
right number, months by name with their year, whole percents rounded one way, a change in words that
says whether it is better or worse for the measure, and whether the difference could be chance, in
plain words before any statistic.

Pages and printouts word their figures through these functions; tests/test_wording.py checks them and
walks every page's text for the words they replace.
"""

from __future__ import annotations

import datetime as dt
import math
import re

import pandas as pd

from dashboard.core import stats

BEYOND_CHANCE = "bigger than chance would explain"
COULD_BE_CHANCE = "could be chance"
# What the test of a change means, in a plain sentence (Data and definitions gives the method).
CHANCE_SENTENCE = (
    "A change is called bigger than chance would explain when a difference that large would turn up by chance "
    "less than one time in twenty if nothing had really changed; otherwise it could be chance."
)

INTERVAL_SENTENCE = (
    "the range the figure would very likely fall in if everyone had answered, narrower the more people answered."
)
_IRREGULAR = {"person": "people", "is": "are", "was": "were", "has": "have", "needs": "need"}
_MONTH_CODE = re.compile(r"^\d{4}-\d{2}$")


def plural(count: int, singular: str, plural_form: str | None = None) -> str:
    """The noun for ``count`` things: 'staff group' for 1, 'staff groups' otherwise (``plural_form``
    when the plural is not singular + 's')."""
    if count == 1:
        return singular
    if plural_form is not None:
        return plural_form
    return _IRREGULAR.get(singular, singular + "s")


def count_of(count: int, singular: str, plural_form: str | None = None) -> str:
    """'1 staff group', '2 staff groups', '1,234 people' (the count with thousands separators)."""
    return f"{int(count):,} {plural(int(count), singular, plural_form)}"


def shown_and_left_out(shown: int, left_out: int, singular: str, plural_form: str | None = None) -> str:
    """'1 service area shown, 27 left out'; '5 service areas shown' when none is left out."""
    text = f"{count_of(shown, singular, plural_form)} shown"
    return text + (f", {left_out:,} left out" if left_out else "")


def month_name(value: object) -> str:
    """A month as people read it, with its year: 'March 2021' (from a date, a timestamp or '2021-03')."""
    if isinstance(value, str) and _MONTH_CODE.match(value):
        value = dt.datetime.strptime(value, "%Y-%m")
    return f"{pd.Timestamp(value):%B %Y}"


def day_name(value: object) -> str:
    """A day as people read it: '8 March 2021'."""
    day = pd.Timestamp(value)
    return f"{day.day} {day:%B %Y}"


def percent_of(part: float, base: float) -> int | None:
    """``part`` of ``base`` (counts) as the whole percent every page shows: half up, as published
    (``stats.whole_percents``: 12.5 is 13); None when the base is 0 or a count is missing."""
    percent = stats.whole_percents([part], [base])[0]
    return None if math.isnan(percent) else int(percent)


def percent_text(part: float, base: float) -> str:
    """'42%' (``percent_of``); '–' when there is no figure."""
    percent = percent_of(part, base)
    return "–" if percent is None else f"{percent}%"


def better_or_worse(change: float, higher_is_better: bool) -> str:
    """'better', 'worse' or 'no different' for a change in a measure, by which way is good for it."""
    if not change:
        return "no different"
    return "better" if (change > 0) == higher_is_better else "worse"


def chance_words(p_value: float) -> str:
    """'bigger than chance would explain' when ``p_value`` < ``stats.ALPHA``, else 'could be chance'."""
    return BEYOND_CHANCE if p_value < stats.ALPHA else COULD_BE_CHANCE


def change_words(change: float, p_value: float, since: str, higher_is_better: bool = True) -> str:
    """A change since ``since`` (a wave's name) in plain words: 'up 3 points since X: better, bigger
    than chance would explain'; 'down 6 points since X: better, could be chance' (for a measure where
    lower is better); 'no change since X'. '' when there is no change figure."""
    if change is None or math.isnan(change):
        return ""
    if not change:
        return f"no change since {since}"
    direction = "up" if change > 0 else "down"
    points = count_of(abs(int(change)), "point")
    return f"{direction} {points} since {since}: {better_or_worse(change, higher_is_better)}, {chance_words(p_value)}"


def change_colour(change: float | None, higher_is_better: bool) -> str:
    """The colour a change is drawn in (Streamlit's metric ``delta_color``): green for better, red for
    worse whichever way the figure moved ('normal' when higher is better, 'inverse' when lower is);
    'off' (grey) for no change or none."""
    if change is None or (isinstance(change, float) and math.isnan(change)) or not change:
        return "off"
    return "normal" if higher_is_better else "inverse"


def better_and_worse(changes: list[tuple[float, bool]]) -> str:
    """How many of (change, higher_is_better) are better and how many worse: '2 better and 1 worse',
    '1 better and none worse', '' for none."""
    better = sum(better_or_worse(c, h) == "better" for c, h in changes)
    worse = sum(better_or_worse(c, h) == "worse" for c, h in changes)
    if not (better or worse):
        return ""
    return f"{better or 'none'} better and {worse or 'none'} worse"
