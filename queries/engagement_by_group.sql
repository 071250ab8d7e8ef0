-- The engagement measures per care group or per service area ($dimension), for the
-- filtered care groups, service areas and dates. Definitions as in engagement_headline:
-- conversations and attendees filter on held_on, actions on raised_on, staff groups
-- narrow staff engaged only. Summed over groups, hours, conversations, actions and
-- quick wins equal engagement_headline; staff engaged does not (one person may attend
-- in several groups).
with areas as (
    select
        service_area,
        care_group,
        case $dimension::varchar
            when 'care_group' then care_group
            when 'service_area' then service_area
        end as group_name
    from scoped_areas($care_groups::varchar[], $service_areas::varchar[])
),

conversations_in_scope as (
    select c.*, areas.group_name
    from scoped_conversations($care_groups::varchar[], $service_areas::varchar[], $date_from::date, $date_to::date) c
    join areas using (service_area)
),

actions_in_scope as (
    select a.*, areas.group_name
    from scoped_actions($care_groups::varchar[], $service_areas::varchar[], $date_from::date, $date_to::date) a
    join areas using (service_area)
),

staff_in_scope as (
    select distinct conversations_in_scope.group_name, attendees.staff_id
    from conversation_attendees attendees
    join conversations_in_scope using (conversation_id)
    where len($staff_groups::varchar[]) = 0 or list_contains($staff_groups::varchar[], attendees.staff_group)
),

groups as (
    select group_name, min(care_group) as care_group, count(*) as service_areas
    from areas
    group by group_name
),

conversation_figures as (
    select
        group_name,
        count(*) as conversations,
        sum(hours) as conversation_hours,
        count(distinct service_area) as service_areas_covered
    from conversations_in_scope
    group by group_name
),

staff_figures as (
    select group_name, count(*) as staff_engaged
    from staff_in_scope
    group by group_name
),

action_figures as (
    select
        group_name,
        count(*) as actions_raised,
        count(*) filter (where status = 'Completed') as actions_completed,
        count(*) filter (where quick_win) as quick_wins_raised,
        count(*) filter (where quick_win and status = 'Completed') as quick_wins_completed
    from actions_in_scope
    group by group_name
),

final as (
    select
        groups.group_name,
        groups.care_group,
        groups.service_areas,
        coalesce(conversation_figures.conversations, 0) as conversations,
        coalesce(conversation_figures.conversation_hours, 0) as conversation_hours,
        coalesce(staff_figures.staff_engaged, 0) as staff_engaged,
        coalesce(conversation_figures.service_areas_covered, 0) as service_areas_covered,
        coalesce(action_figures.actions_raised, 0) as actions_raised,
        coalesce(action_figures.actions_completed, 0) as actions_completed,
        coalesce(action_figures.quick_wins_raised, 0) as quick_wins_raised,
        coalesce(action_figures.quick_wins_completed, 0) as quick_wins_completed
    from groups
    left join conversation_figures using (group_name)
    left join staff_figures using (group_name)
    left join action_figures using (group_name)
)

select * from final order by care_group, group_name
