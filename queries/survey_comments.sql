-- The filtered responses (one row each) with their free-text comment and whether it
-- matches the search. With $measure given, only responses that answered that question.
-- The search is a bound parameter matched as plain text, case-insensitively ('' matches all).
-- Rows without a comment are kept so the caller can count the group before showing any.
with answers as (
    select *
    from survey_answers(
        $care_groups::varchar[], $service_areas::varchar[], $surveys::varchar[],
        $staff_groups::varchar[], $date_from::date, $date_to::date
    )
),

in_scope as (
    select response_id, any_value(comment) as comment
    from answers
    where $measure::varchar is null or (measure = $measure::varchar and answered)
    group by response_id
),

final as (
    select
        nullif(trim(comment), '') as comment,
        coalesce(contains(lower(comment), lower($search::varchar)), false) as matches
    from in_scope
)

select * from final order by comment nulls last
