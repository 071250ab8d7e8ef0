-- The survey cells in scope, defined once: the cells (pipeline/cells.py) of the
-- filtered care groups, service areas, surveys and staff groups, in the months
-- from date_from's month to date_to (an empty list means no filter). Each cell
-- holds how many responses gave one answer to one measure (responses) and the sum
-- of their record keys (key_sum); counted and positive come from answer_scale, the
-- measures' one definition. Every survey figure is a sum of these cells: a query
-- returns the true count and its key sum side by side, and the app perturbs the
-- count (dashboard/perturbation.py) before anything is shown.
create or replace macro survey_cells_in(care_groups, service_areas, surveys, staff_groups, date_from, date_to) as table
select *
from survey_cells
where (len(care_groups) = 0 or list_contains(care_groups, care_group))
  and (len(service_areas) = 0 or list_contains(service_areas, service_area))
  and (len(surveys) = 0 or list_contains(surveys, survey))
  and (len(staff_groups) = 0 or list_contains(staff_groups, staff_group))
  and month between date_trunc('month', date_from) and date_to
;

