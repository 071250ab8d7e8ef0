-- The survey waves, oldest first: the wave filter's choices.
select wave_id, name, opened, closed
from waves
order by opened, wave_id
