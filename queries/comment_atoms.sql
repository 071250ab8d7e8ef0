-- The building blocks of the comment units of one survey wave ($wave): per care group, service area ($not_stated,
-- 'Not stated', when empty) and survey, over the whole survey period and every staff group, how many
-- responses there are and how many of them left a comment. dashboard/comments.py decides
-- from these which units (the Trust, a care group, a service area; one survey or all)
-- may list their comments.
with final as (
    select
        coalesce(care_group, $not_stated::varchar) as care_group,
        coalesce(service_area, $not_stated::varchar) as service_area,
        survey,
        count(*) as respondents,
        count(comment) as comments
    from survey_responses
    where wave = $wave::varchar
    group by all
)

select * from final order by care_group, service_area, survey
