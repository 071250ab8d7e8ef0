"""What ``python -m pipeline map`` shows and writes: a preview of the mapped export (counts, unmatched
values, the first rows), and the two survey extracts, written whole or not at all."""

from __future__ import annotations

import csv
import os
import tempfile
from pathlib import Path

from pipeline.ingest import BuildError
from pipeline.mapping import ANSWER_COLUMNS, RESPONSE_COLUMNS, Mapped

PREVIEW_ROWS = 5  # rows of the mapped export the preview shows


def _table(rows: list[list[str]]) -> list[str]:
    widths = [max(len(r[c]) for r in rows) for c in range(len(rows[0]))]
    return ["  " + "  ".join(v.ljust(w) for v, w in zip(r, widths)).rstrip() for r in rows]


def preview(mapped: Mapped) -> str:
    """What the mapping does, before anything is written."""
    lines = [
        f"Mapping {mapped.export} with {mapped.mapping}: {len(mapped.responses)} responses.",
        *mapped.warnings,
        f"Given to every row by the mapping: {mapped.every_row}.",
        "Columns mapped:",
    ]
    lines += _table([[f'"{column}"', "->", target] for column, target in mapped.columns])
    lines.append("Columns not mapped (not loaded): " + (", ".join(f'"{c}"' for c in mapped.unmapped) or "none"))
    lines.append("Personal columns dropped (never loaded): " + (", ".join(f'"{c}"' for c in mapped.personal) or "none"))
    total = sum(len(found) for found in mapped.unmatched.values())
    lines.append(f"Unmatched answers (neither on the scale or label list nor in the mapping's maps): {total or 'none'}")
    for (target, column, text), found in sorted(mapped.unmatched.items(), key=lambda item: (item[0][0], -len(item[1]))):
        lines.append(f'  {target} ("{column}"): "{text}" x {len(found)} (first at line {found[0]})')
    lines.append(f"First {min(PREVIEW_ROWS, len(mapped.responses))} rows as they would load:")
    heading = [*RESPONSE_COLUMNS[:-1], *mapped.question_ids, "comment"]
    rows = [heading] + [
        [(record | answers).get(c) or "" for c in heading]
        for record, answers in zip(mapped.responses[:PREVIEW_ROWS], mapped.answers[:PREVIEW_ROWS])
    ]
    for row in rows:
        row[-1] = " ".join(row[-1].split())  # a comment on one line, shortened
        row[-1] = row[-1] if len(row[-1]) <= 40 else row[-1][:39] + "…"
    lines += _table(rows)
    lines.append("waves.csv and questions.csv are not written: the Trust writes them once (docs/DATA_CONTRACT.md).")
    return "\n".join(lines)


def write_csv(handle, columns: tuple[str, ...], rows: list[tuple]) -> None:
    writer = csv.writer(handle)
    writer.writerow(columns)
    writer.writerows([["" if v is None else v for v in row] for row in rows])


def write(mapped: Mapped, out: Path, allow_unmatched: bool = False) -> str:
    """Write survey_responses.csv and survey_answers.csv into ``out``, both or neither."""
    if mapped.unmatched and not allow_unmatched:
        (target, column, text), found = next(iter(mapped.unmatched.items()))
        total = sum(len(f) for f in mapped.unmatched.values())
        where = (
            (f"[questions.{target}.answers]", "on the question's scale")
            if target in mapped.question_ids
            else (f"[labels.{target}]", f"a {target.replace('_', ' ')} in the contract")
        )
        raise BuildError(
            f'{mapped.export}: line {found[0]}: column "{column}" ({target}): "{text}" is not '
            f"{where[1]} and not in {where[0]} of {mapped.mapping} ({total} unmatched values in all, "
            f"counted in the preview). Map them, or give --allow-unmatched to write them blank."
        )
    for name in ("survey_responses.xlsx", "survey_answers.xlsx"):
        if (out / name).exists():
            raise BuildError(f"{out / name}: already there; the build would find two files. Move it away first.")
    responses = [tuple(r[c] for c in RESPONSE_COLUMNS) for r in mapped.responses]
    answers = [(r["response_id"], q, a) for r, given in zip(mapped.responses, mapped.answers) for q, a in given.items()]
    created = not out.exists()
    temps: list[tuple[Path, Path]] = []
    try:
        out.mkdir(parents=True, exist_ok=True)
        for name, columns, rows in (
            ("survey_responses.csv", RESPONSE_COLUMNS, responses),
            ("survey_answers.csv", ANSWER_COLUMNS, answers),
        ):
            with tempfile.NamedTemporaryFile(
                "w", dir=out, prefix=f".{name}.", suffix=".tmp", delete=False, encoding="utf-8", newline=""
            ) as handle:
                temps.append((Path(handle.name), out / name))
                write_csv(handle, columns, rows)
        for temp, final in temps:
            os.replace(temp, final)
    except BaseException as error:
        for temp, _ in temps:
            temp.unlink(missing_ok=True)
        if created and out.is_dir() and not any(out.iterdir()):
            out.rmdir()
        if isinstance(error, OSError):
            raise BuildError(f"{out}: cannot write the extracts ({error}).") from None
        raise
    blank = sum(len(f) for f in mapped.unmatched.values())
    return (
        f"Wrote {len(responses)} responses to {out / 'survey_responses.csv'} and {len(answers)} answers to "
        f"{out / 'survey_answers.csv'}"
        + (f"; {blank} unmatched values written blank." if blank else ".")
        + f"\nNext: python -m pipeline build --extracts {out}"
    )
