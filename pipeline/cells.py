"""Survey cells: the one small table behind every survey figure, with cell keys.

Takes the loaded ``survey_responses`` and ``survey_answers`` tables, the question
bank (``answer_scale``, ``question_waves``: ``pipeline.questions``) and the
perturbation key; gives ``survey_cells``: one row per wave x survey x care group
x service area x staff group x month x question (``measure``) x answer, holding
how many responses gave that answer (``responses``) and the sum of their record
keys (``key_sum``). A blank answer is a cell too (answer NULL, neither counted
nor positive), so the cells of one question cover every response of the waves
that ask it. ``survey_groups`` holds the same cells with the answers summed: per
wave x survey x care group x service area x staff group x month x question, the
number counted in the measure (``n``), the number positive, and
everyone (``responses``), each with its key sum (everyone's is ``view_key``).
``survey_comments`` holds the comments alone, by wave, care group, service area
and survey, for the comment lists.

A record key is a number from 0 to 255 made from a keyed hash (SHA-256 of the
secret key and the response id): the same response always gets the same key,
and without the key nobody can tell which key a response has. Any figure is a
sum of cells, so its cell key (the sum of its records' keys, modulo 256) is a
sum of ``key_sum``s: the app perturbs every survey count with it
(``dashboard.perturbation``) without reading a single response row. Only the
record keys' sums are stored; the key itself is never written to the database.

With real (non-synthetic) extracts and no key set, ``key_sum`` is empty and the
app shows no survey figure (see docs/DISCLOSURE.md).
"""

from __future__ import annotations

import os
import tomllib
from pathlib import Path

import duckdb

from pipeline import contract
from pipeline.ingest import BuildError

KEY_SETTING = "DASHBOARD_PERTURBATION_KEY"
SECRETS_FILE = Path(".streamlit") / "secrets.toml"  # [disclosure] perturbation_key, read from the working folder
# The demo's key, published on purpose: it is used only when every figure comes
# from the synthetic demo extracts, where there is nobody to protect.
DEMO_KEY = "synthetic-demo-data-key-not-secret"
KEY_SOURCES = ("setting", "demo key (synthetic data)", "none")
RECORD_KEYS = 256  # record and cell keys run 0..255: the perturbation table's width


def configured_key(secrets_file: Path = SECRETS_FILE) -> str | None:
    """The perturbation key from the environment, else from the secrets file; None when unset."""
    key = os.environ.get(KEY_SETTING, "").strip()
    if key:
        return key
    if not secrets_file.is_file():
        return None
    try:
        secrets = tomllib.loads(secrets_file.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as error:
        raise BuildError(f"{secrets_file}: cannot be read ({error}); fix it or set {KEY_SETTING}.") from None
    key = str((secrets.get("disclosure") or {}).get("perturbation_key", "")).strip()
    return key or None


def choose_key(synthetic: bool) -> tuple[str | None, str]:
    """(key, source): the configured key; else the demo key for synthetic data; else none."""
    key = configured_key()
    if key:
        return key, "setting"
    if synthetic:
        return DEMO_KEY, "demo key (synthetic data)"
    return None, "none"


def build_cells(con: duckdb.DuckDBPyConnection, key: str | None) -> None:
    """Write ``survey_cells``, ``survey_groups`` and ``survey_comments`` from ``survey_responses``,
    ``survey_answers`` and the bank (``answer_scale``, ``question_waves``: ``pipeline.questions``)."""
    # The key is bound as a parameter: it reaches the hash and nothing is stored but the sums.
    con.execute(
        """
        create table survey_cells as
        with responses as (
            select
                response_id,
                wave,
                survey,
                coalesce(care_group, $not_stated) as care_group,
                coalesce(service_area, $not_stated) as service_area,
                coalesce(staff_group, $not_stated) as staff_group,
                date_trunc('month', submitted_on)::date as month,
                case when $key::varchar is not null then
                    ('0x' || substr(sha256($key::varchar || chr(31) || response_id), 1, 2))::integer
                end as record_key
            from survey_responses
        ),

        -- Every response x every question its wave asks, answered or not: a blank answer
        -- (answer NULL, neither counted nor positive) is a cell too, so a view's key
        -- (view_key in the queries) covers everyone the filters select.
        answers as (
            select responses.*, asked.question_id as measure, given.answer
            from responses
            join question_waves asked on asked.wave_id = responses.wave
            left join survey_answers given
                on given.response_id = responses.response_id and given.question_id = asked.question_id
        ),

        final as (
            select
                answers.wave, answers.survey, answers.care_group, answers.service_area, answers.staff_group,
                answers.month, answers.measure, answers.answer,
                coalesce(scale.counted, false) as counted,
                coalesce(scale.positive, false) as positive,
                count(*) as responses,
                sum(answers.record_key)::bigint as key_sum
            from answers
            left join answer_scale scale using (measure, answer)
            group by all
        )

        select * from final
        order by measure, wave, month, survey, care_group, service_area, staff_group, answer nulls first
        """,
        {"key": key, "not_stated": contract.NOT_STATED},
    )
    # The same cells with the answers summed into the measure's counts: what every figure
    # but the answer distribution reads, a sixth the rows of survey_cells.
    con.execute(
        """
        create table survey_groups as
        select
            wave, survey, care_group, service_area, staff_group, month, measure,
            coalesce(sum(responses) filter (where counted), 0)::bigint as n,
            (sum(key_sum) filter (where counted))::bigint as n_key,
            coalesce(sum(responses) filter (where positive), 0)::bigint as positive,
            (sum(key_sum) filter (where positive))::bigint as positive_key,
            sum(responses)::bigint as responses,
            sum(key_sum)::bigint as view_key
        from survey_cells
        group by all
        order by measure, wave, month, survey, care_group, service_area, staff_group
        """
    )
    # The comments alone, by reporting unit: what the comment lists read (dashboard/comments.py),
    # without a date, staff group or answer beside them.
    con.execute(
        """
        create table survey_comments as
        select
            wave,
            coalesce(care_group, $not_stated) as care_group,
            coalesce(service_area, $not_stated) as service_area,
            survey,
            comment
        from survey_responses
        where comment is not null
        order by wave, care_group, service_area, survey, comment
        """,
        {"not_stated": contract.NOT_STATED},
    )
