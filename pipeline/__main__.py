"""Command line: ``python -m pipeline build [--extracts DIR] [--db FILE]``.

Exit status: 0 built (with or without rejects), 1 the build stopped (the
database in service is untouched), 2 wrong usage.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from pipeline.build import build
from pipeline.ingest import BuildError

DEFAULT_EXTRACTS = Path("data/extracts")
DEFAULT_DB = Path("data/engagement.duckdb")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m pipeline", description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(dest="command", required=True)
    build_command = commands.add_parser("build", help="build the DuckDB file from the extracts")
    build_command.add_argument("--extracts", type=Path, default=DEFAULT_EXTRACTS, help="folder of extracts (default %(default)s)")
    build_command.add_argument("--db", type=Path, default=DEFAULT_DB, help="database file to write (default %(default)s)")
    args = parser.parse_args(argv)  # exits with 2 on wrong usage
    try:
        report = build(args.extracts, args.db)
    except BuildError as error:
        print(f"Build stopped: {error}", file=sys.stderr)
        print(f"The database in service ({args.db}) was not changed.", file=sys.stderr)
        return 1
    print(report.text())
    return 0


if __name__ == "__main__":
    sys.exit(main())
