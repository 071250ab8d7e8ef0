-- The comments of one comment reporting unit of one survey wave, defined once: the Trust (care_group
-- null), one care group, or one service area (service_area, within care_group); one
-- survey or all (survey null). Never narrowed by dates or staff groups: the units are
-- fixed, so no two listings differ by a handful of people (docs/DISCLOSURE.md). Read
-- from survey_comments (pipeline/cells.py), which holds no date, group or answer.
create or replace macro unit_comment_rows(unit_wave, unit_care_group, unit_service_area, unit_survey) as table
select comment
from survey_comments
where wave = unit_wave
  and (unit_care_group is null or care_group = unit_care_group)
  and (unit_service_area is null or service_area = unit_service_area)
  and (unit_survey is null or survey = unit_survey)
;
