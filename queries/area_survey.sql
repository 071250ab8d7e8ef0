-- Each survey measure per care group and service area ('Not stated' when empty) for
-- the filtered surveys, staff groups and dates, over the whole Trust: every part of
-- every care group's total is here, so disclosure control can be decided on the
-- complete breakdown whichever areas a page then shows.
with answers as (
    select *
    from survey_answers(
        []::varchar[], []::varchar[], $surveys::varchar[],
        $staff_groups::varchar[], $date_from::date, $date_to::date
    )
),

final as (
    select
        care_group,
        service_area,
        measure,
        count(*) filter (where answered) as respondents,
        count(*) filter (where counted) as n,
        count(*) filter (where counted and positive) as positive
    from answers
    group by care_group, service_area, measure
)

select * from final order by care_group, service_area, measure
