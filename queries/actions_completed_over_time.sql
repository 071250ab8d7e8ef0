-- Of the actions raised in the filtered care groups, service areas and dates
-- (raised_on, as in engagement_headline), those completed, per week (starting
-- Monday) or month ($period) of completed_on; periods with none shown as zero.
with completed_in_scope as (
    select
        a.*,
        case $period::varchar
            when 'month' then date_trunc('month', a.completed_on)
            else date_trunc('week', a.completed_on)
        end::date as period_start
    from scoped_actions($care_groups::varchar[], $service_areas::varchar[], $date_from::date, $date_to::date) a
    where a.status = 'Completed'
),

periods as (
    select unnest(generate_series(
        min(period_start),
        max(period_start),
        case $period::varchar when 'month' then interval 1 month else interval 1 week end
    ))::date as period_start
    from completed_in_scope
    having count(*) > 0
),

per_period as (
    select
        period_start,
        count(*) as actions_completed,
        count(*) filter (where quick_win) as quick_wins_completed
    from completed_in_scope
    group by period_start
),

final as (
    select
        periods.period_start,
        coalesce(per_period.actions_completed, 0) as actions_completed,
        coalesce(per_period.quick_wins_completed, 0) as quick_wins_completed
    from periods
    left join per_period using (period_start)
)

select * from final order by period_start
