-- One survey measure by calendar month of submission: base n and positive count, each
-- with its key sum (perturbed in the app).
with cells as (
    select *
    from survey_cells_in(
        $care_groups::varchar[], $service_areas::varchar[], $surveys::varchar[],
        $staff_groups::varchar[], $date_from::date, $date_to::date
    )
    where measure = $measure::varchar and counted
),

final as (
    select
        month,
        sum(responses)::bigint as n,
        sum(key_sum)::bigint as n_key,
        coalesce(sum(responses) filter (where positive), 0)::bigint as positive,
        (sum(key_sum) filter (where positive))::bigint as positive_key
    from cells
    group by month
)

select * from final order by month
