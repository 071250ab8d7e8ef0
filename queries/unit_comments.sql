-- The comments of one reporting unit that contain $search (any case; '' matches all),
-- in alphabetical order, at most $max_rows (null: all). The unit is the Trust ($care_group
-- null), a care group, or a service area ($service_area, within $care_group); one survey
-- ($survey) or all (null); always the whole survey period and every staff group. Only
-- the text is returned: no date, group or answer that could point at who wrote it.
-- unit_comment_count counts the same comments.
with final as (
    select comment
    from unit_comment_rows($wave::varchar, $care_group::varchar, $service_area::varchar, $survey::varchar)
    where ($search::varchar = '' or contains(lower(comment), lower($search::varchar)))
)

select * from final order by comment limit $max_rows
