"""Command line: ``python -m pipeline build [--extracts DIR] [--db FILE]``.

Exit status: 0 built (with or without rejects), 1 the build stopped (the
database in service is untouched), 2 wrong usage.

``python -m pipeline map EXPORT --mapping FILE --out DIR [--preview]
[--questions FILE] [--allow-unmatched]`` turns a Microsoft Forms or SmartSurvey
export into survey_responses.csv and survey_answers.csv (``pipeline.mapping``):
0 written (or previewed), 1 stopped (nothing written), 2 wrong usage.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from pipeline.build import build
from pipeline.ingest import BuildError
from pipeline.mapping import map_export
from pipeline.mapping_output import preview, write

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
    map_command = commands.add_parser("map", help="turn a Microsoft Forms or SmartSurvey export into survey extracts")
    map_command.add_argument("export", type=Path, help="the export, .csv or .xlsx")
    map_command.add_argument("--mapping", type=Path, required=True, help="mapping file (.toml)")
    map_command.add_argument("--out", type=Path, help="folder to write survey_responses.csv and survey_answers.csv to")
    map_command.add_argument("--preview", action="store_true", help="show what would be written; write nothing")
    map_command.add_argument("--questions", type=Path, help="questions.csv (or .xlsx) giving each question's scale")
    map_command.add_argument("--allow-unmatched", action="store_true", help="write unmatched answers blank")
    args = parser.parse_args(argv)  # exits with 2 on wrong usage
    if args.command == "map":
        if args.out is None and not args.preview:
            map_command.error("--out is required (or give --preview)")
        return _map(args)
    try:
        report = build(args.extracts, args.db)
    except BuildError as error:
        print(f"Build stopped: {error}", file=sys.stderr)
        print(f"The database in service ({args.db}) was not changed.", file=sys.stderr)
        return 1
    print(report.text())
    return 0


def _map(args: argparse.Namespace) -> int:
    try:
        mapped = map_export(args.export, args.mapping, args.questions)
        print(preview(mapped))
        if args.preview:
            print("Preview only: nothing was written.")
        else:
            print(write(mapped, args.out, args.allow_unmatched))
    except BuildError as error:
        print(f"Mapping stopped: {error}", file=sys.stderr)
        if args.out is not None and not args.preview:
            print(f"Nothing was written to {args.out}.", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
