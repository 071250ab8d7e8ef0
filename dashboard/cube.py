"""Every survey figure of one filter state, summed from the survey cells in memory.

The build writes two small tables (``pipeline/cells.py``): ``survey_cells``, one
row per wave x survey x care group x service area x staff group x month x
question (``measure``) x answer, with how many responses gave that answer and the sum of their record
keys; and ``survey_groups``, the same with the answers summed into each
measure's counts (n counted, positive, and everyone's key sum, from
``answer_scale``, the measures' one definition). Every survey figure is a sum
of these rows, so this module loads them once per database file as arrays and,
for a filter state (one wave: the filters' or the latest), adds them up per measure for the selection and for every
breakdown in one pass: a boolean mask for the filters, then one
``numpy.bincount`` per count and breakdown.

Why not SQL: DuckDB plans a query with seven grouping sets in about 20 ms on
the reference machine, before running it, on every filter change. The tables
are small (their size is bounded by the number of surveys, areas, staff
groups, months and answers, not by the number of responses: about 34,000 and
144,000 rows at a million responses), so the sums take a few milliseconds
and memory stays nearly flat as responses grow. Sums of float64 weights are
exact for whole numbers below 2**53; the largest here (a key sum) is below 2**40.

``figures(cube, filters)`` returns the rows ``measures.survey_figures``
protects, with true counts and key sums: never shown as they are.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pyarrow as pa

from dashboard import arrays, db
from dashboard.filters import Filters

# The label columns the filters select on.
LABELS = ("wave", "survey", "care_group", "service_area", "staff_group", "month")
# Each breakdown a figure can be shown by, and the labels that make its groups (service areas
# keep their care group, so the 'Not stated' areas of different care groups stay apart).
BREAKDOWNS: dict[str, tuple[str, ...]] = {
    "selection": (),
    "care_group": ("care_group",),
    "service_area": ("care_group", "service_area"),
    "survey": ("survey",),
    "staff_group": ("staff_group",),
    "month": ("month",),
}
GROUP_COUNTS = ("n", "n_key", "positive", "positive_key", "view_key")  # summed per group
ANSWER_COUNTS = ("responses", "responses_key")  # summed per answer
COLUMNS = [
    "measure",
    "breakdown",
    "answer",
    *LABELS,
    *GROUP_COUNTS,
    *ANSWER_COUNTS,
    "answer_counted",
    "answer_positive",
]


@dataclass(frozen=True)
class Table:
    """One table's rows as arrays: label columns as codes into sorted values, counts as float64."""

    codes: dict[str, np.ndarray]
    counts: dict[str, np.ndarray]

    def __len__(self) -> int:
        return len(self.codes["measure"])


@dataclass(frozen=True)
class Cube:
    values: dict[str, np.ndarray]  # label -> its distinct values, sorted (measure and answer too)
    groups: Table  # survey_groups
    cells: Table  # survey_cells, answered cells only
    answer_counted: np.ndarray  # per (measure, answer) code pair: counted in the measure
    answer_positive: np.ndarray  # per (measure, answer) code pair: positive
    keyed: bool  # built with a perturbation key (else every key sum is missing: figures withheld)
    latest_wave: str | None  # the wave figures are for when the filters name none


def load(connection) -> Cube:
    """Read ``survey_groups`` and ``survey_cells`` into a Cube (once per file: ``of``)."""
    labels = ", ".join(LABELS)
    groups = arrays.read(
        connection, f"select {labels}, measure, n, n_key, positive, positive_key, view_key from survey_groups"
    )
    cells = arrays.read(
        connection,
        f"select {labels}, measure, answer, counted, positive, responses, key_sum "
        "from survey_cells where answer is not null",
    )
    values = {label: arrays.values_of(groups[label], cells[label]) for label in LABELS}
    # Every question of the bank, answered or not: each always has a selection row.
    bank = arrays.read(connection, "select question_id from questions")["question_id"]
    values["measure"] = arrays.values_of(groups["measure"], bank)
    waves = arrays.read(connection, "select wave_id from waves order by opened, wave_id")["wave_id"].to_pylist()
    values["answer"] = arrays.values_of(cells["answer"])

    def table(frame: pa.Table, names: dict[str, str], labels: tuple[str, ...]) -> Table:
        codes = {label: arrays.Labels.encode(frame[label], values[label]).codes for label in labels}
        counts = {name: arrays.numbers(frame[column], 0.0) for name, column in names.items()}
        return Table(codes, counts)

    groups_table = table(groups, {c: c for c in GROUP_COUNTS}, (*LABELS, "measure"))
    cells_table = table(cells, {"responses": "responses", "responses_key": "key_sum"}, (*LABELS, "measure", "answer"))
    shape = (len(values["measure"]), len(values["answer"]))
    flags = {}
    for flag in ("counted", "positive"):
        flags[flag] = np.zeros(shape, dtype=bool)
        rows = arrays.numbers(cells[flag], 0.0) > 0
        flags[flag][cells_table.codes["measure"][rows], cells_table.codes["answer"][rows]] = True
    keyed = groups.num_rows > 0 and groups["view_key"].null_count == 0
    values["month"] = values["month"].astype("datetime64[ns]")
    return Cube(
        values, groups_table, cells_table, flags["counted"], flags["positive"], keyed, waves[-1] if waves else None
    )


def of(database: db.Database) -> Cube:
    """The cube of ``database`` (read once per file)."""
    return database.memo("survey cube", load)


def _mask(cube: Cube, table: Table, filters: Filters) -> np.ndarray:
    """The rows of ``table`` the filters select (an empty list means no filter)."""
    mask = np.ones(len(table), dtype=bool)
    wave = filters.wave or cube.latest_wave
    for label, chosen in (
        ("wave", (wave,)),
        ("care_group", filters.care_groups),
        ("service_area", filters.service_areas),
        ("survey", filters.surveys),
        ("staff_group", filters.staff_groups),
    ):
        if chosen:
            mask &= arrays.allowed(cube.values[label], chosen)[table.codes[label]]
    if filters.date_from or filters.date_to:
        months = cube.values["month"]
        in_range = np.ones(len(months), dtype=bool)
        if filters.date_from:
            in_range &= months >= np.datetime64(filters.date_from.replace(day=1), "ns")
        if filters.date_to:
            in_range &= months <= np.datetime64(filters.date_to, "ns")
        mask &= in_range[table.codes["month"]]
    return mask


def _selected(table: Table, mask: np.ndarray) -> Table:
    """The rows of ``table`` the mask selects (taken once, then summed by every breakdown)."""
    rows = np.flatnonzero(mask)
    return Table(
        {label: codes[rows] for label, codes in table.codes.items()},
        {name: counts[rows] for name, counts in table.counts.items()},
    )


def _sums(cube: Cube, table: Table, labels: tuple[str, ...]):
    """Per measure and group of ``labels``: (each label's codes, each count's sums), for the
    groups holding at least one row of ``table``; with no labels, for every measure."""
    sizes = [len(cube.values["measure"]), *(len(cube.values[label]) for label in labels)]
    index = table.codes["measure"]
    for label, size in zip(labels, sizes[1:]):
        index = index * size + table.codes[label]
    total = int(np.prod(sizes))
    groups = np.flatnonzero(np.bincount(index, minlength=total)) if labels else np.arange(total)
    sums = {name: np.bincount(index, weights=counts, minlength=total)[groups] for name, counts in table.counts.items()}
    return np.unravel_index(groups, sizes), sums


@db.timed
def figures(cube: Cube, filters: Filters) -> dict[str, np.ndarray]:
    """Per measure: the selection, each group of every breakdown ('breakdown' names it) and
    each answer ('answer'), with true counts and key sums, as columns (``COLUMNS``) of arrays:
    labels as objects, months as datetime64, counts as float64 (nan when missing). Only groups
    holding a response appear, but every measure has its selection (n = 0 when nobody answered). Group
    rows hold ``GROUP_COUNTS``, answer rows ``ANSWER_COUNTS``, their selection's ``view_key`` and
    where the answer sits in its measure; the rest is missing, and so is every key sum when
    the database was built without a key."""
    columns: dict[str, list[np.ndarray]] = {name: [] for name in COLUMNS}

    def add(breakdown: str, labels: tuple[str, ...], codes: tuple[np.ndarray, ...], sums: dict) -> None:
        rows = len(codes[0])
        columns["breakdown"].append(np.full(rows, breakdown, dtype=object))
        columns["measure"].append(cube.values["measure"][codes[0]])
        for label in ("answer", *LABELS):
            if label in labels:
                columns[label].append(cube.values[label][codes[1 + labels.index(label)]])
            else:
                columns[label].append(
                    np.full(rows, None, dtype=object) if label != "month" else np.full(rows, np.datetime64("NaT", "ns"))
                )
        for name in (*GROUP_COUNTS, *ANSWER_COUNTS):
            columns[name].append(sums.get(name, np.full(rows, np.nan)))
        for name, flags in (("answer_counted", cube.answer_counted), ("answer_positive", cube.answer_positive)):
            columns[name].append(flags[codes[0], codes[1]] if breakdown == "answer" else np.zeros(rows, dtype=bool))

    groups = _selected(cube.groups, _mask(cube, cube.groups, filters))
    for breakdown, labels in BREAKDOWNS.items():
        codes, sums = _sums(cube, groups, labels)
        add(breakdown, labels, codes, sums)
        if breakdown == "selection":  # an answer's view is its selection: everyone the filters select
            selection_view = np.full(len(cube.values["measure"]), np.nan)
            selection_view[codes[0]] = sums["view_key"]
    codes, sums = _sums(cube, _selected(cube.cells, _mask(cube, cube.cells, filters)), ("answer",))
    add("answer", ("answer",), codes, sums | {"view_key": selection_view[codes[0]]})

    joined = {name: np.concatenate(parts) for name, parts in columns.items()}
    if not cube.keyed:  # built without a key: no key sums at all (every figure is withheld)
        for name in (*GROUP_COUNTS, *ANSWER_COUNTS):
            if name.endswith("_key"):
                joined[name] = np.full(len(joined[name]), np.nan)
    return joined
