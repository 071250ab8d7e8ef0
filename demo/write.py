"""Writing the extracts: ``generate`` (every file, the manifest) and the command line."""

import argparse
import csv
import json
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from random import Random

from demo.draw import Iso, scaled, sha256, write_csv
from demo.engagement import (
    draw_actions,
    draw_attendees,
    draw_conversations,
    draw_headcounts,
    service_area_rows,
    spread_completions,
    staff_responses,
)
from demo.followup import draw_area_effects, survey_2023
from demo.model import (
    COLUMNS,
    DEFAULT_OUT,
    DEFAULT_RESPONSES,
    DEFAULT_RESPONSES_2023,
    DEFAULT_SEED,
    FILES,
    LISTS,
    MANIFEST_NOTE,
    QUESTIONS,
    WAVE_2021,
    WAVE_2023,
    WAVES,
)
from demo.survey import survey_2021
from pipeline.contract import SYNTHETIC_MANIFEST


def write_wave(responses, answers, wave_id: str, wave: dict, first: int, width: int, chunk: int = 50_000) -> None:
    """Append one wave's rows to survey_responses (a csv writer) and survey_answers (a text file).

    Answers are written per response in question order, blanks left out. Their
    fields never need CSV quoting (checked below), so each line is put together
    directly: the same bytes as a csv writer, in a fraction of the time.
    """
    cols = [wave[c] for c in ("survey", "submitted", "care_group", "service_area", "staff_group", "comment")]
    survey, submitted, care_group, service_area, staff_group, comment = cols
    questions = []
    for q in QUESTIONS:
        if q["question_id"] in wave["answers"]:
            tails = {}
            for v in q["scale"]:
                tail = f"{q['question_id']},{v}"
                assert tail.count(",") == 1 and not set(tail) & set('"\r\n'), tail
                tails[v] = f",{tail}\n"
            questions.append((wave["answers"][q["question_id"]], tails))
    n = len(survey)
    for start in range(0, n, chunk):
        stop = min(n, start + chunk)
        ids = [f"R-{k:0{width}d}" for k in range(first + start, first + stop)]
        responses.writerows(
            (rid, survey[i], submitted[i], wave_id, care_group[i], service_area[i], staff_group[i], comment[i])
            for rid, i in zip(ids, range(start, stop))
        )
        answers.write(
            "".join(
                rid + tails[col[i]] for rid, i in zip(ids, range(start, stop)) for col, tails in questions if col[i]
            )
        )


def _question_rows() -> list[tuple[str, ...]]:
    def join(values) -> str:
        return ";".join(values)

    return [
        (
            q["question_id"],
            join(q["waves"]),
            q["text"],
            q["label"],
            q["theme"],
            join(q["scale"]),
            join(q["positive"]),
            join(q["excluded"]),
            join(q["neutral"]),
            "Yes" if q["higher_is_better"] else "No",
            q["summary"],
        )
        for q in QUESTIONS
    ]


# --------------------------------------------------------------------------
# Entry points
# --------------------------------------------------------------------------
def generate(out_dir: Path, seed: int = DEFAULT_SEED, scale: int | None = None) -> dict[str, Path]:
    """Write the synthetic extracts and the manifest into ``out_dir``.

    ``scale`` is the number of 2021 survey responses (default 2,400, which
    reproduces the published figures exactly); the 2023 wave has about as many
    (2,250 by default), and conversations, attendees and actions grow in
    proportion. Returns {extract name or "manifest": path}, extracts in build order.
    """
    if scale is not None and scale < 1:
        raise ValueError("scale must be a positive number of survey responses")
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    n_resp = DEFAULT_RESPONSES if scale is None else int(scale)
    factor = n_resp / DEFAULT_RESPONSES
    n_2023 = scaled(DEFAULT_RESPONSES_2023, factor, 1)
    iso = Iso()

    # One independent stream per table, so a change to one table's logic
    # does not reshuffle the others.
    def stream(name: str) -> Random:
        # The streams keep the name the generator had in pipeline/, so the files stay the same bytes.
        return Random(f"pipeline.demo:{seed}:{name}")

    areas = service_area_rows()
    convs = draw_conversations(stream("conversations"), areas, factor)
    actions = spread_completions(
        stream("completions"), draw_actions(stream("actions"), convs, areas, factor, iso), areas, iso
    )
    tables = {
        "lists": list(LISTS),
        "conversations": [(c["id"], iso(c["held"]), c["area"], f"{c['quarters'] / 4:g}", c["format"]) for c in convs],
        "conversation_attendees": draw_attendees(stream("attendees"), convs, factor),
        "actions": actions,
        "waves": [(w, name, opened.isoformat(), closed.isoformat()) for w, name, opened, closed in WAVES],
        "questions": _question_rows(),
    }
    paths: dict[str, Path] = {name: out_dir / f"{name}.csv" for name in FILES}
    for name, rows in tables.items():
        write_csv(paths[name], COLUMNS[name], rows)

    # The survey, one wave at a time (only one wave's columns in memory).
    with (
        open(paths["survey_responses"], "w", encoding="utf-8", newline="") as rfh,
        open(paths["survey_answers"], "w", encoding="utf-8", newline="") as afh,
    ):
        responses = csv.writer(rfh, lineterminator="\n")
        responses.writerow(COLUMNS["survey_responses"])
        afh.write(",".join(COLUMNS["survey_answers"]) + "\n")
        wave, layout = survey_2021(stream("survey"), areas, n_resp)
        write_wave(responses, afh, WAVE_2021, wave, 1, max(6, len(str(n_resp))))
        staff = [staff_responses(wave)]
        del wave
        effects = draw_area_effects(stream("effects"), areas, actions, factor)
        wave = survey_2023(stream("survey-2023"), areas, n_2023, factor, layout, effects)
        write_wave(responses, afh, WAVE_2023, wave, n_resp + 1, max(6, len(str(n_resp + n_2023))))
        staff.append(staff_responses(wave))
        del wave
    # Written last: the headcounts follow the responses drawn (on a stream of their own).
    write_csv(paths["service_areas"], COLUMNS["service_areas"], draw_headcounts(stream("headcounts"), areas, staff))

    manifest = {
        "note": MANIFEST_NOTE,
        "seed": seed,
        "scale": n_resp,
        "files": {p.name: sha256(p) for p in paths.values()},
    }
    mpath = out_dir / SYNTHETIC_MANIFEST
    mpath.write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8", newline="\n")
    paths["manifest"] = mpath
    return paths


def _positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a whole number: {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError("must be at least 1")
    return value


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m demo", description="Write SYNTHETIC demo extracts (not real Trust data) for the dashboard."
    )
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED, help=f"random seed (default {DEFAULT_SEED})")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help=f"output folder (default {DEFAULT_OUT})")
    parser.add_argument(
        "--scale",
        type=_positive_int,
        default=None,
        help=f"number of 2021 survey responses (default {DEFAULT_RESPONSES}; the 2023 "
        "wave has about as many and other extracts grow in proportion; published "
        "figures then only approximate)",
    )
    args = parser.parse_args(argv)
    started = time.perf_counter()
    paths = generate(args.out, seed=args.seed, scale=args.scale)
    elapsed = time.perf_counter() - started
    print(f"Synthetic demo data (seed {args.seed}) written to {args.out}:")
    for name, path in paths.items():
        if name == "manifest":
            print(f"  {path.name}")
        else:
            with open(path, "rb") as fh:
                rows = sum(1 for _ in fh) - 1
            print(f"  {path.name}: {rows:,} rows")
    print(f"Done in {elapsed:.1f} s.")
    for name in FILES:
        stale = args.out / f"{name}.xlsx"
        if stale.exists():
            print(
                f"Warning: {stale} is also in {args.out}; remove it so the build reads only the demo {name}.csv.",
                file=sys.stderr,
            )
    return 0
