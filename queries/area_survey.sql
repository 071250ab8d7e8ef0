-- Each survey measure per care group and service area ('Not stated' when empty) for
-- the filtered surveys, staff groups and dates, over the whole Trust: base n and
-- positive count with their key sums. Key sums add up, so any union of these rows (a
-- care group, the Trust, the rest of a care group) gets its own cell key and is
-- perturbed as itself, the same figure as the page that filters to it.
with cells as (
    select *
    from survey_cells_in(
        []::varchar[], []::varchar[], $surveys::varchar[],
        $staff_groups::varchar[], $date_from::date, $date_to::date
    )
    where counted
),

final as (
    select
        care_group,
        service_area,
        measure,
        sum(responses)::bigint as n,
        sum(key_sum)::bigint as n_key,
        coalesce(sum(responses) filter (where positive), 0)::bigint as positive,
        (sum(key_sum) filter (where positive))::bigint as positive_key
    from cells
    group by care_group, service_area, measure
)

select * from final order by care_group, service_area, measure
