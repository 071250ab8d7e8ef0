-- Actions raised per strategy theme and status, for the filtered care groups,
-- service areas and dates (raised_on), as in engagement_headline. Summed they
-- equal its actions_raised.
with actions_in_scope as (
    select * from scoped_actions($care_groups::varchar[], $service_areas::varchar[], $date_from::date, $date_to::date)
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
