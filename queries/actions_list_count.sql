-- How many actions actions_list would list with no limit: the same scope and search.
with areas as (
    select service_area, care_group from scoped_areas($care_groups::varchar[], $service_areas::varchar[])
),

actions_in_scope as (
    select a.*, areas.care_group
    from actions a
    join areas using (service_area)
    where a.raised_on between $date_from::date and $date_to::date
),

matching as (
    select *
    from actions_in_scope
    where $search::varchar = ''
       or contains(lower(title), lower($search::varchar))
       or contains(lower(service_area), lower($search::varchar))
       or contains(lower(care_group), lower($search::varchar))
       or contains(lower(theme), lower($search::varchar))
       or contains(lower(status), lower($search::varchar))
),

final as (
    select count(*) as actions
    from matching
)

select * from final
