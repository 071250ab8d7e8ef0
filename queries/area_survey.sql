-- Each survey measure per care group and service area ('Not stated' when empty) for
-- the filtered surveys, staff groups and dates, over the whole Trust: base n and
-- positive count with their key sums. Key sums add up, so any union of these rows (a
-- care group, the Trust, the rest of a care group) gets its own cell key and is
-- perturbed as itself, the same figure as the page that filters to it.
-- view_key is the key sum of every response in the group (answered or not): each
-- count's noise depends on it too (dashboard/disclosure.py), so no figure stays the
-- same when one person joins or leaves a view. A group where nobody answered the
-- measure (n = 0) is kept: its view_key belongs to its care group's and the Trust's views.
with cells as (
    select *
    from survey_cells_in(
        []::varchar[], []::varchar[], $surveys::varchar[],
        $staff_groups::varchar[], $date_from::date, $date_to::date
    )
),

final as (
    select
        care_group,
        service_area,
        measure,
        coalesce(sum(responses) filter (where counted), 0)::bigint as n,
        (sum(key_sum) filter (where counted))::bigint as n_key,
        coalesce(sum(responses) filter (where positive), 0)::bigint as positive,
        (sum(key_sum) filter (where positive))::bigint as positive_key,
        sum(key_sum)::bigint as view_key
    from cells
    group by care_group, service_area, measure
)

select * from final order by care_group, service_area, measure
