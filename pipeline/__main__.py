"""Command line: ``python -m pipeline build [--extracts DIR] [--db FILE]``.

Exit status: 0 built, 1 the build stopped (the database in service is untouched:
a file cannot be read, or a whole file, a whole wave or more than 5% of a file's
rows were rejected without ``--accept-rejects``), 2 wrong usage.

``python -m pipeline map EXPORT --mapping FILE [--extracts DIR] [--out DIR]
[--write [--accept-unmatched] [--append | --replace]]`` turns a Microsoft Forms or
SmartSurvey export into survey_responses.csv and survey_answers.csv
(``pipeline.mapping``), matched against the Trust's lists, service areas, questions
and waves in --extracts (default: --out when given, else data/extracts). Without
--write it only previews. ``map EXPORT --init [--mapping FILE]`` writes a first
mapping file (``pipeline.mapping_init``). 0 written, previewed or initialised,
1 stopped (nothing written), 2 wrong usage.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from pipeline.build import build
from pipeline.ingest import BuildError
from pipeline.mapping import map_export
from pipeline.mapping_init import initial_mapping
from pipeline.mapping_output import existing, preview, write
from pipeline.mapping_trust import read_trust

DEFAULT_EXTRACTS = Path("data/extracts")
DEFAULT_DB = Path("data/engagement.duckdb")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m pipeline", description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(dest="command", required=True)
    build_command = commands.add_parser("build", help="build the DuckDB file from the extracts")
    build_command.add_argument(
        "--extracts", type=Path, default=DEFAULT_EXTRACTS, help="folder of extracts (default %(default)s)"
    )
    build_command.add_argument(
        "--db", type=Path, default=DEFAULT_DB, help="database file to write (default %(default)s)"
    )
    build_command.add_argument(
        "--accept-rejects",
        action="store_true",
        help="build even when a whole file, a whole wave or more than 5%% of a file's rows are rejected",
    )
    map_command = commands.add_parser(
        "map",
        help="turn a Microsoft Forms or SmartSurvey export into survey extracts (previews unless --write)",
        description="Preview (the default), write (--write) or start a mapping for (--init) a survey export.",
    )
    map_command.add_argument("export", type=Path, help="the export, .csv or .xlsx")
    map_command.add_argument(
        "--mapping", type=Path, help="mapping file (.toml); with --init, the file to create (default: print it)"
    )
    map_command.add_argument(
        "--extracts",
        type=Path,
        help="folder of the Trust's lists.csv, service_areas.csv, questions.csv and waves.csv "
        f"(default: --out when given, else {DEFAULT_EXTRACTS})",
    )
    map_command.add_argument("--out", type=Path, help="folder to write survey_responses.csv and survey_answers.csv to")
    map_command.add_argument("--init", action="store_true", help="write a first mapping file from the export")
    map_command.add_argument("--write", action="store_true", help="write the extracts (without it: preview only)")
    map_command.add_argument(
        "--accept-unmatched",
        action="store_true",
        help="write anyway: unmatched answers blank, responses with an unmatched unit or a reject left out (counted)",
    )
    mode = map_command.add_mutually_exclusive_group()
    mode.add_argument("--append", action="store_true", help="add to the survey extracts already in --out")
    mode.add_argument("--replace", action="store_true", help="replace the survey extracts already in --out")
    map_command.add_argument("--questions", type=Path, help="questions file (default: the one in --extracts)")
    map_command.add_argument("--preview", action="store_true", help=argparse.SUPPRESS)  # the default; old scripts
    args = parser.parse_args(argv)  # exits with 2 on wrong usage
    if args.command == "map":
        if args.init and (args.write or args.out or args.append or args.replace or args.accept_unmatched):
            map_command.error("--init writes only a mapping file; give --mapping FILE (or none, to print it)")
        if not args.init and args.mapping is None:
            map_command.error("--mapping is required (or give --init to write a first one)")
        if args.write and args.out is None:
            map_command.error("--write needs --out DIR")
        if (args.accept_unmatched or args.append or args.replace) and not args.write:
            map_command.error("--accept-unmatched, --append and --replace go with --write")
        return _map(args)
    try:
        report = build(args.extracts, args.db, accept_rejects=args.accept_rejects)
    except BuildError as error:
        print(f"Build stopped: {error}", file=sys.stderr)
        print(f"The database in service ({args.db}) was not changed.", file=sys.stderr)
        return 1
    print(report.text())
    return 0


def _map(args: argparse.Namespace) -> int:
    extracts = args.extracts or args.out or DEFAULT_EXTRACTS
    try:
        trust = read_trust(extracts, args.questions)
        if args.init:
            if args.mapping is not None and args.mapping.exists():
                raise BuildError(f"{args.mapping}: already there; --init never overwrites. Name a new file.")
            text = initial_mapping(args.export, trust)
            if args.mapping is None:
                print(text, end="")
            else:
                try:
                    args.mapping.write_text(text, encoding="utf-8")
                except OSError as error:
                    raise BuildError(f"{args.mapping}: cannot be written ({error.strerror}).") from None
                print(f"Wrote {args.mapping}: check every line marked CHECK or check, then preview:")
                print(f"  python -m pipeline map {args.export} --mapping {args.mapping} --extracts {extracts}")
            return 0
        mapped = map_export(args.export, args.mapping, trust)
        print(preview(mapped, extracts))
        if not args.write:
            there = existing(args.out) if args.out is not None else []
            if there:
                print(f"{args.out} already holds {' and '.join(there)}: --write will need --append or --replace.")
            print("Preview only: nothing was written (give --write --out DIR to write).")
        else:
            mode = "append" if args.append else "replace" if args.replace else None
            print(write(mapped, args.out, args.accept_unmatched, mode))
    except BuildError as error:
        print(f"Mapping stopped: {error}", file=sys.stderr)
        if args.write or (args.init and args.mapping is not None):
            print(f"Nothing was written to {args.mapping if args.init else args.out}.", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
