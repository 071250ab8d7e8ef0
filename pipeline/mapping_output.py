"""What ``python -m pipeline map`` shows and writes: a preview of the mapped export (how each
column's values land, every unmatched value with its nearest known names and the line to add,
the responses the build would reject, the first rows), and the two survey extracts, written
whole or not at all: new files, or ``append`` (added to the files already there, refusing a
response id already in them) or ``replace``."""

from __future__ import annotations

import csv
import json
import os
import shutil
import tempfile
from pathlib import Path

from pipeline.ingest import BuildError, read_extract
from pipeline.mapping import ANSWER_COLUMNS, RESPONSE_COLUMNS, Mapped, Unmatched
from pipeline.mapping_trust import SUGGEST_SCORE, nearest

PREVIEW_ROWS = 5  # rows of the mapped export the preview shows
SHOWN_LINES = 5  # lines named per value or reason
OUTPUTS = ("survey_responses", "survey_answers")


def toml_string(text: str) -> str:
    """A TOML basic string (JSON's escapes are TOML's)."""
    return json.dumps(text, ensure_ascii=False)


def lines_text(lines: list[int]) -> str:
    shown = ", ".join(str(n) for n in lines[:SHOWN_LINES])
    return f"line{'s' if len(lines) > 1 else ''} {shown}{f' and {len(lines) - SHOWN_LINES} more' if len(lines) > SHOWN_LINES else ''}"


def _table(rows: list[list[str]]) -> list[str]:
    widths = [max(len(r[c]) for r in rows) for c in range(len(rows[0]))]
    return ["  " + "  ".join(v.ljust(w) for v, w in zip(r, widths)).rstrip() for r in rows]


def suggestion(found: Unmatched) -> tuple[str, list[tuple[str, int]]]:
    """The line to add for an unmatched value, and its nearest known names."""
    close = nearest(found.text, found.known)
    if close and close[0][1] >= SUGGEST_SCORE and ";" not in found.text:
        return f"{toml_string(found.text)} = {toml_string(close[0][0])}", close
    if found.is_unit:
        return f'{toml_string(found.text)} = "<one of the names above, or another known one>"', close
    return f'{toml_string(found.text)} = "<one of: {"; ".join(found.known)}; or empty for not answered>"', close


def unmatched_lines(mapped: Mapped) -> list[str]:
    items = sorted(mapped.unmatched.values(), key=lambda u: (not u.is_unit, u.table, -len(u.lines), u.text))
    if not items:
        return ["Unmatched values: none."]
    units = {line for u in items if u.is_unit for line in u.lines}
    lines = [
        f"Unmatched values: {sum(len(u.lines) for u in items)}, in {len({n for u in items for n in u.lines})} "
        f"responses ({len(units)} with an unmatched unit). --write refuses until each is mapped, or give "
        "--accept-unmatched (an unmatched answer is written blank; a response with an unmatched unit is not written)."
    ]
    to_add: dict[str, list[str]] = {}
    for found in items:
        line, close = suggestion(found)
        lines.append(
            f'  {found.target} ("{found.column}"): "{found.text}" x {len(found.lines)}, {lines_text(found.lines)}'
        )
        if ";" in found.text and not found.is_unit:
            lines.append("      several answers in one cell (a multi-select?): a question on a scale takes one answer")
        lines.append("      nearest: " + (", ".join(f"{name} ({score})" for name, score in close) or "none"))
        to_add.setdefault(found.table, []).append(line)
    lines.append(f"Lines to add to {mapped.mapping} (check each; put them under the heading, once):")
    for table, entries in to_add.items():
        lines += [f"  {table}", *(f"  {entry}" for entry in entries)]
    return lines


def preview(mapped: Mapped, trust_folder: Path | None = None) -> str:
    """What the mapping does, before anything is written."""
    against = f" against the Trust in {trust_folder}" if trust_folder else ""
    lines = [
        f"Mapping {mapped.export} with {mapped.mapping}{against}: {len(mapped.responses)} responses.",
        *mapped.notes,
        f"Given to every row by the mapping: {mapped.every_row}.",
        "Columns mapped, and how their values land:",
    ]
    rows = []
    for column in mapped.columns:
        how = ", ".join(
            f"{column.landed[k]} {k}"
            for k in ("as written", "respelled", "by the mapping", "blank", "unmatched")
            if column.landed[k]
        )
        detail = "; ".join(part for part in (column.note, how) if part)
        rows.append([f'"{column.header}"', "->", column.target + (f" ({detail})" if detail else "")])
    lines += _table(rows)
    lines.append("Columns not loaded:" + ("" if mapped.unmapped else " none"))
    lines += [f'  "{column}": {why}' for column, why in mapped.unmapped]
    lines.append("Personal columns dropped (never loaded): " + (", ".join(f'"{c}"' for c in mapped.personal) or "none"))
    lines += unmatched_lines(mapped)
    rejected = sorted(mapped.rejected.items(), key=lambda item: -len(item[1]))
    lines.append(
        f"Responses the build would reject: {len(set().union(*mapped.rejected.values())) or 'none'}"
        + (" (not written unless --accept-unmatched; then counted)" if rejected else ".")
    )
    for why, found in rejected:
        lines.append(f"  {why}: {len(found)}, {lines_text(found)}")
    lines.append(f"First {min(PREVIEW_ROWS, len(mapped.responses))} rows as they would load:")
    heading = [*RESPONSE_COLUMNS[:-1], *mapped.question_ids, "comment"]
    table = [heading] + [
        [(record | answers).get(c) or "" for c in heading]
        for record, answers in zip(mapped.responses[:PREVIEW_ROWS], mapped.answers[:PREVIEW_ROWS])
    ]
    for row in table:
        row[-1] = " ".join(row[-1].split())  # a comment on one line, shortened
        row[-1] = row[-1] if len(row[-1]) <= 40 else row[-1][:39] + "…"
    lines += _table(table)
    return "\n".join(lines)


def existing(out: Path) -> list[str]:
    """The survey extracts already in ``out``."""
    return [
        f"{name}{suffix}" for name in OUTPUTS for suffix in (".csv", ".xlsx") if (out / f"{name}{suffix}").is_file()
    ]


def write_csv(handle, columns: tuple[str, ...], rows: list[tuple]) -> None:
    writer = csv.writer(handle)
    writer.writerow(columns)
    writer.writerows([["" if v is None else v for v in row] for row in rows])


def _refuse_unmatched(mapped: Mapped) -> None:
    first = min(
        [
            (
                u.lines[0],
                not u.is_unit,
                f'column "{u.column}" ({u.target}): "{u.text}" is not known and not in {u.table}',
            )
            for u in mapped.unmatched.values()
        ]
        + [(found[0], False, why) for why, found in mapped.rejected.items()]
    )
    raise BuildError(
        f"{mapped.export}: line {first[0]}: {first[2]} ({len(mapped.dropped)} responses would not be written and "
        f"{mapped.blank_answers} answers would be written blank; the preview lists them all). Map them in "
        f"{mapped.mapping}, or give --accept-unmatched to write the rest."
    )


def _appended(out: Path, name: str, columns: tuple[str, ...]) -> tuple[bytes, list[str], dict[str, int]]:
    """An existing extract to append to: its bytes, its header, and its response ids -> line."""
    path = out / f"{name}.csv"
    table = read_extract(path)
    if table.encoding not in ("utf-8", "utf-8-sig"):
        raise BuildError(f"{path}: is not UTF-8; save it as UTF-8 before appending to it.")
    if sorted(table.header) != sorted(columns):
        raise BuildError(
            f"{path}: its columns ({', '.join(table.original_header)}) are not the {len(columns)} this map writes "
            f"({', '.join(columns)}); give --replace, or merge the files by hand."
        )
    data = path.read_bytes()
    if data and not data.endswith(b"\n"):
        data += b"\r\n"
    at = table.header.index("response_id")
    return data, table.header, {row[at]: line for line, row in zip(table.lines, table.rows) if row[at]}


def write(mapped: Mapped, out: Path, accept_unmatched: bool = False, mode: str | None = None) -> str:
    """Write survey_responses.csv and survey_answers.csv into ``out``, both or neither.

    ``mode``: None (the folder must hold neither), "append" or "replace"."""
    if (mapped.unmatched or mapped.rejected) and not accept_unmatched:
        _refuse_unmatched(mapped)
    there = existing(out)
    for name in there:
        if name.endswith(".xlsx"):
            raise BuildError(
                f"{out / name}: already there, as .xlsx; the build would find two files. Move it away first."
            )
    if there and mode is None:
        raise BuildError(
            f"{out} already holds {' and '.join(there)}: give --append to add these responses to them, "
            "or --replace to replace them."
        )
    dropped = mapped.dropped
    kept = [(line, r, a) for line, r, a in zip(mapped.lines, mapped.responses, mapped.answers) if line not in dropped]
    responses = [{**r} for _, r, _ in kept]
    answers = [
        {"response_id": r["response_id"], "question_id": q, "answer": v} for _, r, a in kept for q, v in a.items()
    ]
    heads: dict[str, bytes] = {}
    orders = {"survey_responses": RESPONSE_COLUMNS, "survey_answers": ANSWER_COLUMNS}
    before = 0
    if mode == "append" and there:
        for name, columns in orders.items():
            if not (out / f"{name}.csv").is_file():
                continue
            data, header, ids = _appended(out, name, columns)
            heads[name], orders[name] = data, tuple(header)
            if name == "survey_responses":
                before = len(ids)
                for line, record, _ in kept:
                    if record["response_id"] in ids:
                        raise BuildError(
                            f'{mapped.export}: line {line}: response id "{record["response_id"]}" is already in '
                            f"{out / 'survey_responses.csv'} (line {ids[record['response_id']]}); nothing was "
                            "appended. Set id_prefix in the mapping to keep the exports' ids apart."
                        )
    created = not out.exists()
    temps: list[tuple[Path, Path]] = []
    backups: list[tuple[Path, Path]] = []
    replaced: list[Path] = []
    try:
        out.mkdir(parents=True, exist_ok=True)
        for name, rows in (("survey_responses", responses), ("survey_answers", answers)):
            columns = orders[name]
            with tempfile.NamedTemporaryFile(
                "w", dir=out, prefix=f".{name}.", suffix=".tmp", delete=False, encoding="utf-8", newline=""
            ) as handle:
                temps.append((Path(handle.name), out / f"{name}.csv"))
                if name in heads:
                    handle.flush()
                    handle.buffer.write(heads[name])
                    handle.buffer.flush()
                    csv.writer(handle).writerows([["" if row[c] is None else row[c] for c in columns] for row in rows])
                else:
                    write_csv(handle, columns, [tuple(row[c] for c in columns) for row in rows])
        for _, final in temps:
            if final.exists():
                backup = final.with_name(f".{final.name}.before")
                shutil.copy2(final, backup)
                backups.append((backup, final))
        for temp, final in temps:
            os.replace(temp, final)
            replaced.append(final)
    except BaseException as error:
        for temp, _ in temps:
            temp.unlink(missing_ok=True)
        restore = dict((final, backup) for backup, final in backups)
        for final in replaced:  # a second file that failed to go in: the first goes back as it was
            if final in restore:
                os.replace(restore.pop(final), final)
            else:
                final.unlink(missing_ok=True)
        for backup in restore.values():
            backup.unlink(missing_ok=True)
        if created and out.is_dir() and not any(out.iterdir()):
            out.rmdir()
        if isinstance(error, OSError):
            raise BuildError(f"{out}: cannot write the extracts ({error}).") from None
        raise
    for backup, _ in backups:
        backup.unlink(missing_ok=True)
    how = {None: "Wrote", "replace": "Replaced with"}.get(mode if there else None, "Appended")
    text = (
        f"{how} {len(responses)} responses in {out / 'survey_responses.csv'} and {len(answers)} answers in "
        f"{out / 'survey_answers.csv'}"
        + (f" (after the {before} responses already there)" if how == "Appended" else "")
        + "."
    )
    if dropped:
        units = {line for u in mapped.unmatched.values() if u.is_unit for line in u.lines}
        text += (
            f"\nAccepted (--accept-unmatched): {len(dropped)} of {len(mapped.responses)} responses not written "
            f"({len(units)} with an unmatched unit, {len(dropped - units)} that the build would reject; "
            f"{lines_text(sorted(dropped))} of {mapped.export})."
        )
    if mapped.blank_answers:
        text += f"\nAccepted (--accept-unmatched): {mapped.blank_answers} unmatched answers written blank."
    return text + f"\nNext: python -m pipeline build --extracts {out}"
