-- The free-text comments of the filtered responses that contain $search, in
-- alphabetical order, at most $max_rows of them (null: all). With $measure, only
-- responses that answered that question; without, every filtered response (each has
-- one row per measure in survey_answers, so one measure's rows are the responses).
-- The pipeline stores comments trimmed, an empty one as null. The search is a bound
-- parameter matched as plain text, case-insensitively ('' matches all).
-- survey_comment_count gives how many there are in all.
with answers as (
    select *
    from survey_answers(
        $care_groups::varchar[], $service_areas::varchar[], $surveys::varchar[],
        $staff_groups::varchar[], $date_from::date, $date_to::date
    )
),

final as (
    select comment
    from answers
    where measure = coalesce($measure::varchar, 'it_skills')
      and (answered or $measure::varchar is null)
      and comment is not null
      and ($search::varchar = '' or contains(lower(comment), lower($search::varchar)))
)

select * from final order by comment limit $max_rows
