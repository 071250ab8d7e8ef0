-- One survey measure's answers for the filtered responses: how many gave each answer
-- (with its key sum, perturbed in the app), and whether the answer is in the measure's
-- base (counted) and counts towards it (positive). Answers nobody gave are absent; the
-- Python side lays them on the full answer scale.
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

final as (
    select
        answer,
        bool_or(counted) as counted,
        bool_or(positive) as positive,
        sum(responses)::bigint as responses,
        sum(key_sum)::bigint as responses_key,
        (sum(sum(key_sum)) over ())::bigint as view_key
    from cells
    group by answer
)

select * from final where answer is not null order by answer
