-- The engagement measures for the filtered care groups, service areas and dates.
-- Conversations and attendees filter on held_on; actions on raised_on.
with conversations_in_scope as (
    select * from scoped_conversations($care_groups::varchar[], $service_areas::varchar[], $date_from::date, $date_to::date)
),

actions_in_scope as (
    select * from scoped_actions($care_groups::varchar[], $service_areas::varchar[], $date_from::date, $date_to::date)
),

staff_in_scope as (
    select distinct attendees.staff_id
    from conversation_attendees attendees
    join conversations_in_scope using (conversation_id)
    where len($staff_groups::varchar[]) = 0 or list_contains($staff_groups::varchar[], attendees.staff_group)
),

final as (
    select
        (select coalesce(sum(hours), 0) from conversations_in_scope) as conversation_hours,
        (select count(*) from conversations_in_scope) as conversations,
        (select count(*) from staff_in_scope) as staff_engaged,
        (select count(*) from actions_in_scope) as actions_raised,
        (select count(distinct service_area) from conversations_in_scope) as service_areas_covered,
        (select count(*) from actions_in_scope where quick_win and status = 'Completed') as quick_wins_completed
)

select * from final
