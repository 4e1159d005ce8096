"""Read a ledger table from (Geo)Parquet as the CSV reader would see it.

A ledger may be kept as ``transfers.parquet`` (or any ``.parquet`` path)
instead of ``transfers.csv``: large ledgers load in a fraction of the time
and typed columns round-trip.  The table goes through exactly the checks of
the CSV (:mod:`geo.ledger`): every cell becomes the text a CSV cell would
hold, so the same rules apply and the same problems are reported.

- Rows are numbered as the lines of the same table written as CSV: the
  header is line 1 and the first row is line 2, so a problem names the same
  line whichever format the ledger is in.
- Text columns are taken as they are; integers, booleans (``true``/``false``)
  and decimals as their text; dates (``date32``, or timestamps at midnight)
  as ``YYYY-MM-DD``; lists of text (e.g. ``source_ids``) joined with ``;``;
  nulls as empty cells.  A column of any other type (a timestamp with a
  time of day, a struct, binary) is reported with the first row it holds a
  value in, not guessed at.
- A GeoParquet file's geometry column is not a ledger column (legs are
  drawn from their places): it is left out, with a warning.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pandas as pd

from geo._csv import header_problems
from geo._errors import Problem

__all__ = ["PARQUET_SUFFIXES", "read_parquet_table", "transfers_file"]

#: File name endings read as Parquet.
PARQUET_SUFFIXES = (".parquet", ".geoparquet", ".pq")


def transfers_file(folder: Path) -> Path:
    """Return the ledger in ``folder``: transfers.csv, else transfers.parquet if it exists."""
    from geo import settings

    csv = folder / settings.TRANSFERS_FILE
    parquet = csv.with_suffix(".parquet")
    return parquet if not csv.exists() and parquet.exists() else csv


def read_parquet_table(
    path: Path,
    file: str,
    columns: Sequence[str],
    line_column: str,
    problems: list[Problem],
    *,
    what: str,
    optional: Sequence[str] = (),
) -> tuple[pd.DataFrame, pd.DataFrame, int, bool]:
    """Read a Parquet table into stripped text cells with every column of ``columns``.

    Parameters
    ----------
    path
        The Parquet file.
    file
        Path as the user would type it, for problems.
    columns
        The table's columns, in order (missing ones are reported and kept empty).
    line_column
        Name of the column that receives each row's line number.
    problems
        Where problems are appended.
    what
        What a row is ("legs"), for the "no rows" problem.
    optional
        Columns the table may have (kept empty when absent).

    Returns
    -------
    table, wrong_width, n_rows, usable
        As the CSV reader of :mod:`geo.ledger`: the text table plus line
        numbers; an empty frame (a Parquet row always has every column);
        the number of rows; whether every required column is there.

    """
    import pyarrow as pa
    import pyarrow.parquet as pq

    empty = pd.DataFrame({c: pd.Series([], dtype=object) for c in (*columns, line_column)})
    try:
        pf = pq.ParquetFile(path)
        table = pf.read()
    except FileNotFoundError:
        problems.append(
            Problem(file, None, None, file, "file not found", "check the path or pass --data DIR")
        )
        return empty, empty, 0, False
    except (OSError, pa.ArrowException) as exc:
        problems.append(
            Problem(
                file,
                None,
                None,
                file,
                f"cannot read as Parquet: {exc}",
                "write the table with pandas.DataFrame.to_parquet or pyarrow",
            )
        )
        return empty, empty, 0, False
    geometry = _geometry_columns(pf.schema_arrow.metadata)
    for name in geometry:
        if name in table.column_names and name not in columns:
            problems.append(
                Problem(
                    file,
                    1,
                    name,
                    name,
                    "GeoParquet geometry column ignored: legs are drawn from their places",
                    "drop the column to silence this",
                    severity="warning",
                )
            )
            table = table.drop_columns([name])
    header = list(table.column_names)
    missing = [c for c in columns if c not in header]
    problems.extend(header_problems(header, columns, optional=optional, file=file))
    columns = (*columns, *optional)
    n = table.num_rows
    lines = np.arange(2, n + 2, dtype=np.int64)
    cells: dict[str, pd.Series] = {}
    for name in dict.fromkeys(header):  # a column named twice is reported above
        if name not in columns:
            continue
        cells[name] = _text(table.column(name), name, file, problems)
    out = pd.DataFrame(
        {c: cells.get(c, pd.Series("", index=range(n), dtype=object)) for c in columns},
        index=pd.RangeIndex(n),
    )
    out[line_column] = lines
    if not n:
        problems.append(
            Problem(file, None, None, "", f"no {what}", f"add at least one row of {what}")
        )
    return out, empty.iloc[:0], n, not missing


def _geometry_columns(metadata: dict[bytes, bytes] | None) -> list[str]:
    """Geometry columns named in GeoParquet ``geo`` metadata."""
    if not metadata or b"geo" not in metadata:
        return []
    try:
        geo = json.loads(metadata[b"geo"])
        return [str(c) for c in geo.get("columns", {})]
    except (ValueError, AttributeError):
        return []


def _text(col: object, name: str, file: str, problems: list[Problem]) -> pd.Series:
    """One column as stripped text cells ("" for null), as a CSV would hold it."""
    import pyarrow as pa
    import pyarrow.compute as pc

    arr = col.combine_chunks() if isinstance(col, pa.ChunkedArray) else col
    if pa.types.is_dictionary(arr.type):
        arr = arr.dictionary_decode()
    t = arr.type
    if (pa.types.is_list(t) or pa.types.is_large_list(t)) and (
        pa.types.is_string(t.value_type) or pa.types.is_large_string(t.value_type)
    ):
        arr = pc.binary_join(arr, ";")
        t = arr.type
    if pa.types.is_timestamp(t):
        days = pc.cast(arr, pa.date32())
        back = pc.cast(pc.cast(days, pa.timestamp(t.unit)), t)
        timed = pc.fill_null(pc.not_equal(back, arr), False)
        if pc.any(timed).as_py():
            row = int(np.flatnonzero(timed.to_numpy(zero_copy_only=False))[0])
            problems.append(
                Problem(
                    file,
                    row + 2,
                    name,
                    str(arr[row].as_py()),
                    "timestamp with a time of day where a date is expected",
                    "store dates as date32 or text (YYYY, YYYY-MM, YYYY-MM-DD, or an interval)",
                )
            )
        arr, t = days, pa.date32()
    if pa.types.is_date(t):
        arr = pc.strftime(pc.cast(arr, pa.timestamp("s")), format="%Y-%m-%d")
    elif pa.types.is_boolean(t):
        arr = pc.if_else(arr, "true", "false")
    elif pa.types.is_integer(t) or pa.types.is_floating(t) or pa.types.is_decimal(t):
        arr = pc.cast(arr, pa.string())
    elif not (pa.types.is_string(arr.type) or pa.types.is_large_string(arr.type)):
        valid = np.flatnonzero(arr.is_valid().to_numpy(zero_copy_only=False))
        row = int(valid[0]) if len(valid) else 0
        problems.append(
            Problem(
                file,
                row + 2 if len(valid) else None,
                name,
                str(t),
                f"column of type {t} cannot be read as text",
                "store it as text (string) in the Parquet file",
            )
        )
        return pd.Series("", index=range(len(arr)), dtype=object)
    values = pc.utf8_trim_whitespace(pc.fill_null(pc.cast(arr, pa.string()), ""))
    # One Python string per distinct value, shared by its rows: ledger columns
    # repeat (dates, places, sources), so this is faster and smaller.
    coded = pc.dictionary_encode(values)
    if isinstance(coded, pa.ChunkedArray):
        coded = coded.combine_chunks()
    distinct = coded.dictionary.to_numpy(zero_copy_only=False)
    return pd.Series(distinct[coded.indices.to_numpy()], dtype=object)
