-- How many comments unit_comments would list with no limit: the same unit and search.
with final as (
    select count(*) as comments
    from unit_comment_rows($wave::varchar, $care_group::varchar, $service_area::varchar, $survey::varchar)
    where ($search::varchar = '' or contains(lower(comment), lower($search::varchar)))
)

select * from final
