-- One survey measure by one dimension: base n and positive count per group, each with
-- its key sum (perturbed in the app). $dimension is care_group, service_area, survey or
-- staff_group (checked in Python first). For service_area each group keeps its care
-- group, so the 'Not stated' areas of different care groups stay apart.
-- view_key is the key sum of every response in the group (answered or not): each
-- count's noise depends on it too (dashboard/disclosure.py), so no figure stays the
-- same when one person joins or leaves a view.
with cells as (
    select *
    from survey_cells_in(
        $care_groups::varchar[], $service_areas::varchar[], $surveys::varchar[],
        $staff_groups::varchar[], $date_from::date, $date_to::date
    )
    where measure = $measure::varchar
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
        counted,
        positive,
        responses,
        key_sum
    from cells
),

final as (
    select
        group_name,
        care_group,
        coalesce(sum(responses) filter (where counted), 0)::bigint as n,
        (sum(key_sum) filter (where counted))::bigint as n_key,
        coalesce(sum(responses) filter (where positive), 0)::bigint as positive,
        (sum(key_sum) filter (where positive))::bigint as positive_key,
        sum(key_sum)::bigint as view_key
    from labelled
    group by group_name, care_group
    having n > 0
)

select * from final order by care_group nulls first, group_name
