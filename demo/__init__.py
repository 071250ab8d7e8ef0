"""Seeded generator of SYNTHETIC demo extracts. None of this is real Trust data.

Not part of the product: the build (``pipeline``) and the app (``dashboard``) never import it.
Its parts: ``model`` (targets, waves, question bank, mixes and effects), ``templates`` (the
text in ``templates/*.toml``), ``draw`` (seeded helpers), ``engagement``, ``comments``,
``survey`` (2021), ``followup`` (2023) and ``write`` (``generate`` and the command line).

``python -m demo [--seed N] [--out DIR] [--scale N]`` writes the
extracts of the data contract (docs/DATA_CONTRACT.md), in the layout with
survey waves and a question bank, as CSV into ``DIR`` (default
``data/extracts``):

    service_areas.csv, conversations.csv, conversation_attendees.csv,
    actions.csv, waves.csv, questions.csv, survey_responses.csv,
    survey_answers.csv

plus ``SYNTHETIC_DEMO_DATA.json`` (``pipeline.contract.SYNTHETIC_MANIFEST``),
which labels the files as synthetic and records the seed, the scale and the
sha256 of every file, so the build can mark a database made from them as
synthetic.

Every row is invented: service area names, ward and clinic names, staff codes,
action titles and free-text comments are made up from templates. Staff are
pseudonymous codes (``STF-04821``); no names or e-mail addresses appear.

Two survey waves:

- ``2021`` "Digital strategy engagement 2021" (February to June 2021): with
  the default options (no ``--scale``) its rows, with the engagement extracts,
  reproduce the published headline figures of the contract exactly:

    Conversation hours       102   (sum of hours)
    Staff engaged            256   (distinct staff_id among attendees)
    Actions raised           831   (rows in actions)
    Service areas covered     92   (distinct service_area in conversations)
    Quick wins completed     213   (quick_win Yes and status Completed)
    IT skills rated good     39%   ((Good + Very good) / answered)
    Information available    69%   (Yes / answered, Don't know excluded)
    IT too unreliable        65%   ((Agree + Strongly agree) / answered)

  with 2,400 survey responses from all four surveys, clear differences between
  care groups, staff groups and service areas, and several service areas with
  fewer than 10 responses (so the disclosure rule has something to hide). The
  percentages land within a few hundredths of a point of the whole number, so
  no rounding convention can flip them.

- ``2023`` "Spring 2023 follow-up (SYNTHETIC)" (March to May 2023): an
  invented follow-up with about as many responses (2,250), the same surveys,
  care groups, service areas and staff groups, and one more question
  (``epr_confidence``, asked of staff only). Its movement from 2021 differs by
  service area and follows, noisily, the actions completed in the area between
  the waves (``completed_on`` after 2021-06-30 and before 2023-03-01): an area
  with more of them gains more on IT skills and information and loses more on
  "IT is too unreliable" than one with none; some areas get worse. Some small
  areas stay under 10 responses. Its response ids continue the 2021 numbering.

Answers are in ``survey_answers.csv``, one row per response and question
answered (a question left blank has no row), in response then question order.

Every service area but a few (``UNKNOWN_HEADCOUNTS``, left empty) has a
``headcount``, invented from its staff-survey responses (Staff and Digital
champion) after both waves are drawn: the larger wave's count divided by a
response rate drawn between 35% and 65% (at least a small team's size), so each
area's rates come out at roughly 20% to 65% in both waves (a few small areas
lower) and never above 100%. It draws on a stream of its own, so the other
files are the same bytes as without it.

``--scale N`` writes N survey responses in 2021 (and about as many in 2023) and
proportionally more conversations, attendees and actions (the service area list
stays the same). Figures are then only approximately the published ones, but
every row is still valid against the contract. The generator is deterministic:
the same seed and options give byte-identical files. It uses ``random.Random``
(stable across Python versions) rather than numpy.
"""

from demo.engagement import completed_between_waves, service_area_rows
from demo.model import DEFAULT_SEED
from demo.write import generate, main

__all__ = ["DEFAULT_SEED", "completed_between_waves", "generate", "main", "service_area_rows"]
