"""Read and check the transfer ledger (``transfers.csv`` + ``sources.csv``).

``transfers.csv`` has one row per leg of a transfer; ``sources.csv`` one
row per report. :func:`read_ledger` checks both files in one pass, joins each
leg to the gazetteer through a :class:`~geo.geocode.PlaceIndex`, and either
returns every leg or raises one :class:`~geo._errors.LedgerError` naming
every problem by file, line and column. :func:`check_ledger` does the same
work without raising, and keeps the rows it had to reject, so that every
input row can be accounted for.

A stop the reporting does not name is written ``?description`` (bare: no
coordinates) or ``?description @ place`` (somewhere inside a known area: the
area's point and precision).

The checks live in modules named for each concept, re-exported here:
:mod:`geo.ledger_read` (reading a CSV or Parquet table into text cells),
:mod:`geo.ledger_checks` (row checks of transfers.csv),
:mod:`geo.ledger_stops` (places and the leg chain),
:mod:`geo.ledger_sources` (sources.csv), :mod:`geo.ledger_extra` (issue 11's
optional columns), :mod:`geo.ledger_places` (world tables) and
:mod:`geo.ledger_problems` (building the problems).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from geo._errors import LedgerError, Problem
from geo.columns import (
    DATE_APPROXIMATE,
    DATE_END,
    DATE_OPEN_END,
    DATE_OPEN_START,
    DATE_START,
    DATE_UNCERTAIN,
    FROM_ID,
    FROM_LAT,
    FROM_LON,
    FROM_NAME,
    FROM_PRECISION,
    FROM_UNKNOWN,
    LEG,
    SOURCE_DATE,
    SOURCE_ID,
    SOURCE_IDS,
    SOURCE_LINE,
    TO_ID,
    TO_LAT,
    TO_LON,
    TO_NAME,
    TO_PRECISION,
    TO_UNKNOWN,
    TRANSFER_ID,
)
from geo.dates import check_reported_dates
from geo.geocode import PlaceIndex
from geo.ledger_checks import OPTIONAL_COLUMNS, SOURCE_ID_SEPARATOR, TRANSFERS_COLUMNS, check_legs
from geo.ledger_extra import EXTRA_LEG_COLUMNS, check_extra
from geo.ledger_problems import problem_order
from geo.ledger_read import read_table
from geo.ledger_sources import SOURCES_COLUMNS, UNDATED, load_sources, warn_unused
from geo.ledger_stops import AREA_SEPARATOR

__all__ = [
    "AREA_SEPARATOR",
    "OPTIONAL_COLUMNS",
    "SOURCES_COLUMNS",
    "SOURCE_ID_SEPARATOR",
    "TRANSFERS_COLUMNS",
    "UNDATED",
    "LedgerCheck",
    "LedgerResult",
    "check_ledger",
    "read_ledger",
    "read_sources",
]

#: Columns of a leg table, in order.
_LEG_COLUMNS: tuple[str, ...] = (
    *TRANSFERS_COLUMNS,
    SOURCE_LINE,
    FROM_ID,
    TO_ID,
    FROM_NAME,
    TO_NAME,
    FROM_LON,
    FROM_LAT,
    TO_LON,
    TO_LAT,
    FROM_PRECISION,
    TO_PRECISION,
    FROM_UNKNOWN,
    TO_UNKNOWN,
    DATE_START,
    DATE_END,
    DATE_APPROXIMATE,
    DATE_UNCERTAIN,
    DATE_OPEN_START,
    DATE_OPEN_END,
    *OPTIONAL_COLUMNS,
    *EXTRA_LEG_COLUMNS,
)


@dataclass(frozen=True)
class LedgerResult:
    """A valid ledger.

    Attributes
    ----------
    legs
        One row per leg, sorted by transfer id and leg number (columns: see
        :func:`read_ledger`).
    sources
        sources.csv rows (see :func:`read_sources`).
    warnings
        Problems that do not stop the load (e.g. sources no leg cites).

    """

    legs: pd.DataFrame
    sources: pd.DataFrame
    warnings: list[Problem] = field(default_factory=list)


@dataclass(frozen=True)
class LedgerCheck:
    """Everything :func:`check_ledger` found, without raising.

    Attributes
    ----------
    legs
        The transfers.csv rows that have no error, as in :func:`read_ledger`.
    rejected
        The transfers.csv rows that have at least one error: the raw cells
        and :data:`~geo.columns.SOURCE_LINE`.
    sources
        The sources.csv rows that have no error.
    rejected_sources
        The sources.csv rows that have at least one error.
    problems
        Every error, in both files.
    warnings
        Every warning.
    n_rows, n_source_rows
        Data rows read from each file (rows of the wrong width included).

    """

    legs: pd.DataFrame
    rejected: pd.DataFrame
    sources: pd.DataFrame
    rejected_sources: pd.DataFrame
    problems: list[Problem]
    warnings: list[Problem]
    n_rows: int
    n_source_rows: int

    @property
    def ok(self) -> bool:
        """True when there is no error."""
        return not self.problems


def read_sources(path: str | Path) -> pd.DataFrame:
    """Read ``sources.csv`` and check every row.

    Parameters
    ----------
    path
        The sources file.

    Returns
    -------
    pandas.DataFrame
        One row per source, in file order, with columns
        :data:`~geo.columns.SOURCE_ID`, ``SOURCE_OUTLET``, ``SOURCE_TITLE``,
        ``SOURCE_DATE`` (ISO date, partial ISO date, or ``"undated"``),
        ``SOURCE_URL``, ``SOURCE_RELAYS`` (strings, ``""`` when empty) and
        ``SOURCE_LINE``.

    Raises
    ------
    LedgerError
        With every problem: missing or unexpected columns, rows of the wrong
        width, empty ids, outlets, titles or dates (write ``unidentified`` /
        ``undated`` when they are not known), malformed or duplicate ids,
        dates that are neither ISO nor ``undated``, URLs that are not http(s).

    """
    sources, _rejected, problems, _n_rows = load_sources(Path(path), str(path))
    if any(p.severity == "error" for p in problems):
        raise LedgerError(problems)
    return sources


def read_ledger(
    transfers_path: str | Path, sources_path: str | Path, index: PlaceIndex
) -> LedgerResult:
    """Read ``transfers.csv`` and ``sources.csv``, check them, join places.

    Parameters
    ----------
    transfers_path
        The transfers file (one row per leg).
    sources_path
        The sources file.
    index
        Gazetteer index used to resolve every ``from``/``to`` (one call to
        :meth:`~geo.geocode.PlaceIndex.resolve` for all names).

    Returns
    -------
    LedgerResult
        ``.legs`` has every transfers.csv column (``SOURCE_IDS`` as a tuple
        of ids, ``LEG`` as int, ``QUANTITY`` as text) plus ``SOURCE_LINE``,
        ``FROM_ID``/``TO_ID`` (place id; for ``?desc @ area`` the area's id;
        None for a bare unknown stop), ``FROM_NAME``/``TO_NAME`` (gazetteer
        name, or the description of an unknown stop), ``FROM_LON``,
        ``FROM_LAT``, ``TO_LON``, ``TO_LAT`` (NaN for a bare unknown stop),
        ``FROM_PRECISION``/``TO_PRECISION`` (the place's, or the area's;
        None for a bare unknown stop), ``FROM_UNKNOWN``/``TO_UNKNOWN``
        (bool) and ``DATE_START``/``DATE_END`` (inclusive day bounds).
        Sorted by transfer id, then leg.

    Raises
    ------
    LedgerError
        With every problem in both files (see :func:`check_ledger`).

    """
    result = check_ledger(transfers_path, sources_path, index)
    if not result.ok:
        raise LedgerError([*result.problems, *result.warnings])
    return LedgerResult(legs=result.legs, sources=result.sources, warnings=result.warnings)


def check_ledger(
    transfers_path: str | Path, sources_path: str | Path, index: PlaceIndex
) -> LedgerCheck:
    """Check the ledger and keep every row, valid or not.

    Checks, all reported at once with file, line, column and value:
    missing, duplicate or unexpected columns; rows of the wrong width;
    empty required values; leg numbers that are not positive integers,
    repeat within a transfer, or leave a gap; legs that do not chain (leg
    n's ``to`` must be leg n+1's ``from``: same place id, or the same
    unknown-stop text); unknown or ambiguous places (with suggestions or
    candidates); unparsable dates and intervals that end before they start;
    a ``date_precision`` that does not fit the date; unknown status, mode,
    category or date_precision values (with "did you mean"); source ids
    missing from sources.csv; every sources.csv problem of
    :func:`read_sources`; and, as warnings, sources no leg cites and source
    ids repeated in one cell.

    Parameters
    ----------
    transfers_path, sources_path, index
        As for :func:`read_ledger`.

    Returns
    -------
    LedgerCheck

    """
    tfile, sfile = str(transfers_path), str(sources_path)
    sources, rejected_sources, problems, n_source_rows = load_sources(Path(sources_path), sfile)
    declared = set(sources[SOURCE_ID]) | set(rejected_sources[SOURCE_ID])

    read = read_table(
        Path(transfers_path),
        tfile,
        TRANSFERS_COLUMNS,
        problems,
        what="legs",
        optional=OPTIONAL_COLUMNS,
    )
    table = read.table
    if read.usable:
        legs = check_legs(table, tfile, index, declared, problems, wrong_width=read.wrong_width)
        legs = check_extra(legs, Path(transfers_path), file=tfile, index=index, problems=problems)
        # Each distinct tuple of ids once (legs cite the same few sources again and again).
        cited = {sid for ids in set(legs[SOURCE_IDS].tolist()) for sid in ids}
        warn_unused(sources, cited, sfile, problems)
        published = dict(zip(sources[SOURCE_ID], sources[SOURCE_DATE], strict=True))
        problems.extend(check_reported_dates(legs, published, file=tfile))
        bad = {p.line for p in problems if p.file == tfile and p.severity == "error" and p.line}
        rejected_mask = table[SOURCE_LINE].isin(bad).to_numpy()
    else:
        # Without every column no row can be checked: all are rejected.
        legs = table
        rejected_mask = np.ones(len(table), dtype=bool)
    good = _sorted_rows(legs, np.flatnonzero(~rejected_mask))
    rejected = pd.concat([table[rejected_mask], read.wrong_width], ignore_index=True)
    rejected = rejected.sort_values(SOURCE_LINE, kind="stable").reset_index(drop=True)
    return LedgerCheck(
        legs=good,
        rejected=rejected,
        sources=sources,
        rejected_sources=rejected_sources,
        problems=sorted((p for p in problems if p.severity == "error"), key=problem_order),
        warnings=sorted((p for p in problems if p.severity == "warning"), key=problem_order),
        n_rows=read.n_rows,
        n_source_rows=n_source_rows,
    )


def _sorted_rows(legs: pd.DataFrame, rows: np.ndarray) -> pd.DataFrame:
    """``legs``' ``rows`` with the leg columns, sorted by transfer id then leg (one copy).

    Transfer ids are factorized in sorted order and the rows ordered by a
    stable lexsort, as ``sort_values([TRANSFER_ID, LEG], kind="stable")``.
    """
    columns = legs.reindex(columns=list(_LEG_COLUMNS))
    if not len(rows):
        return columns.iloc[rows].reset_index(drop=True)
    t_codes, _ = pd.factorize(legs[TRANSFER_ID].to_numpy(dtype=object)[rows], sort=True)
    numbers = legs[LEG].iloc[rows].to_numpy(dtype="int64")
    good = columns.take(rows[np.lexsort((numbers, t_codes))])
    good[LEG] = good[LEG].astype("int64")
    return good.reset_index(drop=True)
