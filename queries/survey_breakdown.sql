-- One survey measure by one dimension: base n and positive count per group.
-- $dimension is care_group, service_area, survey or staff_group (checked in Python first).
-- For service_area each group keeps its care group, so the 'Not stated' areas of
-- different care groups stay apart and areas add up to their care group's total.
-- Only answers in the measure's base are read, so the groups add up to the headline n.
with answers as (
    select *
    from survey_answers(
        $care_groups::varchar[], $service_areas::varchar[], $surveys::varchar[],
        $staff_groups::varchar[], $date_from::date, $date_to::date
    )
),

counted as (
    select *
    from answers
    where measure = $measure::varchar and counted
),

labelled as (
    select
        case $dimension::varchar
            when 'care_group' then care_group
            when 'service_area' then service_area
            when 'survey' then survey
            when 'staff_group' then staff_group
        end as group_name,
        case when $dimension::varchar = 'service_area' then care_group end as care_group,
        positive
    from counted
),

final as (
    select
        group_name,
        care_group,
        count(*) as n,
        count(*) filter (where positive) as positive
    from labelled
    group by group_name, care_group
)

select * from final order by care_group nulls first, group_name
