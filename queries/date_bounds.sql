-- The first and last dates in the data, for the date filter's range.
with dates as (
    select submitted_on as day from survey_responses
    union all
    select held_on from conversations
    union all
    select raised_on from actions
),

final as (
    select min(day) as first_day, max(day) as last_day from dates
)

select * from final
