-- Every service area with its care group and headcount (staff in post; null when not known), for
-- response rates. All columns: a database built before the headcount column has none, and the
-- caller then treats every headcount as not known.
with final as (
    select * from service_areas
)

select * from final order by care_group, service_area
