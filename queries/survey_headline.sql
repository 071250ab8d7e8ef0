-- Each survey measure for the filtered responses: base n and positive count, each
-- with its key sum (perturbed in the app before it is shown).
-- view_key is the key sum of every response in the group (answered or not): each
-- count's noise depends on it too (dashboard/disclosure.py), so no figure stays the
-- same when one person joins or leaves a view.
with cells as (
    select *
    from survey_cells_in(
        $care_groups::varchar[], $service_areas::varchar[], $surveys::varchar[],
        $staff_groups::varchar[], $date_from::date, $date_to::date
    )
),

final as (
    select
        measure,
        coalesce(sum(responses) filter (where counted), 0)::bigint as n,
        (sum(key_sum) filter (where counted))::bigint as n_key,
        coalesce(sum(responses) filter (where positive), 0)::bigint as positive,
        (sum(key_sum) filter (where positive))::bigint as positive_key,
        sum(key_sum)::bigint as view_key
    from cells
    group by measure
)

select * from final order by measure
