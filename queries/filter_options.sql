-- Every service area with its care group: the allowed values for the filters.
with final as (
    select service_area, care_group from service_areas
)

select * from final order by care_group, service_area
