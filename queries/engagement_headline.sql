-- The engagement measures for the filtered care groups, service areas and dates.
-- Conversations and attendees filter on held_on; actions on raised_on.
with areas as (
    select service_area, care_group
    from service_areas
    where (len($care_groups::varchar[]) = 0 or list_contains($care_groups::varchar[], care_group))
      and (len($service_areas::varchar[]) = 0 or list_contains($service_areas::varchar[], service_area))
),

conversations_in_scope as (
    select c.*
    from conversations c
    join areas using (service_area)
    where c.held_on between $date_from::date and $date_to::date
),

actions_in_scope as (
    select a.*
    from actions a
    join areas using (service_area)
    where a.raised_on between $date_from::date and $date_to::date
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
