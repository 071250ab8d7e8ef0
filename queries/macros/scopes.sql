-- The scopes of the engagement and actions queries, defined once: which service areas,
-- conversations (held_on) and actions (raised_on) the care group, service area and date
-- filters cover (an empty list means no filter). Every engagement and actions query
-- starts from these; none restates them. Created in this order: later ones use earlier.

create or replace macro scoped_areas(care_groups, service_areas) as table
select service_area, care_group
from service_areas
where (len(care_groups) = 0 or list_contains(care_groups, care_group))
  and (len(service_areas) = 0 or list_contains(service_areas, service_area))
;

-- Conversations held in a service area in scope, on a day in the date filter, with their care group.
create or replace macro scoped_conversations(care_groups, service_areas, date_from, date_to) as table
select c.*, areas.care_group
from conversations c
join scoped_areas(care_groups, service_areas) areas using (service_area)
where c.held_on between date_from and date_to
;

-- Actions raised in a service area in scope, on a day in the date filter, with their care group.
create or replace macro scoped_actions(care_groups, service_areas, date_from, date_to) as table
select a.*, areas.care_group
from actions a
join scoped_areas(care_groups, service_areas) areas using (service_area)
where a.raised_on between date_from and date_to
;

-- The actions in scope whose title, service area, care group, theme or status contains
-- search (any case; empty matches all): what the actions table lists and counts.
create or replace macro matching_actions(care_groups, service_areas, date_from, date_to, search) as table
select *
from scoped_actions(care_groups, service_areas, date_from, date_to)
where search = ''
   or contains(lower(title), lower(search))
   or contains(lower(service_area), lower(search))
   or contains(lower(care_group), lower(search))
   or contains(lower(theme), lower(search))
   or contains(lower(status), lower(search))
;
