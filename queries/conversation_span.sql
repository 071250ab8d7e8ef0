-- The first and last days conversations were held: when the engagement ran, for the pages' copy.
select min(held_on) as first_day, max(held_on) as last_day
from conversations
