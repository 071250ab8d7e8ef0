"""The survey release: one fixed, perturbed, audited set of cells per wave (docs/DISCLOSURE.md).

Takes the loaded ``survey_responses`` and ``survey_answers``, the question bank
(``answer_scale``, ``question_waves``: ``pipeline.questions``), the perturbation key and the
threshold; gives the only survey tables the app reads:

- ``release_groups``: every released group (``pipeline.audit.Group``: a unit x survey x staff
  group over the wave, a unit x month, or a service area's staff surveys) with its perturbed
  number of responses;
- ``release_cells``: for every released group and every question its wave asks, the perturbed
  count of each answer on the question's scale and of blank answers (answer null). A question
  whose base in a group (the answers counted in its measure) is under the threshold is not
  released for that group;
- ``release_audit``: how many groups each rule of the audit suppressed, per wave and kind.

A group absent from ``release_groups`` is suppressed: the release says nothing else about it.

**The noise.** Each response's member hash is HMAC-SHA-256 of the secret key and its id (the
first 64 bits). A cell's fingerprint is the sum of its members' hashes modulo 2**64: the same
set of responses always has the same fingerprint, and two different sets the same one with
probability 2**-64 (and, without the key, nobody can tell which). The cell key is the first byte
of HMAC-SHA-256 of the key and the fingerprint, and the count is perturbed once by the table of
``pipeline.perturbation``. So the noise depends on exactly which responses a cell holds: two cells
holding the same people get the same noise wherever they appear, and one person more or less
gives unrelated noise. Fingerprints add up, so the build sums them from the finest split
(``atoms``) to every released group without ever listing a group's members.

**The audit** (``pipeline.audit``) runs on the true counts of every wave before anything is
released. True counts, fingerprints and the key stay in the build: none is written to the
database the app reads (``pipeline.build`` copies only the served tables to it).

With real (non-synthetic) extracts and no key set, nothing is released and the app shows no
survey figure.
"""

from __future__ import annotations

import duckdb
import pyarrow as pa

from pipeline import audit, contract, keys, lists, perturbation

UNIT_LEVELS = ([], ["care_group"], ["care_group", "service_area"])
KEY_COLUMNS = ("kind", "wave", "care_group", "service_area", "survey", "staff_group", "month")
MODULUS = 2**64
QUESTION_BASE = "question base under the threshold"  # a question not released for a released group


def _grouping_sets(kind: str, extra: tuple[str, ...]) -> str:
    """The GROUPING SETS clause of one kind of group, each set with the ``extra`` columns
    (column names only: no value is pasted)."""
    sets = []
    for unit in UNIT_LEVELS:
        if kind == audit.ANSWERS:
            for survey in ([], ["survey"]):
                for staff in ([], ["staff_group"]):
                    sets.append(["wave", *unit, *survey, *staff, *extra])
        else:
            sets.append(["wave", "month", *unit, *extra])
    return "grouping sets (" + ", ".join("(" + ", ".join(s) + ")" for s in sets) + ")"


def _rolled(source: str, extra: tuple[str, ...] = (), rates: bool = True) -> str:
    """SELECT of every group of the three kinds (rates only when ``rates``), summed from
    ``source`` (atoms or fine cells), keeping the ``extra`` columns (question and answer)."""
    more = "".join(f", {c}" for c in extra)
    sums = f"sum(responses)::bigint as responses, sum(fingerprint) % {MODULUS}::hugeint as fingerprint"
    parts = [
        f"""select '{audit.ANSWERS}' as kind, wave, care_group, service_area, survey, staff_group,
                   null::date as month{more}, {sums}
            from {source} group by {_grouping_sets(audit.ANSWERS, extra)}""",
        f"""select '{audit.MONTH}', wave, care_group, service_area, null, null, month{more}, {sums}
            from {source} group by {_grouping_sets(audit.MONTH, extra)}""",
    ]
    if rates:
        parts.append(
            f"""select '{audit.RATE}', wave, care_group, service_area, null, null, null::date{more}, {sums}
                from {source}
                where list_contains($staff_surveys::varchar[], survey) and service_area <> $not_stated
                group by wave, care_group, service_area{more}"""
        )
    return "\nunion all\n".join(parts)


def _same_group(left: str, right: str) -> str:
    """SQL: ``left`` and ``right`` name the same group (a missing label means 'all')."""
    return " and ".join(f"{left}.{c} is not distinct from {right}.{c}" for c in KEY_COLUMNS)


# The cell key (the first byte of the keyed hash of a cell's fingerprint), and the count plus the
# noise the table gives for (count, cell key): a query over ``keyed`` (cells with responses and
# fingerprint) giving the key columns, ``extra`` and the perturbed responses.
CELL_KEY = "('0x' || substr(" + keys.hmac_sql("'cell:' || fingerprint::varchar") + ", 1, 2))::integer"


def _perturbed(cells: str, extra: str = "") -> str:
    return f"""
        with keyed as (select *, {CELL_KEY} as cell_key from ({cells}))
        select {", ".join(KEY_COLUMNS)}{extra}, keyed.responses + noise.noise as responses
        from keyed join release_noise noise
            on noise.count_row = least(keyed.responses, {perturbation.MAX_NOISE}) and noise.cell_key = keyed.cell_key
        order by all
    """


def build_release(con: duckdb.DuckDBPyConnection, key: str | None, threshold: int) -> list[tuple[str, str, str, int]]:
    """Write ``release_groups``, ``release_cells`` and ``release_audit`` (empty without a key); return the
    audit's summary, (wave, kind, status, groups)."""
    con.execute(
        "create table release_groups (kind varchar, wave varchar, care_group varchar, service_area varchar, "
        "survey varchar, staff_group varchar, month date, responses bigint)"
    )
    con.execute(
        "create table release_cells (kind varchar, wave varchar, care_group varchar, service_area varchar, "
        "survey varchar, staff_group varchar, month date, measure varchar, answer varchar, responses bigint)"
    )
    con.execute("create table release_audit (wave varchar, kind varchar, status varchar, groups bigint)")
    if key is None:
        return []
    pads = keys.pads(key)
    # The finest split the release is made of: atoms (care group, service area, survey, staff group and
    # month, in one wave), each numbered; then one row per response: its atom and its member hash (the
    # key reaches the hash only).
    labels = "wave, care_group, service_area, survey, staff_group, month"
    labelled = """
        select response_id, wave, survey,
               coalesce(care_group, $not_stated) as care_group,
               coalesce(service_area, $not_stated) as service_area,
               coalesce(staff_group, $not_stated) as staff_group,
               date_trunc('month', submitted_on)::date as month
        from survey_responses where wave is not null
    """
    con.execute(
        f"create table release_atom_labels as select row_number() over () as atom, * "
        f"from (select distinct {labels} from ({labelled}))",
        {"not_stated": contract.NOT_STATED},
    )
    con.execute(
        f"""
        create table release_members as
        select r.response_id, a.atom,
               ('0x' || substr({keys.hmac_sql("'response:' || r.response_id")}, 1, 16))::ubigint::hugeint as member_hash
        from ({labelled}) r join release_atom_labels a using ({labels})
        """,
        pads | {"not_stated": contract.NOT_STATED},
    )
    con.execute(
        """
        create table release_atoms as
        select a.*, m.responses, m.fingerprint
        from release_atom_labels a
        join (select atom, count(*)::bigint as responses, sum(member_hash) as fingerprint
              from release_members group by atom) m using (atom)
        """
    )
    # Answered cells from the answers (numbered atoms keep the grouping small); a blank answer's cell is
    # its atom less the answers given there (counts and fingerprints both add up), so no response is
    # crossed with every question.
    con.execute(
        """
        create table release_answered as
        select m.atom, given.question_id as measure, given.answer,
               count(*)::bigint as responses, sum(m.member_hash) as fingerprint
        from survey_answers given join release_members m using (response_id)
        group by all
        """
    )
    con.execute(
        f"""
        create table release_fine as
        with asked as (
            select atoms.atom, asked.question_id as measure, atoms.responses, atoms.fingerprint
            from release_atoms atoms join question_waves asked on asked.wave_id = atoms.wave
        ),
        given as (
            select asked.atom, asked.measure, given.answer, given.responses, given.fingerprint
            from asked join release_answered given using (atom, measure)
        ),
        blank as (
            select asked.atom, asked.measure, null::varchar as answer,
                   asked.responses - coalesce(sum(given.responses), 0) as responses,
                   asked.fingerprint - coalesce(sum(given.fingerprint), 0) as fingerprint
            from asked left join given using (atom, measure)
            group by asked.atom, asked.measure, asked.responses, asked.fingerprint
            having asked.responses - coalesce(sum(given.responses), 0) > 0
        )
        select {labels}, cells.measure, cells.answer, cells.responses, cells.fingerprint
        from (select * from given union all select * from blank) cells join release_atom_labels using (atom)
        """
    )
    for table in ("release_answered", "release_members", "release_atom_labels"):
        con.execute(f"drop table {table}")
    released, summary = _audit(con, threshold)
    con.register("release_released", released)
    noise = _table(perturbation.rows(), ("count_row", "cell_key", "noise"))
    con.register("release_noise_rows", noise)  # one insert, not a thousand
    con.execute("create table release_noise as select * from release_noise_rows")
    con.unregister("release_noise_rows")
    sums = {"staff_surveys": lists.staff_surveys(con), "not_stated": contract.NOT_STATED}
    groups = f"select r.* from ({_rolled('release_atoms')}) r join release_released k on {_same_group('r', 'k')}"
    con.execute(f"insert into release_groups {_perturbed(groups)}", sums | pads)
    # Cells of released groups. A question is released for a group when its base (the answers
    # counted in its measure) reaches the threshold; then every answer of its scale and the blank
    # answer are listed, so whether a row exists never depends on a count.
    con.execute(
        f"""
        create table release_rolled_cells as
        select r.* from ({_rolled("release_fine", ("measure", "answer"), rates=False)}) r
        join release_released k on {_same_group("r", "k")}
        """
    )
    con.execute(
        f"""
        create table release_questions as
        select {", ".join(KEY_COLUMNS)}, measure, coalesce(sum(responses) filter (where scale.counted), 0) as base
        from release_rolled_cells left join answer_scale scale using (measure, answer)
        group by all
        """
    )
    cells = f"""
        with every_answer as (
            select q.*, scale.answer from release_questions q
            join (select measure, answer from answer_scale union all select distinct measure, null from answer_scale)
                scale using (measure)
            where q.base >= $threshold
        )
        select e.* exclude (base), coalesce(c.responses, 0) as responses, coalesce(c.fingerprint, 0) as fingerprint
        from every_answer e left join release_rolled_cells c
            on {_same_group("e", "c")} and c.measure = e.measure and c.answer is not distinct from e.answer
    """
    con.execute(f"insert into release_cells {_perturbed(cells, ', measure, answer')}", pads | {"threshold": threshold})
    summary += con.execute(
        "select wave, kind, $status, count(*) from release_questions where base < $threshold group by all",
        {"threshold": threshold, "status": QUESTION_BASE},
    ).fetchall()
    con.register("release_summary", _table(summary, ("wave", "kind", "status", "groups")))
    con.execute("insert into release_audit select * from release_summary order by all")
    for view in ("release_summary", "release_released"):
        con.unregister(view)
    for table in ("release_atoms", "release_fine", "release_rolled_cells", "release_questions", "release_noise"):
        con.execute(f"drop table {table}")
    return summary


def _table(rows: list[tuple], names: tuple[str, ...]) -> pa.Table:
    """Rows as an Arrow table, to hand DuckDB in one insert."""
    return pa.table({name: [row[i] for row in rows] for i, name in enumerate(names)})


def _audit(con: duckdb.DuckDBPyConnection, threshold: int) -> tuple[pa.Table, list[tuple[str, str, str, int]]]:
    """Audit every wave: (the released groups' keys, the summary as (wave, kind, status, groups))."""
    atoms = con.execute(
        "select wave, care_group, service_area, survey, staff_group, month, responses from release_atoms order by all"
    ).fetchall()
    by_wave: dict[str, dict[str, list]] = {}
    for wave, *values in atoms:
        columns = by_wave.setdefault(wave, {c: [] for c in (*audit.ATOM_COLUMNS, "responses")})
        for name, value in zip((*audit.ATOM_COLUMNS, "responses"), values):
            columns[name].append(value)
    released, summary = [], []
    staff = lists.staff_surveys(con)
    for wave, columns in by_wave.items():
        result = audit.audit(columns, threshold, staff)
        released += [
            (g.kind, wave, g.care_group, g.service_area, g.survey, g.staff_group, g.month) for g in result.released
        ]
        summary += [(wave, kind, status, groups) for kind, status, groups in result.summary()]
    keys_ = {name: [row[i] for row in released] for i, name in enumerate(KEY_COLUMNS)}
    types = {name: pa.date32() if name == "month" else pa.string() for name in KEY_COLUMNS}
    return pa.table({name: pa.array(values, type=types[name]) for name, values in keys_.items()}), summary
