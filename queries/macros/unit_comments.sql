-- The comments of one comment reporting unit of one survey wave, defined once: the Trust (care_group
-- null), one care group, or one service area (service_area, within care_group); one
-- survey or all (survey null). Never narrowed by dates or staff groups: the units are
-- fixed, so no two listings differ by a handful of people (docs/DISCLOSURE.md). Read
-- from the comments the build released (pipeline/comment_units.py): a listed unit's regions,
-- and each region's comments, with no date, group, answer or area beside them. A unit that
-- is not listed has no regions, so no comments.
create or replace macro unit_comment_rows(unit_wave, unit_care_group, unit_service_area, unit_survey) as table
select comments.comment
from comment_regions units
join release_comments comments on comments.wave = units.wave and comments.region = units.region
where units.wave = unit_wave
  and units.care_group is not distinct from unit_care_group
  and units.service_area is not distinct from unit_service_area
  and units.survey is not distinct from unit_survey
;
