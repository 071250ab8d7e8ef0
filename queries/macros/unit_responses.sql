-- The responses of one comment reporting unit, defined once: the Trust (care_group
-- null), one care group, or one service area (service_area, within care_group); one
-- survey or all (survey null). Never narrowed by dates or staff groups: the units are
-- fixed, so no two listings differ by a handful of people (docs/DISCLOSURE.md).
create or replace macro unit_responses(unit_care_group, unit_service_area, unit_survey) as table
select *
from survey_responses
where (unit_care_group is null or coalesce(care_group, 'Not stated') = unit_care_group)
  and (unit_service_area is null or coalesce(service_area, 'Not stated') = unit_service_area)
  and (unit_survey is null or survey = unit_survey)
;
