-- One survey measure by calendar month of submission: base n and positive count.
-- Only answers in the measure's base are read, so the months add up to the headline n.
with answers as (
    select *
    from survey_answers(
        $care_groups::varchar[], $service_areas::varchar[], $surveys::varchar[],
        $staff_groups::varchar[], $date_from::date, $date_to::date
    )
),

counted as (
    select submitted_on, positive
    from answers
    where measure = $measure::varchar and counted
),

final as (
    select
        date_trunc('month', submitted_on)::date as month,
        count(*) as n,
        count(*) filter (where positive) as positive
    from counted
    group by 1
)

select * from final order by month
