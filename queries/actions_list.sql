-- The actions raised in the filtered care groups, service areas and dates (raised_on,
-- as every actions figure) whose title, service area, care group, theme or status
-- contains $search (any case; empty matches all). Days open: to completed_on when
-- completed (the status lists.csv marks completed); empty when the status is one marked
-- closed (no closing date is recorded); else, while open, to $as_of (the last day in the data). Sorted by $sort (newest, oldest,
-- days_open or title; then newest first), at most $max_rows rows (null: all);
-- actions_list_count counts the same actions.
with matching as (
    select *
    from matching_actions(
        $care_groups::varchar[], $service_areas::varchar[], $date_from::date, $date_to::date, $search::varchar
    )
),

final as (
    select
        action_id,
        title,
        service_area,
        care_group,
        theme,
        quick_win,
        status,
        raised_on,
        completed_on,
        case
            when status = $completed::varchar then date_diff('day', raised_on, completed_on)
            when status in (select value from lists where list = 'status' and meaning = 'closed') then null
            else greatest(date_diff('day', raised_on, $as_of::date), 0)
        end as days_open
    from matching
)

select *
from final
order by
    case when $sort::varchar = 'oldest' then raised_on end asc,
    case when $sort::varchar = 'days_open' then days_open end desc nulls last,
    case when $sort::varchar = 'title' then title end asc,
    raised_on desc,
    action_id
limit $max_rows
