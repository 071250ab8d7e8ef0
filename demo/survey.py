"""The 2021 survey wave: respondents and answers calibrated to the published figures exactly."""

from collections import Counter
from datetime import date
from random import Random

from demo.comments import comment_2021
from demo.draw import chooser, cumulative, fix_count, period_days, pick, quotas, scaled, shuffle
from demo.model import (
    AGREE,
    CARE_GROUPS,
    CHAMPION,
    CORP,
    DEFAULT_RESPONSES,
    DISAGREE,
    FAIR,
    GOOD,
    INFO_BY_CARE_GROUP,
    INFO_BY_STAFF_GROUP,
    INFO_CHAMPION_BONUS,
    INFO_DONT_KNOW,
    INFO_NO,
    INFO_PARTLY,
    INFO_YES,
    NEITHER,
    PERIOD_START,
    POOR,
    Q_INFO,
    Q_SKILLS,
    Q_UNRELIABLE,
    SKILLS_BY_CARE_GROUP,
    SKILLS_BY_STAFF_GROUP,
    SKILLS_BY_SURVEY,
    SKILLS_CHAMPION_BONUS,
    SKILLS_NO_STAFF_GROUP,
    SKILLS_TREND,
    STAFF_GROUP_MIX,
    STAFF_GROUPS,
    STAFF_SURVEYS,
    STRONGLY_AGREE,
    STRONGLY_DISAGREE,
    SURVEY_SHARES,
    TARGET_INFO_AVAILABLE,
    TARGET_IT_SKILLS_GOOD,
    TARGET_IT_UNRELIABLE,
    UNRELIABLE_BY_CARE_GROUP,
    UNRELIABLE_BY_SURVEY,
    UNRELIABLE_TREND,
    VERY_GOOD,
    VERY_POOR,
)


def probabilities(s: str, cg: str, sg: str, sk_trend: float, un_trend: float) -> tuple[float, float, float]:
    """Probability of a positive answer (skills, unreliable, info) for a kind of respondent,
    before calibration. No clamping is needed: comparing random() with a value
    outside [0, 1] always or never succeeds."""
    p_in = 0.0
    if s in STAFF_SURVEYS:
        p_sk = SKILLS_BY_STAFF_GROUP[sg] if sg else SKILLS_NO_STAFF_GROUP
        p_in = INFO_BY_CARE_GROUP[cg] + (INFO_BY_STAFF_GROUP[sg] if sg else 0.0)
        if s == CHAMPION:
            p_sk += SKILLS_CHAMPION_BONUS
            p_in += INFO_CHAMPION_BONUS
    else:
        p_sk = SKILLS_BY_SURVEY[s]
    p_sk += SKILLS_BY_CARE_GROUP[cg] + sk_trend
    p_un = UNRELIABLE_BY_CARE_GROUP[cg] + UNRELIABLE_BY_SURVEY[s] + un_trend
    return p_sk, p_un, p_in


def draw_respondents(
    rng: Random,
    areas: list[tuple[str, str]],
    n: int,
    shares: dict[str, float],
    days: list[date],
    dw: list[float],
    sizes,
) -> dict:
    """Who responded: survey, submission day, care group, service area, staff group.

    ``sizes(rng, names, cg_of)`` gives the service areas' weights (0 for the
    small ones) and the small areas' sizes. Returns the columns as lists (with
    ``day_idx``, each response's index in ``days``, ascending).
    """
    rand = rng.random

    # Which survey each response came from (exact shares), in random order.
    counts = quotas(n, list(shares.values()))
    survey = [s for s, c in zip(shares, counts) for _ in range(c)]
    shuffle(rand, survey)
    is_staff = [s in STAFF_SURVEYS for s in survey]

    # Submission dates, sorted so response ids follow submission order.
    day_idx = sorted(rng.choices(range(len(days)), weights=dw, k=n))
    day_iso = [d.isoformat() for d in days]
    submitted = [day_iso[i] for i in day_idx]

    # Does the response name a service area / care group?
    #   staff surveys: area 88%, care group only 12%
    #   public surveys: area 58%, care group only 22%, neither 20%
    mode = []  # 2 = area, 1 = care group only, 0 = neither
    for st in is_staff:
        r = rand()
        mode.append((2 if r < 0.88 else 1) if st else (2 if r < 0.58 else 1 if r < 0.80 else 0))

    names = [a for a, _ in areas]
    cg_of = dict(areas)
    weight, small_sizes = sizes(rng, names, cg_of)

    staff_area_rows = [i for i in range(n) if mode[i] == 2 and is_staff[i]]
    public_area_rows = [i for i in range(n) if mode[i] == 2 and not is_staff[i]]
    small_total = min(sum(small_sizes.values()), len(staff_area_rows))
    staff_q = quotas(len(staff_area_rows) - small_total, [weight[a] for a in names])
    public_q = quotas(len(public_area_rows), [weight[a] if cg_of[a] != CORP else 0.0 for a in names])
    staff_pool = [a for a, q in zip(names, staff_q) for _ in range(q)]
    left = small_total
    for a, q in small_sizes.items():
        q = min(q, left)
        staff_pool += [a] * q
        left -= q
    public_pool = [a for a, q in zip(names, public_q) for _ in range(q)]
    shuffle(rand, staff_pool)
    shuffle(rand, public_pool)

    service_area = [""] * n
    care_group = [""] * n
    for i, a in zip(staff_area_rows, staff_pool):
        service_area[i] = a
        care_group[i] = cg_of[a]
    for i, a in zip(public_area_rows, public_pool):
        service_area[i] = a
        care_group[i] = cg_of[a]
    cg_weight = {cg: sum(weight[a] for a in names if cg_of[a] == cg) + 1.0 for cg in CARE_GROUPS}
    staff_cg_cum = cumulative([cg_weight[cg] for cg in CARE_GROUPS])
    public_cgs = [cg for cg in CARE_GROUPS if cg != CORP]
    public_cg_cum = cumulative([cg_weight[cg] for cg in public_cgs])
    for i in range(n):
        if mode[i] == 1:
            care_group[i] = (
                pick(rand, CARE_GROUPS, staff_cg_cum) if is_staff[i] else pick(rand, public_cgs, public_cg_cum)
            )

    # Staff group (staff surveys only; 7% leave it empty).
    sg_cum = {cg: cumulative(STAFF_GROUP_MIX[cg]) for cg in CARE_GROUPS}
    staff_group = [""] * n
    for i in range(n):
        if is_staff[i] and rand() >= 0.07:
            staff_group[i] = pick(rand, STAFF_GROUPS, sg_cum[care_group[i]])

    return {
        "survey": survey,
        "is_staff": is_staff,
        "day_idx": day_idx,
        "submitted": submitted,
        "care_group": care_group,
        "service_area": service_area,
        "staff_group": staff_group,
        "weight": weight,
        "small_sizes": small_sizes,
    }


def skills_answer(rand, p_positive: float) -> str:
    """An IT skills answer: 3% leave it empty; positive with ``p_positive``; then the level."""
    if rand() < 0.03:
        return ""
    if rand() < p_positive:
        return GOOD if rand() < 0.72 else VERY_GOOD
    u = rand()
    return VERY_POOR if u < 0.09 else POOR if u < 0.36 else FAIR


def unreliable_answer(rand, p_agree: float) -> str:
    """An "IT is too unreliable" answer: 3.5% leave it empty; agreeing with ``p_agree``; then the level."""
    if rand() < 0.035:
        return ""
    if rand() < p_agree:
        return AGREE if rand() < 0.62 else STRONGLY_AGREE
    u = rand()
    return STRONGLY_DISAGREE if u < 0.12 else DISAGREE if u < 0.5 else NEITHER


def info_answer(rand, p_yes: float, dont_know: float) -> str:
    """An information available answer (staff only): 4% leave it empty; Don't know with ``dont_know``;
    Yes with ``p_yes``; otherwise Partly or No."""
    if rand() < 0.04:
        return ""
    if rand() < dont_know:
        return INFO_DONT_KNOW
    if rand() < p_yes:
        return INFO_YES
    return INFO_PARTLY if rand() < 0.62 else INFO_NO


def survey_2021(rng: Random, areas: list[tuple[str, str]], n: int) -> tuple[dict, dict]:
    """Wave 2021: the respondents and answers that reproduce the published figures.

    Returns (wave, layout): the wave's columns (``answers`` by question id) and
    what the 2023 wave builds on (area weights, small area sizes, calibration shifts).
    """
    factor = n / DEFAULT_RESPONSES
    rand = rng.random

    def sizes(rng: Random, names: list[str], cg_of: dict[str, str]):
        # Service area sizes: a few big areas, many middling, a handful tiny.
        clinical = [a for a in names if cg_of[a] != CORP]
        small = set(rng.sample(clinical, 9) + rng.sample([a for a in names if cg_of[a] == CORP], 2))
        big = set(rng.sample([a for a in clinical if a not in small], 5))
        weight = {}
        for a in names:
            if a in small:
                weight[a] = 0.0
            elif a in big:
                weight[a] = rng.uniform(8.5, 10.0)
            else:
                weight[a] = rng.uniform(1.0, 2.6) * (1.1 if cg_of[a] == CORP else 1.0)
        small_sizes = {a: scaled(rng.randint(2, 8), factor) for a in sorted(small)}
        return weight, small_sizes

    days, dw = period_days(1.0, 0.3, (14, 24, 22, 24, 16))
    r = draw_respondents(rng, areas, n, SURVEY_SHARES, days, dw, sizes)
    survey, is_staff = r["survey"], r["is_staff"]
    care_group, staff_group = r["care_group"], r["staff_group"]
    day_month = [d.month - PERIOD_START.month for d in days]
    month = [day_month[i] for i in r["day_idx"]]

    # Probability of a "positive" answer for each kind of respondent (survey,
    # care group, staff group, month), then one additive shift per question
    # so the expected share is the published one.
    kinds = Counter(zip(survey, care_group, staff_group, month))
    kind_p = {k: probabilities(k[0], k[1], k[2], SKILLS_TREND[k[3]], UNRELIABLE_TREND[k[3]]) for k in kinds}
    n_staff = sum(is_staff) or 1
    sh_sk = TARGET_IT_SKILLS_GOOD - sum(c * kind_p[k][0] for k, c in kinds.items()) / n
    sh_un = TARGET_IT_UNRELIABLE - sum(c * kind_p[k][1] for k, c in kinds.items()) / n
    sh_in = TARGET_INFO_AVAILABLE - sum(c * kind_p[k][2] for k, c in kinds.items()) / n_staff
    kind_p = {k: (a + sh_sk, b + sh_un, c + sh_in) for k, (a, b, c) in kind_p.items()}

    # Draw answers: a few percent empty; then positive or not; then the level
    # (inline thresholds: this loop runs once per response).
    it_skills, info, unrel = [""] * n, [""] * n, [""] * n
    for i, kind in enumerate(zip(survey, care_group, staff_group, month)):
        p_sk, p_un, p_in = kind_p[kind]
        it_skills[i] = skills_answer(rand, p_sk)
        unrel[i] = unreliable_answer(rand, p_un)
        if is_staff[i]:
            info[i] = info_answer(rand, p_in, dont_know=0.07)

    all_rows = range(n)
    staff_rows = [i for i in all_rows if is_staff[i]]
    # Land exactly on the published percentages (fewest flips).
    sk_answered = [i for i in all_rows if it_skills[i]]
    fix_count(
        rng,
        it_skills,
        sk_answered,
        frozenset((GOOD, VERY_GOOD)),
        int(TARGET_IT_SKILLS_GOOD * len(sk_answered) + 0.5),
        to_neg={GOOD: FAIR, VERY_GOOD: FAIR},
        to_pos={FAIR: GOOD, POOR: GOOD, VERY_POOR: GOOD},
        prefer_neg=frozenset((GOOD,)),
        prefer_pos=frozenset((FAIR,)),
    )
    un_answered = [i for i in all_rows if unrel[i]]
    fix_count(
        rng,
        unrel,
        un_answered,
        frozenset((AGREE, STRONGLY_AGREE)),
        int(TARGET_IT_UNRELIABLE * len(un_answered) + 0.5),
        to_neg={AGREE: NEITHER, STRONGLY_AGREE: NEITHER},
        to_pos={NEITHER: AGREE, DISAGREE: AGREE, STRONGLY_DISAGREE: AGREE},
        prefer_neg=frozenset((AGREE,)),
        prefer_pos=frozenset((NEITHER,)),
    )
    in_answered = [i for i in staff_rows if info[i] and info[i] != INFO_DONT_KNOW]
    fix_count(
        rng,
        info,
        in_answered,
        frozenset((INFO_YES,)),
        int(TARGET_INFO_AVAILABLE * len(in_answered) + 0.5),
        to_neg={INFO_YES: INFO_PARTLY},
        to_pos={INFO_PARTLY: INFO_YES, INFO_NO: INFO_YES},
        prefer_neg=frozenset((INFO_YES,)),
        prefer_pos=frozenset((INFO_PARTLY,)),
    )

    # Free-text comments on about a quarter of responses.
    comment = [""] * n
    ch = chooser(rng)
    for i in range(n):
        if rand() < 0.26:
            comment[i] = comment_2021(
                rand, ch, survey[i], it_skills[i] in (GOOD, VERY_GOOD), unrel[i] in (AGREE, STRONGLY_AGREE)
            )

    wave = {
        "survey": survey,
        "submitted": r["submitted"],
        "care_group": care_group,
        "service_area": r["service_area"],
        "staff_group": staff_group,
        "comment": comment,
        "answers": {Q_SKILLS: it_skills, Q_INFO: info, Q_UNRELIABLE: unrel},
    }
    layout = {"weight": r["weight"], "small_sizes": r["small_sizes"], "shift": (sh_sk, sh_un, sh_in)}
    return wave, layout
