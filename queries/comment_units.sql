-- Every comment reporting unit of one survey wave ($wave) and whether it lists its comments, with
-- the reason when not: decided once by the build (pipeline/comment_units.py), never from anyone's
-- filters. A unit is the Trust (care_group null), a care group, or a service area; one survey or
-- all (survey null).
with final as (
    select care_group, service_area, survey, listed, reason
    from comment_units
    where wave = $wave::varchar
)

select * from final order by care_group nulls first, service_area nulls first, survey nulls first
