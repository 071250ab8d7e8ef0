-- The actions the action list shows and counts, defined once: those raised in a service
-- area the care group and service area filters cover (an empty list means no filter), on
-- a day in the date filter (raised_on, as every actions figure), whose title, service
-- area, care group, theme or status contains search (any case; empty matches all).
-- Read from action_list (the actions with their care group, built by the pipeline).
create or replace macro matching_actions(care_groups, service_areas, date_from, date_to, search) as table
select *
from action_list
where (len(care_groups) = 0 or list_contains(care_groups, care_group))
  and (len(service_areas) = 0 or list_contains(service_areas, service_area))
  and raised_on between date_from and date_to
  and (
      search = ''
      or contains(lower(title), lower(search))
      or contains(lower(service_area), lower(search))
      or contains(lower(care_group), lower(search))
      or contains(lower(theme), lower(search))
      or contains(lower(status), lower(search))
  )
;
