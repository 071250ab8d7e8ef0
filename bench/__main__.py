"""``python -m bench``: every benchmark, printed as markdown and written to bench/results/latest.md.

Per scale (number of synthetic survey responses; the other extracts grow in
proportion):

1. extracts from ``demo`` (cached by scale and seed), then a timed
   ``python -m pipeline build``;
2. every page's rerun time on a filter change, product beside the pandas
   reference (``bench.pages``, in a process of its own);
3. cold start and peak server memory of the product and of the reference app
   (``bench.server``; skipped with a note when /usr/bin/chromium is missing);
4. every page's filter change felt in Chromium against the real server, beside the
   floor's (``bench.felt``; skipped with the part before).

Then a growth table: each measure per scale, and the largest scale over the one before.

Options: ``--scales 100000,1000000`` (add 10000000 for the 10M column) ``--reruns 15``
``--changes 5`` ``--out FILE`` ``--quick`` (10,000 only, 5 reruns, one filter change per
server, 3 felt changes per page) ``--no-browser``
``--cache DIR`` ``--seed N`` ``--page pages/X.py`` (repeatable) ``--walks N``.
Raw results go beside the markdown as JSON.
Timings on a busy machine are noisy: read the ratios, and run on a quiet
machine for numbers to quote.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import subprocess
import sys
import time
from dataclasses import asdict
from pathlib import Path

from bench import combos, data, felt, report, server
from bench.pages import REFERENCE, ROOT, database_options, discover_pages, page_name

DEFAULT_SCALES = (100_000, 1_000_000)
DEFAULT_OUT = ROOT / "bench" / "results" / "latest.md"


def _scales(text: str) -> list[int]:
    try:
        scales = [int(part.replace("_", "")) for part in text.split(",") if part.strip()]
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a comma-separated list of whole numbers: {text!r}") from None
    if not scales or min(scales) < 1:
        raise argparse.ArgumentTypeError("scales must be positive numbers of survey responses")
    return scales


def parse(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__.splitlines()[0])
    parser.add_argument(
        "--scales",
        type=_scales,
        default=None,
        help="survey responses per scale, comma-separated (default 100000,1000000)",
    )
    parser.add_argument("--reruns", type=int, default=None, help="timed reruns per page (default 15; 5 with --quick)")
    parser.add_argument(
        "--changes",
        type=int,
        default=None,
        help=f"timed filter changes per page in Chromium (default {felt.CHANGES}; 3 with --quick)",
    )
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="markdown report (default %(default)s)")
    parser.add_argument(
        "--quick",
        action="store_true",
        help="10,000 responses, 5 reruns, one filter change per server, 3 felt changes per page",
    )
    parser.add_argument(
        "--no-browser", action="store_true", help="skip the real-server parts (cold start, memory, felt changes)"
    )
    parser.add_argument(
        "--cache", type=Path, default=data.DEFAULT_CACHE, help="extracts and databases (default %(default)s)"
    )
    parser.add_argument("--seed", type=int, default=2021, help="seed of the data and of the filter combinations")
    parser.add_argument(
        "--page",
        action="append",
        default=[],
        help="time only this page (path from the repository root; repeatable; default every page)",
    )
    parser.add_argument(
        "--walks",
        type=int,
        default=None,
        help="filter changes per server in the memory walk (default 3; 1 with --quick)",
    )
    args = parser.parse_args(argv)
    args.scales = args.scales or ([10_000] if args.quick else list(DEFAULT_SCALES))
    args.reruns = args.reruns if args.reruns is not None else (5 if args.quick else 15)
    args.walks = args.walks if args.walks is not None else (1 if args.quick else 3)
    args.changes = args.changes if args.changes is not None else (3 if args.quick else felt.CHANGES)
    if args.reruns < 1 or args.changes < 1:
        parser.error("--reruns and --changes must be at least 1")
    return args


def _say(text: str) -> None:
    print(text, flush=True)


def _pages(database: Path, reruns: int, seed: int, folder: Path, only: list[str]) -> list[dict]:
    """bench.pages in a fresh process (no cache or memory carried over from another scale)."""
    out = folder / "pages.json"
    out.unlink(missing_ok=True)
    command = [
        sys.executable,
        "-m",
        "bench.pages",
        "--db",
        str(database),
        "--reruns",
        str(reruns),
        "--seed",
        str(seed),
        "--out",
        str(out),
    ]
    command += [arg for page in only for arg in ("--page", page)]
    log = folder / "pages.log"
    with open(log, "w", encoding="utf-8") as stderr:
        completed = subprocess.run(command, check=False, cwd=ROOT, stdout=None, stderr=stderr)
    if completed.returncode != 0 or not out.exists():
        _say(f"  page timings failed (exit code {completed.returncode}); see {log}")
        return []
    return json.loads(out.read_text(encoding="utf-8"))


def _servers(database: Path, seed: int, walks: int, folder: Path) -> list[dict]:
    first, last, areas = database_options(database)
    chosen = combos.combinations(first, last, areas, seed + 1)
    params = [next(chosen).query_params(first, last) for _ in range(walks)]
    results = []
    for label, app in (("product", ROOT / "app.py"), ("reference", REFERENCE / "app.py")):
        names = [page_name(p) for p in discover_pages(app.parent)]
        result = server.measure(app, names, database, params, folder / f"server-{label}.log", label)
        _say(
            f"  {label:9} health {report._s(result.health_s, 2)} s, first complete page "
            f"{report._s(result.first_page_s, 2)} s, peak RSS {report._ms(result.peak_rss_mb)} MB"
            + (f" ({'; '.join(result.errors)})" if result.errors else "")
            + (f" ({result.note})" if result.note else "")
        )
        results.append(asdict(result))
    return results


def _felt(database: Path, changes: int, seed: int, folder: Path, only: list[str]) -> dict:
    measured = felt.measure(database, folder, changes, seed, [ROOT / p for p in only])
    for page in measured.pages:
        middle = report.median(page.changes_ms)
        _say(
            f"  felt {page.title:32} {report._ms(middle):>6} ms over {len(page.changes_ms)} changes"
            + (f" ({'; '.join(page.errors)[:200]})" if page.errors else "")
        )
    for error in measured.errors:
        _say(f"  felt: {error}")
    return asdict(measured)


def _stop_on_sigterm(signum: int, frame: object) -> None:
    raise SystemExit(128 + signum)  # unwinds, so the servers this run started are stopped


def main(argv: list[str] | None = None) -> int:
    args = parse(argv)
    previous = signal.signal(signal.SIGTERM, _stop_on_sigterm)
    try:
        run(args, argv)
    finally:
        signal.signal(signal.SIGTERM, previous)
    return 0


def run(args: argparse.Namespace, argv: list[str] | None) -> None:
    started = time.perf_counter()
    results = {
        "machine": report.machine(),
        "arguments": " ".join(argv if argv is not None else sys.argv[1:]),
        "reruns": args.reruns,
        "scales": [],
    }
    if not server.chromium_available() and not args.no_browser:
        _say(f"Note: {server.CHROMIUM} not found; the real-server parts are skipped.")
    for scale in args.scales:
        _say(f"\n== {scale:,} survey responses ==")
        folder = data.scale_folder(args.cache, scale, args.seed)
        extracts, generated = data.extracts(args.cache, scale, args.seed)
        _say(f"  extracts {'generated in ' + format(generated, '.1f') + ' s' if generated else 'reused'}: {extracts}")
        database = folder / "engagement.duckdb"
        built = data.build(extracts, database)
        _say(f"  build {built.seconds:.1f} s, peak RSS {built.peak_rss_mb:,.0f} MB, exit code {built.exit_code}")
        entry = {"scale": scale, "generated_s": generated, "build": asdict(built) | {"output": built.output[-2000:]}}
        entry["database_mb"] = database.stat().st_size / 1e6 if database.exists() else None
        results["scales"].append(entry)
        if built.exit_code != 0:
            _say(built.output[-2000:])
            continue
        entry["pages"] = _pages(database, args.reruns, args.seed, folder, args.page)
        if not args.no_browser:
            entry["servers"] = _servers(database, args.seed, args.walks, folder)
            if server.chromium_available():
                entry["felt"] = _felt(database, args.changes, args.seed, folder, args.page)
    results["load_at_end"] = " ".join(f"{x:.1f}" for x in os.getloadavg())
    results["seconds"] = time.perf_counter() - started
    text = report.markdown(results)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(text, encoding="utf-8")
    args.out.with_suffix(".json").write_text(json.dumps(results, indent=1, default=str), encoding="utf-8")
    _say("\n" + text)
    _say(f"Written to {args.out} (raw results: {args.out.with_suffix('.json').name}) in {results['seconds']:.0f} s.")


if __name__ == "__main__":
    sys.exit(main())
