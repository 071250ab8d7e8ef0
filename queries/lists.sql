-- The Trust's own lists (care groups, staff groups, surveys, themes, formats, statuses) in display order.
select list, value, meaning
from lists
order by position
