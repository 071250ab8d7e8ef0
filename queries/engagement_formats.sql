-- Conversations, hours and distinct staff engaged per conversation format ('Not
-- stated' when empty) for the filtered care groups, service areas and dates; staff
-- groups narrow staff engaged only, as in engagement_headline.
with conversations_in_scope as (
    select c.*, coalesce(c.format, 'Not stated') as conversation_format
    from scoped_conversations($care_groups::varchar[], $service_areas::varchar[], $date_from::date, $date_to::date) c
),

staff_in_scope as (
    select distinct conversations_in_scope.conversation_format, attendees.staff_id
    from conversation_attendees attendees
    join conversations_in_scope using (conversation_id)
    where len($staff_groups::varchar[]) = 0 or list_contains($staff_groups::varchar[], attendees.staff_group)
),

conversation_figures as (
    select conversation_format, count(*) as conversations, sum(hours) as conversation_hours
    from conversations_in_scope
    group by conversation_format
),

staff_figures as (
    select conversation_format, count(*) as staff_engaged
    from staff_in_scope
    group by conversation_format
),

final as (
    select
        conversation_figures.conversation_format as format,
        conversation_figures.conversations,
        conversation_figures.conversation_hours,
        coalesce(staff_figures.staff_engaged, 0) as staff_engaged
    from conversation_figures
    left join staff_figures using (conversation_format)
)

select * from final order by conversations desc, format
