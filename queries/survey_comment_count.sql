-- How many filtered responses are in scope for the comments (with $measure, those
-- that answered it; without, all) and how many of them have a comment containing
-- $search: the totals beside survey_comments' capped list, from the same rules.
with answers as (
    select *
    from survey_answers(
        $care_groups::varchar[], $service_areas::varchar[], $surveys::varchar[],
        $staff_groups::varchar[], $date_from::date, $date_to::date
    )
),

in_scope as (
    select comment
    from answers
    where measure = coalesce($measure::varchar, 'it_skills')
      and (answered or $measure::varchar is null)
),

final as (
    select
        count(*) as responses,
        count(*) filter (
            where comment is not null
              and ($search::varchar = '' or contains(lower(comment), lower($search::varchar)))
        ) as comments
    from in_scope
)

select * from final
