"""Checks shared by the CSV readers (gazetteer, ledger, sources)."""

from __future__ import annotations

import csv
from collections.abc import Sequence
from pathlib import Path

from rapidfuzz import process

from geo._errors import Problem

__all__ = ["header_problems", "read_records"]


def header_problems(
    header: Sequence[str],
    required: Sequence[str],
    *,
    optional: Sequence[str] = (),
    file: str,
) -> list[Problem]:
    """Return every problem with a CSV header, all on line 1.

    Parameters
    ----------
    header
        Column names as read.
    required
        Columns the file must have.
    optional
        Columns the file may have.
    file
        Path as the user would type it.

    Returns
    -------
    list of Problem
        Missing columns, columns named twice, and unexpected columns (with
        a "did you mean" when one is close to an allowed name).

    """
    known = (*required, *optional)
    problems = [
        Problem(
            file,
            1,
            col,
            ",".join(header),
            f"missing column {col!r}",
            "the header must name: " + ",".join(required),
        )
        for col in required
        if col not in header
    ]
    seen: set[str] = set()
    for col in header:
        if col in seen:
            problems.append(Problem(file, 1, col, col, "column appears twice", "keep one"))
        seen.add(col)
        if col not in known:
            near = process.extractOne(col, known, score_cutoff=70)
            hint = f"did you mean {near[0]!r}?" if near else "allowed: " + ",".join(known)
            problems.append(Problem(file, 1, col, col, "unexpected column", hint))
    return problems


def read_records(
    path: Path, file: str, problems: list[Problem]
) -> tuple[list[str] | None, list[int], list[list[str]]]:
    """Split a CSV file into its header and data rows.

    Blank lines are not rows; a record spanning lines (a quoted newline)
    is numbered by its first line.

    Parameters
    ----------
    path
        The file.
    file
        Path as the user would type it, for problems.
    problems
        Where a missing or unreadable file is reported.

    Returns
    -------
    header, lines, rows
        The header's cells stripped (``None`` if the file is missing,
        unreadable or blank), each data row's 1-based first line, and the
        data rows' cells as read.

    """
    lines: list[int] = []
    rows: list[list[str]] = []
    header: list[str] | None = None
    try:
        with open(path, newline="", encoding="utf-8-sig") as fh:
            reader = csv.reader(fh)
            start = 1
            for row in reader:
                if any(cell.strip() for cell in row):
                    if header is None:
                        header = [c.strip() for c in row]
                    else:
                        lines.append(start)
                        rows.append(row)
                start = reader.line_num + 1
    except FileNotFoundError:
        problems.append(
            Problem(file, None, None, file, "file not found", "check the path or pass --data DIR")
        )
    except (UnicodeDecodeError, csv.Error) as exc:
        problems.append(
            Problem(file, None, None, file, f"cannot read as UTF-8 CSV: {exc}", "save as UTF-8 CSV")
        )
        header = None
    return header, lines, rows
