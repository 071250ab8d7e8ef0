-- When and from which files the database was built, with row counts.
with final as (
    select * from build_info
)

select * from final order by file
