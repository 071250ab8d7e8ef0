-- Each survey measure for the filtered responses: base n and positive count, each
-- with its key sum (perturbed in the app before it is shown).
with cells as (
    select *
    from survey_cells_in(
        $care_groups::varchar[], $service_areas::varchar[], $surveys::varchar[],
        $staff_groups::varchar[], $date_from::date, $date_to::date
    )
    where counted
),

final as (
    select
        measure,
        sum(responses)::bigint as n,
        sum(key_sum)::bigint as n_key,
        coalesce(sum(responses) filter (where positive), 0)::bigint as positive,
        (sum(key_sum) filter (where positive))::bigint as positive_key
    from cells
    group by measure
)

select * from final order by measure
