-- Each survey measure for the filtered responses: base n and positive count.
with answers as (
    select *
    from survey_answers(
        $care_groups::varchar[], $service_areas::varchar[], $surveys::varchar[],
        $staff_groups::varchar[], $date_from::date, $date_to::date
    )
),

final as (
    select
        measure,
        count(*) filter (where answered) as respondents,
        count(*) filter (where counted) as n,
        count(*) filter (where counted and positive) as positive
    from answers
    group by measure
)

select * from final order by measure
