-- Distinct staff engaged per staff group ('Not stated' when empty) for the filtered
-- care groups, service areas, dates and staff groups, as in engagement_headline.
-- Attendances counts each person once per conversation.
with conversations_in_scope as (
    select c.conversation_id
    from scoped_conversations($care_groups::varchar[], $service_areas::varchar[], $date_from::date, $date_to::date) c
),

attendances as (
    select attendees.staff_id, coalesce(attendees.staff_group, 'Not stated') as staff_group
    from conversation_attendees attendees
    join conversations_in_scope using (conversation_id)
    where len($staff_groups::varchar[]) = 0 or list_contains($staff_groups::varchar[], attendees.staff_group)
),

final as (
    select staff_group, count(distinct staff_id) as staff_engaged, count(*) as attendances
    from attendances
    group by staff_group
)

select * from final order by staff_engaged desc, staff_group
