-- Per service area: actions raised and completed, and those of one strategy theme
-- ($theme), for the filtered care groups, service areas and dates (raised_on, as in
-- engagement_headline). Every service area in scope is listed, with zeros.
with areas as (
    select service_area, care_group from scoped_areas($care_groups::varchar[], $service_areas::varchar[])
),

actions_in_scope as (
    select * from scoped_actions($care_groups::varchar[], $service_areas::varchar[], $date_from::date, $date_to::date)
),

per_area as (
    select
        service_area,
        count(*) as actions_raised,
        count(*) filter (where status = 'Completed') as actions_completed,
        count(*) filter (where theme = $theme::varchar) as theme_actions,
        count(*) filter (where theme = $theme::varchar and status = 'Completed') as theme_actions_completed
    from actions_in_scope
    group by service_area
),

final as (
    select
        areas.service_area,
        areas.care_group,
        coalesce(per_area.actions_raised, 0) as actions_raised,
        coalesce(per_area.actions_completed, 0) as actions_completed,
        coalesce(per_area.theme_actions, 0) as theme_actions,
        coalesce(per_area.theme_actions_completed, 0) as theme_actions_completed
    from areas
    left join per_area using (service_area)
)

select * from final order by care_group, service_area
