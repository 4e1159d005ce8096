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

from geo._csv import (
    empty_file_problem,
    header_problems,
    read_columns,
    read_records,
    wrong_width_problem,
)
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
    fast = _read_columns_if_large(path)
    if fast is not None:
        return _table_of_columns(*fast, file, columns, problems, what=what, optional=optional)
    header, lines, raw = read_records(path, file, problems)
    empty = pd.DataFrame({c: pd.Series([], dtype=object) for c in (*columns, SOURCE_LINE)})
    if header is None:
        if not problems or problems[-1].file != file:
            problems.append(empty_file_problem(file, "add the header row: " + ",".join(columns)))
        return TableRead(empty, empty, len(raw), False)

    missing = [c for c in columns if c not in header]
    problems.extend(header_problems(header, columns, optional=optional, file=file))
    columns = (*columns, *optional)

    width = len(header)
    lengths = np.fromiter(map(len, raw), dtype=np.int64, count=len(raw))
    bad = np.flatnonzero(lengths != width)
    for i in bad:
        problems.append(
            wrong_width_problem(file, lines[i], [cell.strip() for cell in raw[i]], width)
        )
    good = lengths == width
    table = _frame(raw if not len(bad) else [raw[i] for i in np.flatnonzero(good)],
                   header, columns)
    table[SOURCE_LINE] = np.asarray(lines, dtype="int64")[good]
    # Wrong-width rows are kept (cells by position) so every row is accounted for.
    fitted = [(raw[i] + [""] * width)[:width] for i in bad]
    wrong_width = _frame(fitted, header, columns)
    wrong_width[SOURCE_LINE] = np.asarray(lines, dtype="int64")[~good]
    if not raw:
        problems.append(
            Problem(file, None, None, "", f"no {what}", f"add at least one row of {what}")
        )
    return TableRead(table, wrong_width, len(raw), not missing)


#: Files from this size are read with pyarrow first (:func:`geo._csv.read_columns`);
#: below it importing pyarrow's CSV reader costs more than :func:`read_records` saves.
COLUMNS_MIN_BYTES = 512 * 1024


def _read_columns_if_large(path: Path) -> tuple[list[str], list[np.ndarray]] | None:
    try:
        if path.stat().st_size < COLUMNS_MIN_BYTES:
            return None
    except OSError:
        return None  # read_records says why
    return read_columns(path)


def _table_of_columns(
    header: list[str],
    cells: list[np.ndarray],
    file: str,
    columns: Sequence[str],
    problems: list[Problem],
    *,
    what: str,
    optional: Sequence[str],
) -> TableRead:
    """:func:`read_table` of a file :func:`geo._csv.read_columns` read (one record per line)."""
    missing = [c for c in columns if c not in header]
    problems.extend(header_problems(header, columns, optional=optional, file=file))
    columns = (*columns, *optional)
    n = len(cells[0])
    at: dict[str, int] = {}
    for j, name in enumerate(header):
        at.setdefault(name, j)
    data = {c: cells[at[c]] if c in at else np.full(n, "", dtype=object) for c in columns}
    table = pd.DataFrame(
        {c: pd.Series(v, dtype=object, copy=False) for c, v in data.items()},
        index=pd.RangeIndex(n),
    )
    table[SOURCE_LINE] = np.arange(2, n + 2, dtype="int64")
    wrong_width = _frame([], header, columns)
    wrong_width[SOURCE_LINE] = np.zeros(0, dtype="int64")
    if not n:
        problems.append(
            Problem(file, None, None, "", f"no {what}", f"add at least one row of {what}")
        )
    return TableRead(table, wrong_width, n, not missing)


def _frame(rows: list[list[str]], header: list[str], columns: Sequence[str]) -> pd.DataFrame:
    """Build a table of stripped strings with exactly ``columns`` from rows of ``header``'s width.

    Column by column, each distinct cell is stripped once and every equal
    cell shares that one string object (a ledger repeats few values: the
    checks then hash and compare each value once, as for Parquet).  A
    name the header repeats takes its first column.
    """
    n = len(rows)
    at = {}
    for j, name in enumerate(header):
        at.setdefault(name, j)
    cells = np.empty((n, len(header)), dtype=object)
    if n:
        cells[:] = rows  # every row has the header's width
    data = {}
    for c in columns:
        if c in at and n:
            data[c] = _shared_stripped(cells[:, at[c]])
        else:
            data[c] = np.full(n, "", dtype=object)
    return pd.DataFrame(
        {c: pd.Series(v, dtype=object, copy=False) for c, v in data.items()},
        index=pd.RangeIndex(n),
    )


def _shared_stripped(values: np.ndarray) -> np.ndarray:
    """``values`` (strings) stripped, as an object array where equal values are one object."""
    codes, uniques = pd.factorize(values)
    stripped: dict[str, str] = {}
    canon = np.empty(len(uniques), dtype=object)
    canon[:] = [stripped.setdefault(v.strip(), v.strip()) for v in uniques]
    return canon[codes]
