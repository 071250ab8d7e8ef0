-- One survey measure's answers for the filtered responses: how many gave each answer,
-- and whether that answer is in the measure's base (counted) and counts towards it (positive).
-- Answers nobody gave are absent; the Python side lays them on the full answer scale.
with answers as (
    select *
    from survey_answers(
        $care_groups::varchar[], $service_areas::varchar[], $surveys::varchar[],
        $staff_groups::varchar[], $date_from::date, $date_to::date
    )
),

answered as (
    select answer, counted, positive
    from answers
    where measure = $measure::varchar and answered
),

final as (
    select
        answer,
        bool_or(counted) as counted,
        bool_or(positive) as positive,
        count(*) as responses
    from answered
    group by answer
)

select * from final order by answer
