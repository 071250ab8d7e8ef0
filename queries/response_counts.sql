-- Responses per wave, care group and service area to the surveys given ($surveys: the staff
-- surveys), with the sum of their record keys: what response rates count (dashboard/response_rates.py).
-- Read from survey_groups, with no table of its own: every response has a cell for every
-- question its wave asks, answered or not (a blank answer is a cell too: pipeline/cells.py),
-- so the cells of one question per wave (the first by id) hold each response exactly once.
-- Responses of a wave that asks no question have no cells, and are not counted.
with one_question as (
    select wave_id as wave, min(question_id) as measure
    from question_waves
    group by wave_id
),

final as (
    select
        survey_groups.wave,
        survey_groups.care_group,
        survey_groups.service_area,
        sum(survey_groups.responses)::bigint as responses,
        sum(survey_groups.view_key)::bigint as key_sum
    from survey_groups
    join one_question using (wave, measure)
    where list_contains($surveys::varchar[], survey_groups.survey)
    group by all
)

select * from final order by wave, care_group, service_area
