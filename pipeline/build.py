"""Build: extracts folder -> one DuckDB file, swapped in whole.

Takes the extracts folder and the target database path. Everything is loaded,
validated and released in a build-only staging file beside the target (the extract
tables; an optional extract left out gets its default: ``pipeline.questions``, which
also writes ``answer_scale`` and ``question_waves``). Then only the tables the app
reads (``SERVED_TABLES``) are copied into a new file, which replaces the target
atomically, and the staging file is deleted:

- the engagement extracts, ``action_list`` (the actions with their care group), the
  waves and the question bank;
- the survey release (``pipeline.release``: ``release_groups``, ``release_cells``,
  ``release_audit``) and the released comments (``pipeline.comment_units``);
- ``rejects`` (file, line, column, value, reason; the value left out for the survey
  files, whose rows are answers), ``build_info`` (one row per file given: when, size,
  checksum, rows read / loaded / rejected, ignored columns, where the perturbation key
  came from) and ``release_info`` (the thresholds the release was made with).

So the served file holds no survey response, answer, record key or true survey count.
Returns a ``BuildReport``. On any ``BuildError`` the target is left untouched.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import shutil
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import pyarrow as pa

from pipeline import comment_units, contract, keys, lists, questions, release, settings
from pipeline.contract import SERVED_TABLES
from pipeline.ingest import SPACES, BuildError, FastCsv, RawTable, find_extract, read_csv, read_csv_fast, read_xlsx
from pipeline.validate import all_extracts, create_label_table, create_table, validate_and_load

TOP_REASONS = 3
SURVEY_EXTRACTS = ("survey_responses", "survey_answers")  # their rejected values are not served
MAX_REJECTED_SHARE = 0.05  # more of a file's rows rejected than this stops the build (unless accepted)


@dataclass
class FileReport:
    file: str
    rows_read: int
    rows_loaded: int
    rows_rejected: int
    ignored_columns: list[str]
    top_reasons: list[tuple[str, str, int]]  # (column, reason, rows)
    warnings: list[str] = field(default_factory=list)


@dataclass
class BuildReport:
    database: Path
    built_at: dt.datetime
    synthetic: bool
    files: list[FileReport]
    perturbation: str = "setting"  # where the perturbation key came from: one of keys.KEY_SOURCES
    audit: list[tuple[str, str, str, int]] = field(default_factory=list)  # (wave, kind, status, groups)
    threshold: int = 10

    def text(self) -> str:
        lines = [
            f"Built {self.database} at {self.built_at:%Y-%m-%d %H:%M:%S} UTC"
            + (" from SYNTHETIC demo extracts" if self.synthetic else "")
        ]
        lines.append(f"{'file':<30} {'read':>9} {'loaded':>9} {'rejected':>9}")
        for f in self.files:
            lines.append(f"{f.file:<30} {f.rows_read:>9,} {f.rows_loaded:>9,} {f.rows_rejected:>9,}")
            for column, reason, count in f.top_reasons:
                lines.append(f"    {count:,} x {column or '(row)'} {reason}")
            if f.ignored_columns:
                lines.append(f"    ignored columns: {', '.join(f.ignored_columns)}")
            lines.extend(f"    warning: {w}" for w in f.warnings)
        if self.perturbation == "none":
            lines.append(
                f"WARNING: no perturbation key ({keys.KEY_SETTING}): nothing of the survey was released, and the "
                "app will show no survey figure from this database. Set the key and rebuild (docs/DISCLOSURE.md)."
            )
        else:
            lines.append(
                f"Survey release: perturbed once (key from: {self.perturbation}), audited at {self.threshold} "
                "responses; groups per wave, kind and status:"
            )
            lines.extend("    " + line for line in _audit_lines(self.audit))
        total = sum(f.rows_rejected for f in self.files)
        lines.append(
            f"{total:,} row{'s' if total != 1 else ''} rejected; see the rejects table (file, line, column, value, "
            "reason) and the Data and definitions page."
            if total
            else "No rows rejected."
        )
        return "\n".join(lines)


def _audit_lines(summary: list[tuple[str, str, str, int]]) -> list[str]:
    """The audit's summary as a small text table: a row per wave and kind, a column per status."""
    if not summary:
        return []
    statuses = list(dict.fromkeys(status for _, _, status, _ in sorted(summary, key=lambda row: row[2] != "released")))
    counts: dict[tuple[str, str], dict[str, int]] = {}
    for wave, kind, status, groups in summary:
        row = counts.setdefault((wave, kind), {})
        row[status] = row.get(status, 0) + groups
    widths = [max(len(s), 7) for s in statuses]
    lines = [f"{'wave':<6} {'kind':<8} " + " ".join(f"{s:>{w}}" for s, w in zip(statuses, widths))]
    for (wave, kind), row in sorted(counts.items()):
        lines.append(f"{wave:<6} {kind:<8} " + " ".join(f"{row.get(s, 0):>{w},}" for s, w in zip(statuses, widths)))
    return lines


def _check_header(raw: RawTable | FastCsv, extract_name: str) -> tuple[list[str], list[str]]:
    """Map the file's columns onto the contract's; stop on a missing required column."""
    from pipeline.rules import EXTRACTS

    extract = EXTRACTS[extract_name]
    seen: dict[str, int] = {}
    for position, name in enumerate(raw.header):
        if name and name in seen:
            raise BuildError(
                f"{raw.file}: column '{raw.original_header[position]}' appears twice in the header (line 1)."
            )
        seen[name] = position
    missing = [c for c in extract.required_columns if c not in seen]
    if missing:
        raise BuildError(
            f"{raw.file}: missing required column{'s' if len(missing) > 1 else ''} {', '.join(missing)} "
            f"in the header (line 1); found: {', '.join(raw.original_header) or 'nothing'}."
        )
    ignored = [raw.original_header[i] for i, name in enumerate(raw.header) if name not in extract.column_names]
    return list(extract.column_names), ignored


def _stage(con: duckdb.DuckDBPyConnection, path: Path, extract_name: str) -> tuple[RawTable | FastCsv, list[str]]:
    """Load one extract into ``stg_<extract>``: _line, _ragged, then every contract column as text."""
    fast = read_csv_fast(con, path, f"file_{extract_name}") if path.suffix.lower() == ".csv" else None
    raw = fast or (read_xlsx(path) if path.suffix.lower() == ".xlsx" else read_csv(path, path.read_bytes()))
    columns, ignored = _check_header(raw, extract_name)
    positions = {name: i for i, name in enumerate(raw.header)}
    if isinstance(raw, FastCsv):
        trim = "'" + SPACES.replace("'", "''") + "'"
        selected = ", ".join(
            f"nullif(trim(c{positions[name]}, {trim}), '') as \"{name}\""
            if name in positions
            else f'null::varchar as "{name}"'
            for name in columns
        )
        con.execute(
            f"create or replace table stg_{extract_name} as select rowid + 1 as _line, null::varchar as _ragged, "
            f"{selected} from {raw.table} where rowid > 0"
        )
        con.execute(f"drop table {raw.table}")
        return raw, ignored
    arrays: dict[str, list] = {"_line": raw.lines, "_ragged": [raw.ragged.get(i) for i in range(len(raw.rows))]}
    for name in columns:
        if name in positions:
            p = positions[name]
            arrays[name] = [row[p] for row in raw.rows]
        else:
            arrays[name] = [None] * len(raw.rows)
    table = pa.table({k: pa.array(v, type=pa.int64() if k == "_line" else pa.string()) for k, v in arrays.items()})
    con.register("staging_arrow", table)
    con.execute(f"create or replace table stg_{extract_name} as select * from staging_arrow")
    con.unregister("staging_arrow")
    return raw, ignored


def _is_synthetic(folder: Path, raws: list[RawTable | FastCsv]) -> bool:
    manifest = folder / contract.SYNTHETIC_MANIFEST
    if not manifest.is_file():
        return False
    try:
        known = json.loads(manifest.read_text(encoding="utf-8")).get("files", {})
    except (ValueError, AttributeError):
        return False
    return any(known.get(r.file) == r.sha256 for r in raws)


def _remove_stale_builds(target: Path) -> None:
    """A build killed halfway leaves its side file behind; the next build clears it."""
    for stale in [*target.parent.glob(f".{target.name}.building-*"), *target.parent.glob(f".{target.name}.serving-*")]:
        pid = stale.name.rsplit("-", 1)[-1].split(".")[0]
        if pid.isdigit() and pid != str(os.getpid()) and not _process_alive(int(pid)):
            stale.unlink(missing_ok=True)


def _process_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def build(extracts: Path, database: Path, accept_rejects: bool = False) -> BuildReport:
    extracts, database = Path(extracts), Path(database)
    if not extracts.is_dir():
        raise BuildError(f"{extracts}: no such folder of extracts.")
    database.parent.mkdir(parents=True, exist_ok=True)
    _remove_stale_builds(database)
    side = database.parent / f".{database.name}.building-{os.getpid()}"  # build-only: holds the responses
    served = database.parent / f".{database.name}.serving-{os.getpid()}"  # what replaces the target
    for leftover in (side, side.with_name(side.name + ".wal"), served, served.with_name(served.name + ".wal")):
        leftover.unlink(missing_ok=True)
    built_at = dt.datetime.now(dt.UTC).replace(tzinfo=None, microsecond=0)
    threshold = settings.whole_number(settings.MIN_GROUP_SIZE)
    min_comments = settings.whole_number(settings.MIN_COMMENTS)
    memory = settings.memory_amount(settings.BUILD_MEMORY)
    spill = side.with_name(side.name + ".tmp")  # DuckDB's temporary files beyond the memory limit
    stage = "starting"  # what the build is doing, for the message if it runs out of memory
    try:
        raws = []
        con = duckdb.connect(str(side))
        try:
            # Bounded memory: past the limit DuckDB spills to the temporary folder beside the file.
            con.execute(f"set memory_limit = '{memory}'")
            con.execute(f"set temp_directory = '{_sql_text(spill)}'")
            create_label_table(con)
            con.execute(
                'create table rejects_all (extract varchar, line bigint, "column" varchar, value varchar, reason varchar)'
            )
            ignored_by_file: dict[str, list[str]] = {}
            given: dict[str, str] = {}  # extract -> its file's name
            loaded: dict[str, int] = {}  # extract -> rows loaded from its file
            for extract in all_extracts():
                path = find_extract(extracts, extract.name, optional=extract.name in contract.OPTIONAL_EXTRACTS)
                stage = f"loading {path.name if path else extract.name}"
                if path is None:  # an optional extract left out: its default
                    {
                        "waves": questions.default_waves,
                        "questions": questions.default_questions,
                        "survey_answers": lambda c, e=extract: create_table(c, e),
                    }[extract.name](con)
                else:
                    raw, ignored_by_file[extract.name] = _stage(con, path, extract.name)
                    stage = f"checking the rows of {path.name}"
                    validate_and_load(con, extract)
                    raws.append(raw)
                    given[extract.name] = raw.file
                    loaded[extract.name] = con.execute(f'select count(*) from "{extract.name}"').fetchall()[0][0]
                if extract.name == "lists":
                    lists.after_lists(con, given["lists"])
                elif extract.name == "questions":
                    questions.after_questions(con)
                elif extract.name == "survey_responses":
                    questions.after_responses(con, default_wave="waves" not in given)
                elif extract.name == "survey_answers":
                    questions.after_answers(con, given["survey_responses"])
            stage = "counting the rejected rows"
            synthetic = _is_synthetic(extracts, raws)
            key, key_source = keys.choose_key(synthetic)
            reports = _finish(con, raws, ignored_by_file, loaded, built_at, synthetic, key_source)
            _stop_on_rejects(con, reports, accept_rejects)
            stage = "making the survey release"
            audited = release.build_release(con, key, threshold)
            stage = "choosing the comments to release"
            comment_units.build_comment_units(con, threshold, min_comments)
            stage = "writing the database"
            _build_action_list(con)
            con.execute(
                "create table release_info as select ?::integer as threshold, ?::integer as min_comments, "
                "?::varchar as perturbation, ?::integer as max_noise",
                [threshold, min_comments, key_source, release.perturbation.MAX_NOISE],
            )
            _serve(con, served)
        finally:
            con.close()
        with open(served, "rb") as handle:
            os.fsync(handle.fileno())
        os.replace(served, database)
    except duckdb.OutOfMemoryException as error:
        raise BuildError(_out_of_memory(stage, memory, spill, error)) from None
    finally:
        for leftover in (side, served):
            leftover.unlink(missing_ok=True)
            leftover.with_name(leftover.name + ".wal").unlink(missing_ok=True)
        shutil.rmtree(spill, ignore_errors=True)
    return BuildReport(database, built_at, synthetic, reports, key_source, audited, threshold)


def _sql_text(path: Path) -> str:
    return str(path).replace("'", "''")


def _out_of_memory(stage: str, memory: str, spill: Path, error: Exception) -> str:
    """One paragraph: where the build ran out of memory, and what to change."""
    free = shutil.disk_usage(spill.parent).free / 2**30
    total = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    said = str(error).splitlines()[0] if str(error) else type(error).__name__
    return (
        f"the build ran out of memory while {stage}: DuckDB could not stay within {settings.BUILD_MEMORY.env}="
        f"{memory} even by spilling to temporary files in {spill.parent} ({free:,.1f} GB free there). "
        f"Set {settings.BUILD_MEMORY.env} higher (this machine has {total:,.1f} GB; for example "
        f"{settings.BUILD_MEMORY.env}=2GB), or free disk space there, and build again. (DuckDB said: {said})"
    )


def _stop_on_rejects(con: duckdb.DuckDBPyConnection, reports: list[FileReport], accept_rejects: bool) -> None:
    """Stop, with one paragraph, when a whole file, a whole wave or more than ``MAX_REJECTED_SHARE``
    of a file's rows were rejected, unless the person building accepts it (``accept_rejects``)."""
    problems = []
    for f in reports:
        if f.rows_rejected and (f.rows_loaded == 0 or f.rows_rejected > MAX_REJECTED_SHARE * f.rows_read):
            share = "every row" if f.rows_loaded == 0 else f"{f.rows_rejected / f.rows_read:.0%} of its rows"
            reasons = "; ".join(f"{n:,} x {column or '(row)'} {reason}" for column, reason, n in f.top_reasons)
            problems.append(f"{f.file}: {f.rows_rejected:,} of {f.rows_read:,} rows rejected ({share}; {reasons})")
    if any(f.file.startswith("survey_responses.") for f in reports):
        for wave, given in _waves_wholly_rejected(con):
            problems.append(f"wave {wave}: all {given:,} of its responses rejected")
    if not problems or accept_rejects:
        return
    raise BuildError(
        "too many rows were rejected to build without asking (a whole file, a whole wave, or more than "
        f"{MAX_REJECTED_SHARE:.0%} of a file's rows): {'. '.join(problems)}. Fix those rows in the files (or map "
        "the export again: python -m pipeline map), or build anyway with --accept-rejects, which loads the rest and "
        "counts what was left out on the Data and definitions page."
    )


def _waves_wholly_rejected(con: duckdb.DuckDBPyConnection) -> list[tuple[str, int]]:
    """Waves that rows of survey_responses named (or dated into) of which none was loaded."""
    return con.execute(
        """
        select w.wave_id, count(*) as given
        from typed_survey_responses t
        join waves w on t.wave = w.wave_id or (t.wave is null and t.submitted_on between w.opened and w.closed)
        left join survey_responses r on r.response_id = t.response_id and r.wave = w.wave_id
        group by w.wave_id
        having count(r.response_id) = 0
        order by w.wave_id
        """
    ).fetchall()


def _serve(con: duckdb.DuckDBPyConnection, served: Path) -> None:
    """Copy the served tables, and only them, into a new file (the staging file, which holds the
    responses, is deleted after). Rejected values of the survey files are left out."""
    con.execute(f"attach '{str(served).replace(chr(39), chr(39) * 2)}' as served")
    con.execute(
        "update rejects set value = null where file in (select file from extract_files where extract in ?)",
        [list(SURVEY_EXTRACTS)],
    )
    for table in SERVED_TABLES:
        con.execute(f"create table served.{table} as select * from main.{table}")
    con.execute("detach served")


def _build_action_list(con: duckdb.DuckDBPyConnection) -> None:
    """The actions with their care group, newest first: what the action list reads
    (``queries/macros/actions.sql``), without a join on every filter change."""
    con.execute(
        "create table action_list as select actions.*, service_areas.care_group from actions "
        "join service_areas using (service_area) order by raised_on desc, action_id"
    )


def _finish(
    con, raws: list[RawTable | FastCsv], ignored_by_file, loaded_by_file, built_at, synthetic, key_source
) -> list[FileReport]:
    file_of = {raw.file.rsplit(".", 1)[0]: raw.file for raw in raws}
    con.execute("create table extract_files (extract varchar, file varchar)")
    con.executemany("insert into extract_files values (?, ?)", list(file_of.items()))
    con.execute(
        'create table rejects as select f.file, r.line, r."column", r.value, r.reason '
        'from rejects_all r join extract_files f using (extract) order by f.file, r.line, r."column", r.reason'
    )
    con.execute(
        "create table build_info (built_at timestamp, synthetic boolean, file varchar, format varchar, "
        "encoding varchar, size_bytes bigint, sha256 varchar, rows_read bigint, rows_loaded bigint, "
        "rows_rejected bigint, ignored_columns varchar, warnings varchar, perturbation varchar)"
    )
    reports = []
    for extract, raw in zip(file_of, raws):
        loaded = loaded_by_file[extract]
        rejected = con.execute("select count(distinct line) from rejects where file = ?", [raw.file]).fetchall()[0][0]
        top = con.execute(
            'select "column", reason, count(distinct line) as n from rejects where file = ? '
            'group by all order by n desc, "column", reason limit ?',
            [raw.file, TOP_REASONS],
        ).fetchall()
        if loaded + rejected != raw.rows_read:  # an invariant of the contract; never expected
            raise BuildError(f"{raw.file}: {raw.rows_read} rows read but {loaded} loaded + {rejected} rejected.")
        ignored = ignored_by_file[extract]
        con.execute(
            "insert into build_info values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [
                built_at,
                synthetic,
                raw.file,
                raw.format,
                raw.encoding,
                raw.size_bytes,
                raw.sha256,
                raw.rows_read,
                loaded,
                rejected,
                ", ".join(ignored),
                " ".join(raw.warnings),
                key_source,
            ],
        )
        reports.append(FileReport(raw.file, raw.rows_read, loaded, rejected, ignored, top, raw.warnings))
    return reports
