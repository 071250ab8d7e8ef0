-- Conversations and hours per week (weeks start on Monday) for the filtered care
-- groups, service areas and dates, with weeks that held none shown as zero. Summed
-- over weeks they equal engagement_headline's conversations and hours.
with conversations_in_scope as (
    select c.*, date_trunc('week', c.held_on)::date as week
    from scoped_conversations($care_groups::varchar[], $service_areas::varchar[], $date_from::date, $date_to::date) c
),

-- Every week of the period in which any conversation was held, so that the axis
-- is the same whichever care groups or service areas are picked.
bounds as (
    select
        date_trunc('week', min(held_on))::date as first_week,
        date_trunc('week', max(held_on))::date as last_week
    from conversations
    where held_on between $date_from::date and $date_to::date
),

weeks as (
    select unnest(generate_series(first_week, last_week, interval 1 week))::date as week
    from bounds
    where first_week is not null
),

per_week as (
    select week, count(*) as conversations, sum(hours) as conversation_hours
    from conversations_in_scope
    group by week
),

final as (
    select
        weeks.week,
        coalesce(per_week.conversations, 0) as conversations,
        coalesce(per_week.conversation_hours, 0) as conversation_hours
    from weeks
    left join per_week using (week)
)

select * from final order by week
