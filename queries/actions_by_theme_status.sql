-- Actions raised per strategy theme and status, for the filtered care groups,
-- service areas and dates (raised_on), as in engagement_headline. Summed they
-- equal its actions_raised.
with areas as (
    select service_area
    from service_areas
    where (len($care_groups::varchar[]) = 0 or list_contains($care_groups::varchar[], care_group))
      and (len($service_areas::varchar[]) = 0 or list_contains($service_areas::varchar[], service_area))
),

actions_in_scope as (
    select a.*
    from actions a
    join areas using (service_area)
    where a.raised_on between $date_from::date and $date_to::date
),

final as (
    select
        theme,
        status,
        count(*) as actions,
        count(*) filter (where quick_win) as quick_wins
    from actions_in_scope
    group by theme, status
)

select * from final order by theme, status
