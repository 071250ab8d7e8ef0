-- The first and last dates of the data, for the month filter's range: the survey waves' dates
-- (each a fixed period set by the survey's owner), the conversations and the actions.
with dates as (
    select opened as day from waves
    union all
    select closed from waves
    union all
    select held_on from conversations
    union all
    select raised_on from actions
),

final as (
    select min(day) as first_day, max(day) as last_day from dates
)

select * from final
