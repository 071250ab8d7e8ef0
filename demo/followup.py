"""The invented 2023 wave: respondents drawn as in 2021, answers moved by a Trust-wide drift and
by each area's actions completed between the waves."""

from collections import Counter
from math import exp
from random import Random

from demo.comments import comment_2023
from demo.draw import chooser, period_days, scaled
from demo.engagement import completed_between_waves
from demo.model import (
    AGREE,
    AREA_EFFECT,
    CARE_GROUPS,
    CHAMPION,
    COMPLETED,
    DISAGREE,
    DRIFT_2023,
    EFFECT_ACTIONS,
    EFFECT_THEMES,
    EPR_BY_STAFF_GROUP,
    EPR_CHAMPION_BONUS,
    EPR_NO_STAFF_GROUP,
    EPR_SKILLED_BONUS,
    EPR_UNSKILLED_PENALTY,
    GOOD,
    MONTH_WEIGHTS_2023,
    NEITHER,
    PERIOD_2023_END,
    PERIOD_2023_START,
    PERIOD_END,
    PUBLIC_SKILLS_EFFECT,
    Q_EPR,
    Q_INFO,
    Q_SKILLS,
    Q_UNRELIABLE,
    SKILLS_BY_CARE_GROUP,
    STAFF_SURVEYS,
    STRONGLY_AGREE,
    STRONGLY_DISAGREE,
    SURVEY_SHARES_2023,
    VERY_GOOD,
)
from demo.survey import draw_respondents, info_answer, probabilities, skills_answer, unreliable_answer


def draw_area_effects(
    rng: Random, areas: list[tuple[str, str]], actions: list[tuple], factor: float
) -> dict[str, dict[str, float]]:
    """Each service area's change in the probability of a positive answer, by question."""
    after, before = PERIOD_END.isoformat(), PERIOD_2023_START.isoformat()
    done = completed_between_waves(actions)
    themed = {q: Counter() for q in EFFECT_THEMES}
    for r in actions:
        if r[6] == COMPLETED and after < r[8] < before:
            for q, themes in EFFECT_THEMES.items():
                if r[3] in themes:
                    themed[q][r[2]] += 1
    per = EFFECT_ACTIONS * factor
    effects = {}
    for a, _ in areas:
        effects[a] = {
            q: none + full * (1.0 - exp(-(done[a] + themed[q][a]) / per)) + rng.gauss(0.0, sd)
            for q, (none, full, sd) in AREA_EFFECT.items()
        }
    return effects


def survey_2023(
    rng: Random, areas: list[tuple[str, str]], n: int, factor: float, layout: dict, effects: dict[str, dict[str, float]]
) -> dict:
    """Wave 2023 (invented): the 2021 model, a Trust-wide drift and each area's effect."""
    rand = rng.random
    w_2021, small_2021 = layout["weight"], layout["small_sizes"]

    def sizes(rng: Random, names: list[str], cg_of: dict[str, str]):
        # The 2021 sizes, jittered; the small areas stay small.
        weight = {a: w_2021[a] * rng.uniform(0.7, 1.35) for a in names}
        small_sizes = {a: scaled(rng.randint(1, 8), factor) for a in sorted(small_2021)}
        return weight, small_sizes

    days, dw = period_days(1.0, 0.3, MONTH_WEIGHTS_2023, PERIOD_2023_START, PERIOD_2023_END)
    r = draw_respondents(rng, areas, n, SURVEY_SHARES_2023, days, dw, sizes)
    survey, is_staff = r["survey"], r["is_staff"]
    care_group, service_area, staff_group = r["care_group"], r["service_area"], r["staff_group"]

    # A response naming only a care group moves with the mean of its areas.
    def mean_effect(names: list[str]) -> dict[str, float]:
        return {q: sum(effects[a][q] for a in names) / len(names) for q in AREA_EFFECT}

    by_cg = {cg: mean_effect([a for a, g in areas if g == cg]) for cg in CARE_GROUPS}
    by_cg[""] = mean_effect([a for a, _ in areas])
    sh_sk, sh_un, sh_in = layout["shift"]

    def probs(s: str, cg: str, sg: str, area: str) -> tuple[float, float, float, float]:
        p_sk, p_un, p_in = probabilities(s, cg, sg, 0.0, 0.0)
        e = effects[area] if area else by_cg[cg]
        staff = s in STAFF_SURVEYS
        p_sk += sh_sk + DRIFT_2023[Q_SKILLS] + e[Q_SKILLS] * (1.0 if staff else PUBLIC_SKILLS_EFFECT)
        p_un += sh_un + DRIFT_2023[Q_UNRELIABLE] + e[Q_UNRELIABLE]
        p_in += sh_in + DRIFT_2023[Q_INFO] + e[Q_INFO]
        p_epr = 0.0
        if staff:
            p_epr = (
                (EPR_BY_STAFF_GROUP[sg] if sg else EPR_NO_STAFF_GROUP)
                + SKILLS_BY_CARE_GROUP[cg]
                + 0.5 * e[Q_SKILLS]
                + (EPR_CHAMPION_BONUS if s == CHAMPION else 0.0)
            )
        return p_sk, p_un, p_in, p_epr

    kind_p: dict[tuple, tuple[float, float, float, float]] = {}
    it_skills, info, unrel, epr = [""] * n, [""] * n, [""] * n, [""] * n
    comment = [""] * n
    ch = chooser(rng)
    for i, kind in enumerate(zip(survey, care_group, staff_group, service_area)):
        p = kind_p.get(kind)
        if p is None:
            p = kind_p[kind] = probs(*kind)
        p_sk, p_un, p_in, p_epr = p
        it_skills[i] = skills_answer(rand, p_sk)
        skilled = it_skills[i] in (GOOD, VERY_GOOD)
        unrel[i] = unreliable_answer(rand, p_un)
        if is_staff[i]:
            info[i] = info_answer(rand, p_in, dont_know=0.06)
            if rand() >= 0.04:
                p_epr += EPR_SKILLED_BONUS if skilled else EPR_UNSKILLED_PENALTY
                if rand() < p_epr:
                    epr[i] = AGREE if rand() < 0.68 else STRONGLY_AGREE
                else:
                    u = rand()
                    epr[i] = STRONGLY_DISAGREE if u < 0.1 else DISAGREE if u < 0.45 else NEITHER
        if rand() < 0.26:
            comment[i] = comment_2023(rand, ch, survey[i], skilled, unrel[i] in (AGREE, STRONGLY_AGREE))

    return {
        "survey": survey,
        "submitted": r["submitted"],
        "care_group": care_group,
        "service_area": service_area,
        "staff_group": staff_group,
        "comment": comment,
        "answers": {Q_SKILLS: it_skills, Q_INFO: info, Q_UNRELIABLE: unrel, Q_EPR: epr},
    }
