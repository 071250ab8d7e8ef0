-- How many actions actions_list would list with no limit: the same scope and search.
with matching as (
    select *
    from matching_actions(
        $care_groups::varchar[], $service_areas::varchar[], $date_from::date, $date_to::date, $search::varchar
    )
),

final as (
    select count(*) as actions
    from matching
)

select * from final
