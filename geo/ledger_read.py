"""Read a ledger table (CSV, or Parquet through :mod:`geo._parquet`) into text cells.

Rows of the wrong width are kept apart (cells placed by position) so every
row of the file is accounted for; the header's problems are reported.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import NamedTuple

import numpy as np
import pandas as pd

from geo._csv import empty_file_problem, header_problems, read_records, wrong_width_problem
from geo._errors import Problem
from geo._parquet import PARQUET_SUFFIXES
from geo.columns import (
    SOURCE_LINE,
)

__all__ = ["TableRead", "read_table"]


class TableRead(NamedTuple):
    """A CSV file read into strings."""

    table: pd.DataFrame  # rows of the header's width: stripped cells + SOURCE_LINE
    wrong_width: pd.DataFrame  # the other rows, cells placed by position
    n_rows: int  # data rows read, of any width
    usable: bool  # the header names every column, so rows can be checked


def read_table(
    path: Path,
    file: str,
    columns: Sequence[str],
    problems: list[Problem],
    *,
    what: str,
    optional: Sequence[str] = (),
) -> TableRead:
    """Read a CSV (or Parquet: geo/_parquet.py) into text cells of ``columns`` (+ ``optional``)."""
    if path.suffix.lower() in PARQUET_SUFFIXES:
        from geo._parquet import read_parquet_table

        return TableRead(
            *read_parquet_table(
                path, file, columns, SOURCE_LINE, problems, what=what, optional=optional
            )
        )
    header, lines, raw = read_records(path, file, problems)
    rows = [[cell.strip() for cell in row] for row in raw]
    empty = pd.DataFrame({c: pd.Series([], dtype=object) for c in (*columns, SOURCE_LINE)})
    if header is None:
        if not problems or problems[-1].file != file:
            problems.append(empty_file_problem(file, "add the header row: " + ",".join(columns)))
        return TableRead(empty, empty, len(rows), False)

    missing = [c for c in columns if c not in header]
    problems.extend(header_problems(header, columns, optional=optional, file=file))
    columns = (*columns, *optional)

    width = len(header)
    lengths = np.fromiter(map(len, rows), dtype=np.int64, count=len(rows))
    for i in np.flatnonzero(lengths != width):
        problems.append(wrong_width_problem(file, lines[i], rows[i], width))
    good = lengths == width
    table = _frame([rows[i] for i in np.flatnonzero(good)], header, columns)
    table[SOURCE_LINE] = np.asarray(lines, dtype="int64")[good]
    # Wrong-width rows are kept (cells by position) so every row is accounted for.
    fitted = [(rows[i] + [""] * width)[:width] for i in np.flatnonzero(~good)]
    wrong_width = _frame(fitted, header, columns)
    wrong_width[SOURCE_LINE] = np.asarray(lines, dtype="int64")[~good]
    if not rows:
        problems.append(
            Problem(file, None, None, "", f"no {what}", f"add at least one row of {what}")
        )
    return TableRead(table, wrong_width, len(rows), not missing)


def _frame(rows: list[list[str]], header: list[str], columns: Sequence[str]) -> pd.DataFrame:
    """Build a table of (already stripped) strings with exactly ``columns``."""
    raw = pd.DataFrame(rows, columns=header, dtype=object)
    raw = raw.loc[:, ~raw.columns.duplicated()]
    return pd.DataFrame(
        {
            c: raw[c] if c in raw.columns else pd.Series("", index=raw.index, dtype=object)
            for c in columns
        },
        index=raw.index,
    )
