-- The survey measures, defined once (shared/DATA_CONTRACT.md, "Headline measures").
-- One row per response per measure, for the responses matching the filters:
--   answered: the question was answered (any answer)
--   counted:  the answer is in the measure's base (empty and "Don't know" excluded)
--   positive: the answer counts towards the measure
-- Every survey query reads survey_answers(...); none restates these rules.
-- An empty list means "no filter"; dates are inclusive.
create or replace macro survey_answers(care_groups, service_areas, surveys, staff_groups, date_from, date_to) as table
with responses as (
    select
        response_id,
        survey,
        submitted_on,
        coalesce(care_group, 'Not stated') as care_group,
        coalesce(service_area, 'Not stated') as service_area,
        coalesce(staff_group, 'Not stated') as staff_group,
        comment,
        it_skills,
        info_available,
        it_unreliable
    from survey_responses
    where (len(care_groups) = 0 or list_contains(care_groups, care_group))
      and (len(service_areas) = 0 or list_contains(service_areas, service_area))
      and (len(surveys) = 0 or list_contains(surveys, survey))
      and (len(staff_groups) = 0 or list_contains(staff_groups, staff_group))
      and submitted_on between date_from and date_to
),

it_skills as (
    select
        * exclude (it_skills, info_available, it_unreliable),
        'it_skills' as measure,
        it_skills as answer,
        it_skills is not null as answered,
        it_skills is not null as counted,
        coalesce(it_skills in ('Good', 'Very good'), false) as positive
    from responses
),

info_available as (
    select
        * exclude (it_skills, info_available, it_unreliable),
        'info_available' as measure,
        info_available as answer,
        info_available is not null as answered,
        coalesce(info_available <> 'Don''t know', false) as counted,
        coalesce(info_available = 'Yes', false) as positive
    from responses
),

it_unreliable as (
    select
        * exclude (it_skills, info_available, it_unreliable),
        'it_unreliable' as measure,
        it_unreliable as answer,
        it_unreliable is not null as answered,
        it_unreliable is not null as counted,
        coalesce(it_unreliable in ('Agree', 'Strongly agree'), false) as positive
    from responses
),

final as (
    select * from it_skills
    union all
    select * from info_available
    union all
    select * from it_unreliable
)

select * from final
