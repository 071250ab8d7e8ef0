"""Synthetic extracts per scale (generated once, then reused) and the timed build.

Extracts come from the product's own generator, ``python -m demo
--scale N --seed S --out DIR``, into a cache folder keyed by scale and seed
(``<cache>/scale-<N>-seed-<S>/extracts``); they are reused while their
manifest says the same scale and seed. The database is built every time with
``python -m pipeline build`` (validation included), as a user would run it:
the wall time of that command and its peak resident memory are the build
figures in the report.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from pipeline import contract

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_CACHE = Path(os.environ.get("BENCH_CACHE", "/tmp/dashboard-bench"))
MANIFEST = "SYNTHETIC_DEMO_DATA.json"


@dataclass
class Build:
    seconds: float
    peak_rss_mb: float
    exit_code: int
    output: str


def scale_folder(cache: Path, scale: int, seed: int) -> Path:
    return cache / f"scale-{scale}-seed-{seed}"


def _matches(extracts: Path, scale: int, seed: int) -> bool:
    try:
        manifest = json.loads((extracts / MANIFEST).read_text(encoding="utf-8"))
    except (FileNotFoundError, json.JSONDecodeError):
        return False
    files = manifest.get("files", {})
    return (
        manifest.get("scale") == scale
        and manifest.get("seed") == seed
        and bool(files)
        and all((extracts / name).is_file() for name in files)
        # Every extract the build needs now: a cache from before an extract was added (lists) is stale.
        and all(f"{name}.csv" in files for name in contract.EXTRACTS)
    )


def extracts(cache: Path, scale: int, seed: int) -> tuple[Path, float | None]:
    """The extracts folder for this scale and seed, and the seconds spent generating (None if reused)."""
    folder = scale_folder(cache, scale, seed) / "extracts"
    if _matches(folder, scale, seed):
        return folder, None
    folder.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    subprocess.run(
        [sys.executable, "-m", "demo", "--scale", str(scale), "--seed", str(seed), "--out", str(folder)],
        cwd=ROOT,
        check=True,
        stdout=subprocess.DEVNULL,
    )
    return folder, time.perf_counter() - started


def _run_measured(command: list[str]) -> Build:
    """Run a command; wall time and peak RSS of that one child (from wait4's rusage)."""
    started = time.perf_counter()
    process = subprocess.Popen(command, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    output = process.stdout.read()
    _, status, usage = os.wait4(process.pid, 0)
    seconds = time.perf_counter() - started
    process.returncode = os.waitstatus_to_exitcode(status)  # reaped here: tell Popen
    process.stdout.close()
    return Build(seconds, usage.ru_maxrss * 1024 / 1e6, process.returncode, output)


def build(extracts_folder: Path, database: Path) -> Build:
    """``python -m pipeline build`` (full validation), timed from the command's start to its exit."""
    database.parent.mkdir(parents=True, exist_ok=True)
    return _run_measured(
        [sys.executable, "-m", "pipeline", "build", "--extracts", str(extracts_folder), "--db", str(database)]
    )
