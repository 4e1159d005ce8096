"""CSV export for people: the legs with WKT geometry, formula-like text cells defused."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import shapely

from geo import columns as col
from geo import settings
from geo._io import write_text
from geo.export.tables import DatasetLike, _rounded, legs_table

__all__ = ["FORMULA_TRIGGERS", "UTF8_BOM", "csv_text", "spreadsheet_safe", "to_csv"]


def to_csv(dataset: DatasetLike, path: str | Path, *, raw: bool = False) -> Path:
    r"""Write the legs as CSV with a ``WKT`` geometry column.

    The file is meant for people, who open it in a spreadsheet: text cells
    that begin with ``=``, ``+``, ``-``, ``@``, tab or carriage return
    get a leading ``'`` (OWASP's CSV-injection rule, see
    :func:`spreadsheet_safe`) so that no report text runs as a formula.
    Numeric columns are left alone.

    Parameters
    ----------
    dataset
        A loaded dataset.
    path
        Output ``.csv`` file (UTF-8 starting with a byte order mark, ``\n``
        line ends, header row).
    raw
        Write every text cell exactly as read, and no byte order mark (for
        programs, not spreadsheets).

    Returns
    -------
    pathlib.Path
        ``path``.

    """
    table = legs_table(dataset)
    geoms = _rounded(table.geometry)
    wkt = shapely.to_wkt(geoms, rounding_precision=settings.COORDINATE_PRECISION, trim=True)
    frame = pd.DataFrame(table.drop(columns=table.geometry.name))
    frame[col.WKT] = wkt
    return write_text(path, csv_text(frame, raw=raw))


#: Starts a CSV for people: Excel reads a CSV without it in the system's code
#: page (Windows-1252), so Arabic names, the arrow of a route and every
#: accented letter turn into mojibake. GDAL, pandas and LibreOffice skip it.
UTF8_BOM = "\ufeff"


def csv_text(frame: pd.DataFrame, *, raw: bool = False) -> str:
    r"""Return ``frame`` as CSV text for a spreadsheet, or exactly as is.

    Parameters
    ----------
    frame
        The table.
    raw
        False (default): formula-like cells defused (:func:`spreadsheet_safe`)
        and the text started with :data:`UTF8_BOM`. True: neither.

    Returns
    -------
    str
        CSV with a header row and ``\n`` line ends.

    """
    if raw:
        return frame.to_csv(index=False, lineterminator="\n")
    return UTF8_BOM + spreadsheet_safe(frame).to_csv(index=False, lineterminator="\n")


#: First characters that make a spreadsheet read a cell as a formula (OWASP).
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


def spreadsheet_safe(frame: pd.DataFrame) -> pd.DataFrame:
    """Defuse text cells a spreadsheet would run as formulas.

    Every text cell (in a column of object or string dtype) that begins
    with one of :data:`FORMULA_TRIGGERS` gets a leading ``'``, which
    spreadsheets show as text and do not display. Numeric, boolean and
    date columns are returned unchanged, as are all other cells.

    Parameters
    ----------
    frame
        The table about to be written as CSV.

    Returns
    -------
    pandas.DataFrame
        A copy with defused cells.

    """
    out = frame.copy()
    for name in out.columns:
        column = out[name]
        if not (pd.api.types.is_object_dtype(column) or pd.api.types.is_string_dtype(column)):
            continue
        is_text = column.map(lambda v: isinstance(v, str)).to_numpy(dtype=bool)
        risky = is_text & column.where(is_text, "").astype(str).str.startswith(
            FORMULA_TRIGGERS
        ).to_numpy(dtype=bool)
        if risky.any():
            column = column.astype(object).copy()
            column[risky] = "'" + column[risky].astype(str)
            out[name] = column
    return out
