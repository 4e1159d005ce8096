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
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal, NamedTuple

import numpy as np
import pandas as pd
from rapidfuzz import process

from geo._csv import header_problems, read_records
from geo._errors import LedgerError, Problem
from geo.columns import (
    ACTOR,
    CARRIER,
    CARRIER_ID,
    CATEGORIES,
    CATEGORY,
    DATE,
    DATE_APPROXIMATE,
    DATE_AS_REPORTED,
    DATE_END,
    DATE_OPEN_END,
    DATE_OPEN_START,
    DATE_PRECISION,
    DATE_PRECISIONS,
    DATE_PROBLEM,
    DATE_START,
    DATE_UNCERTAIN,
    EQUIPMENT,
    FROM,
    FROM_ID,
    FROM_LAT,
    FROM_LON,
    FROM_NAME,
    FROM_PRECISION,
    FROM_UNKNOWN,
    IMPLIED_PRECISION,
    LAT,
    LEG,
    LON,
    MODE,
    MODES,
    NOTE,
    PLACE_NAME,
    PLACE_PRECISION,
    QUANTITY,
    SOURCE_DATE,
    SOURCE_ID,
    SOURCE_IDS,
    SOURCE_LINE,
    SOURCE_OUTLET,
    SOURCE_RELAYS,
    SOURCE_TITLE,
    SOURCE_URL,
    STATUS,
    STATUSES,
    TO,
    TO_ID,
    TO_LAT,
    TO_LON,
    TO_NAME,
    TO_PRECISION,
    TO_UNKNOWN,
    TRACK,
    TRANSFER_ID,
    UNKNOWN_STOP_PREFIX,
    VIA,
)
from geo.dates import check_precision, check_reported_dates, parse_dates
from geo.geocode import AMBIGUOUS, CANDIDATES, OK, PLACE_ID_COL, SUGGESTIONS, PlaceIndex, normalize
from geo.geocode import STATUS as RESOLVE_STATUS
from geo.ledger_extra import EXTRA_LEG_COLUMNS, check_extra, split_alternatives, with_alternatives
from geo.ledger_places import resolve_ends, serves_warnings

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

#: Columns of transfers.csv, in the bundled file's order.
TRANSFERS_COLUMNS: tuple[str, ...] = (
    TRANSFER_ID,
    LEG,
    FROM,
    TO,
    DATE,
    DATE_PRECISION,
    EQUIPMENT,
    CATEGORY,
    QUANTITY,
    ACTOR,
    MODE,
    CARRIER,
    STATUS,
    SOURCE_IDS,
    NOTE,
)
#: Columns transfers.csv may have (issue 11); read as "" when absent.
OPTIONAL_COLUMNS: tuple[str, ...] = (VIA, CARRIER_ID, TRACK, DATE_AS_REPORTED)
#: transfers.csv columns that may be left empty (not stated in the reporting).
#: A blank date_precision is derived from the date.
_OPTIONAL_VALUES = (QUANTITY, CARRIER, NOTE, DATE_PRECISION)
#: Columns of sources.csv, in the bundled file's order.
SOURCES_COLUMNS: tuple[str, ...] = (
    SOURCE_ID,
    SOURCE_OUTLET,
    SOURCE_TITLE,
    SOURCE_DATE,
    SOURCE_URL,
    SOURCE_RELAYS,
)
_SOURCES_OPTIONAL = (SOURCE_URL, SOURCE_RELAYS)
#: Separator of several source ids in one transfers.csv cell.
SOURCE_ID_SEPARATOR = ";"
#: Separator between an unknown stop's description and the area it lies in.
AREA_SEPARATOR = "@"
#: The publication date of a source whose date is not known.
UNDATED = "undated"

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
_SOURCE_ID_RE = r"^[A-Za-z0-9][A-Za-z0-9_.\-]*$"
_URL_RE = r"^https?://\S+$"
_HINT_UNKNOWN_STOP = (
    f"or write '{UNKNOWN_STOP_PREFIX}description' (optionally "
    f"'{UNKNOWN_STOP_PREFIX}description {AREA_SEPARATOR} area') for a place the reporting "
    "does not name"
)
_Severity = Literal["error", "warning"]


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
    sources, _rejected, problems, _n_rows = _load_sources(Path(path), str(path))
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
    sources, rejected_sources, problems, n_source_rows = _load_sources(Path(sources_path), sfile)
    declared = set(sources[SOURCE_ID]) | set(rejected_sources[SOURCE_ID])

    read = _read_table(
        Path(transfers_path),
        tfile,
        TRANSFERS_COLUMNS,
        problems,
        what="legs",
        optional=OPTIONAL_COLUMNS,
    )
    table = read.table
    if read.usable:
        legs = _check_legs(table, tfile, index, declared, problems, wrong_width=read.wrong_width)
        legs = check_extra(legs, Path(transfers_path), file=tfile, index=index, problems=problems)
        _warn_unused(sources, set(legs[SOURCE_IDS].explode().dropna()), sfile, problems)
        published = dict(zip(sources[SOURCE_ID], sources[SOURCE_DATE], strict=True))
        problems.extend(check_reported_dates(legs, published, file=tfile))
        bad = {p.line for p in problems if p.file == tfile and p.severity == "error" and p.line}
        rejected_mask = table[SOURCE_LINE].isin(bad).to_numpy()
    else:
        # Without every column no row can be checked: all are rejected.
        legs = table
        rejected_mask = np.ones(len(table), dtype=bool)
    good = legs[~rejected_mask]
    good = good.astype({LEG: "int64"}) if len(good) else good
    good = good.sort_values([TRANSFER_ID, LEG], kind="stable").reset_index(drop=True)
    rejected = pd.concat([table[rejected_mask], read.wrong_width], ignore_index=True)
    rejected = rejected.sort_values(SOURCE_LINE, kind="stable").reset_index(drop=True)
    return LedgerCheck(
        legs=good.reindex(columns=list(_LEG_COLUMNS)),
        rejected=rejected,
        sources=sources,
        rejected_sources=rejected_sources,
        problems=sorted((p for p in problems if p.severity == "error"), key=_order),
        warnings=sorted((p for p in problems if p.severity == "warning"), key=_order),
        n_rows=read.n_rows,
        n_source_rows=n_source_rows,
    )


# --- reading ------------------------------------------------------------


class _Read(NamedTuple):
    """A CSV file read into strings."""

    table: pd.DataFrame  # rows of the header's width: stripped cells + SOURCE_LINE
    wrong_width: pd.DataFrame  # the other rows, cells placed by position
    n_rows: int  # data rows read, of any width
    usable: bool  # the header names every column, so rows can be checked


def _read_table(
    path: Path,
    file: str,
    columns: Sequence[str],
    problems: list[Problem],
    *,
    what: str,
    optional: Sequence[str] = (),
) -> _Read:
    """Read a CSV (or Parquet: geo/_parquet.py) into text cells of ``columns`` (+ ``optional``)."""
    if path.suffix.lower() in (".parquet", ".geoparquet", ".pq"):
        from geo._parquet import read_parquet_table

        return _Read(
            *read_parquet_table(
                path, file, columns, SOURCE_LINE, problems, what=what, optional=optional
            )
        )
    header, lines, raw = read_records(path, file, problems)
    rows = [[cell.strip() for cell in row] for row in raw]
    empty = pd.DataFrame({c: pd.Series([], dtype=object) for c in (*columns, SOURCE_LINE)})
    if header is None:
        if not problems or problems[-1].file != file:
            problems.append(
                Problem(
                    file,
                    None,
                    None,
                    "",
                    "file is empty",
                    "add the header row: " + ",".join(columns),
                )
            )
        return _Read(empty, empty, len(rows), False)

    missing = [c for c in columns if c not in header]
    problems.extend(header_problems(header, columns, optional=optional, file=file))
    columns = (*columns, *optional)

    width = len(header)
    lengths = np.fromiter(map(len, rows), dtype=np.int64, count=len(rows))
    for i in np.flatnonzero(lengths != width):
        problems.append(
            Problem(
                file,
                lines[i],
                None,
                rows[i],
                f"row has {lengths[i]} fields but the header has {width}",
                "quote values that contain commas",
            )
        )
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
    return _Read(table, wrong_width, len(rows), not missing)


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


def _load_sources(path: Path, file: str) -> tuple[pd.DataFrame, pd.DataFrame, list[Problem], int]:
    """Read and check sources.csv; return (valid rows, rejected rows, problems, n rows)."""
    problems: list[Problem] = []
    read = _read_table(path, file, SOURCES_COLUMNS, problems, what="sources")
    table = read.table
    if read.usable and not table.empty:
        for col in SOURCES_COLUMNS:
            if col in _SOURCES_OPTIONAL:
                continue
            hint = {
                SOURCE_DATE: f"write {UNDATED!r} if the publication date is not known",
                SOURCE_ID: "give every source a short unique id, e.g. 'wsj_2024_12_18'",
            }.get(col, "write 'unidentified' if it is not known")
            _add(problems, file, table, table[col] == "", col, f"empty {col}", hint)
        ids = table[SOURCE_ID]
        malformed = (ids != "") & ~ids.str.match(_SOURCE_ID_RE)
        _add(
            problems,
            file,
            table,
            malformed,
            SOURCE_ID,
            "malformed source id",
            "ids are letters, digits, '_', '.', '-' (no spaces or ';')",
        )
        _duplicates(problems, file, table, [SOURCE_ID], SOURCE_ID, "duplicate source id")
        published = table[SOURCE_DATE]
        dated = (published != "") & (published != UNDATED)
        parsed = parse_dates(published.where(dated, "2000"))
        bad_date = dated & (parsed[DATE_PROBLEM].notna() | published.str.contains("[/~?%]"))
        _add(
            problems,
            file,
            table,
            bad_date,
            SOURCE_DATE,
            "publication date is not an ISO date",
            f"write YYYY-MM-DD (or YYYY-MM, YYYY), or {UNDATED!r}",
        )
        url = table[SOURCE_URL]
        _add(
            problems,
            file,
            table,
            (url != "") & ~url.str.match(_URL_RE),
            SOURCE_URL,
            "URL is not an http(s) address",
            "give the full address starting with https://, or leave it empty",
        )
    if read.usable:
        bad = {p.line for p in problems if p.severity == "error" and p.line}
        rejected_mask = table[SOURCE_LINE].isin(bad).to_numpy()
    else:
        rejected_mask = np.ones(len(table), dtype=bool)
    rejected = pd.concat([table[rejected_mask], read.wrong_width], ignore_index=True)
    sources = table[~rejected_mask].reset_index(drop=True)
    sources = sources[[*SOURCES_COLUMNS, SOURCE_LINE]].astype({SOURCE_LINE: "int64"})
    return sources, rejected, problems, read.n_rows


# --- leg checks -----------------------------------------------------------


def _check_legs(
    table: pd.DataFrame,
    file: str,
    index: PlaceIndex,
    declared: set[str],
    problems: list[Problem],
    *,
    wrong_width: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Run every row check; return the full leg table (rejection happens later)."""
    for col in TRANSFERS_COLUMNS:
        if col not in _OPTIONAL_VALUES:
            _add(
                problems,
                file,
                table,
                table[col] == "",
                col,
                f"empty {col}",
                _EMPTY_HINTS.get(col),
            )

    leg = _check_leg_numbers(table, file, problems, wrong_width=wrong_width)
    for col, allowed in (
        (STATUS, STATUSES),
        (MODE, MODES),
        (DATE_PRECISION, DATE_PRECISIONS),
    ):
        _check_choice(table, file, col, allowed, problems)

    dates = parse_dates(table[DATE])
    has_date = table[DATE] != ""
    for message in dates[DATE_PROBLEM][has_date].dropna().unique():
        mask = has_date & (dates[DATE_PROBLEM] == message)
        hint = (
            "put the earlier date first: start/end"
            if message.startswith("interval")
            else "e.g. 2020-05-18, 2020-05, 2020, 2020-W21, 2024-12-01/2024-12-18, "
            "2020-10-23/.. (since), ../2020-05 (by), 2020-05~ (about), 2020-05? (possibly)"
        )
        _add(problems, file, table, mask, DATE, message, hint)
    mismatch = check_precision(dates, table[DATE_PRECISION])
    for message in mismatch.dropna().unique():
        mask = mismatch == message
        implied = dates.loc[mask.to_numpy(), IMPLIED_PRECISION].iloc[0]
        _add(
            problems,
            file,
            table,
            mask,
            DATE_PRECISION,
            message,
            f"set date_precision to {implied!r}, or write the date "
            "with the precision the reporting gives",
        )

    ids = _check_source_ids(table, file, declared, problems)
    first, alternatives = split_alternatives(table, file=file, index=index, problems=problems)
    ends = _resolve_places(first, file, index, problems)
    legs = table.copy()
    legs[LEG] = leg
    legs[SOURCE_IDS] = ids
    legs[DATE_START] = dates[DATE_START]
    legs[DATE_END] = dates[DATE_END]
    # date_precision: derived where blank (checked above where given).
    legs[DATE_PRECISION] = legs[DATE_PRECISION].where(
        legs[DATE_PRECISION] != "", dates[IMPLIED_PRECISION].fillna("")
    )
    for flag in (DATE_APPROXIMATE, DATE_UNCERTAIN, DATE_OPEN_START, DATE_OPEN_END):
        legs[flag] = dates[flag]
    for col in ends.columns:
        legs[col] = ends[col]
    legs = with_alternatives(legs, alternatives)
    _check_chain(legs, file, problems)
    problems += serves_warnings(legs, file)  # issue 10: city named where its base is meant
    return legs


_EMPTY_HINTS: dict[str, str] = {
    TRANSFER_ID: "give the transfer an id shared by all its legs",
    LEG: "number the legs of a transfer 1, 2, 3, ...",
    FROM: "name the place, or write '?description' if the reporting does not",
    TO: "name the place, or write '?description' if the reporting does not",
    DATE: "give the date as reported, e.g. 2020-05, or an interval start/end",
    DATE_PRECISION: "one of " + ", ".join(DATE_PRECISIONS),
    EQUIPMENT: "say what moved",
    CATEGORY: "one of " + ", ".join(CATEGORIES),
    ACTOR: "say who moved it, or write 'unknown'",
    MODE: "one of " + ", ".join(MODES),
    STATUS: "one of " + ", ".join(STATUSES),
    SOURCE_IDS: "cite at least one source id from sources.csv",
}


def _check_leg_numbers(
    table: pd.DataFrame,
    file: str,
    problems: list[Problem],
    *,
    wrong_width: pd.DataFrame | None = None,
) -> pd.Series:
    """Leg numbers as Int64 (NA where invalid); report bad, duplicate and missing legs.

    A row rejected for its width still holds its leg's place in the
    numbering (its cells are read by position), and a transfer with a row
    whose leg number cannot be read gets no gap error: the rejected row is
    reported on its own and is likely the "missing" leg.
    """
    text = table[LEG]
    valid = text.str.fullmatch(r"\d+") & (text != "")
    leg = pd.to_numeric(text.where(valid), errors="coerce").astype("Int64")
    valid = valid & (leg > 0).fillna(False)
    leg = leg.where(valid)
    _add(
        problems,
        file,
        table,
        (text != "") & ~valid,
        LEG,
        "leg is not a positive whole number",
        "number the legs of a transfer 1, 2, 3, ...",
    )
    keyed = table.assign(**{LEG: leg})[valid & (table[TRANSFER_ID] != "")]
    _duplicates(
        problems,
        file,
        keyed,
        [TRANSFER_ID, LEG],
        LEG,
        "duplicate leg number in this transfer",
    )
    # Gaps: sort the distinct legs of each transfer and compare neighbours.
    unsure = set(table.loc[~valid.fillna(False).to_numpy(dtype=bool), TRANSFER_ID])
    if wrong_width is not None and len(wrong_width):
        other = wrong_width[LEG].str.strip()
        readable = other.str.fullmatch(r"[1-9]\d*").fillna(False).to_numpy(dtype=bool)
        unsure |= set(wrong_width.loc[~readable, TRANSFER_ID].str.strip())
        extra = wrong_width[readable].assign(
            **{LEG: pd.to_numeric(other[readable]).astype("Int64")}
        )
        extra[TRANSFER_ID] = extra[TRANSFER_ID].str.strip()
        keyed = pd.concat([keyed, extra[keyed.columns]], ignore_index=True)
    keyed = keyed[~keyed[TRANSFER_ID].isin(unsure)]
    distinct = keyed.drop_duplicates([TRANSFER_ID, LEG]).sort_values([TRANSFER_ID, LEG])
    prev = distinct.groupby(TRANSFER_ID)[LEG].shift(1)
    first = prev.isna()
    starts_late = first & (distinct[LEG] != 1)
    jumps = ~first & (distinct[LEG] - prev > 1)
    for i in np.flatnonzero(starts_late.to_numpy()):
        row = distinct.iloc[i]
        problems.append(
            Problem(
                file,
                int(row[SOURCE_LINE]),
                LEG,
                int(row[LEG]),
                f"transfer {row[TRANSFER_ID]!r} starts at leg {row[LEG]}, not 1",
                "number the legs of a transfer 1, 2, 3, ...",
            )
        )
    for i in np.flatnonzero(jumps.to_numpy()):
        row = distinct.iloc[i]
        before = int(prev.iloc[i])
        problems.append(
            Problem(
                file,
                int(row[SOURCE_LINE]),
                LEG,
                int(row[LEG]),
                f"transfer {row[TRANSFER_ID]!r} jumps from leg {before} to leg {row[LEG]}",
                "add the missing leg(s) or renumber the legs without gaps",
            )
        )
    return leg


def _check_choice(
    table: pd.DataFrame,
    file: str,
    column: str,
    allowed: Sequence[str],
    problems: list[Problem],
) -> None:
    values = table[column]
    bad = (values != "") & ~values.isin(allowed)
    for value in sorted(values[bad].unique()):
        near = process.extractOne(value.lower(), allowed, score_cutoff=60)
        hint = f"did you mean {near[0]!r}? " if near else ""
        hint += "allowed: " + ", ".join(allowed)
        _add(problems, file, table, bad & (values == value), column, f"unknown {column}", hint)


def _check_source_ids(
    table: pd.DataFrame, file: str, declared: set[str], problems: list[Problem]
) -> pd.Series:
    """Split the source id cells into tuples; report ids sources.csv lacks."""
    parts = table[SOURCE_IDS].str.split(SOURCE_ID_SEPARATOR).explode().str.strip()
    parts = parts[parts.notna() & (parts != "")]
    cited = pd.DataFrame({"row": parts.index, "sid": parts.to_numpy()})
    again = cited.duplicated(["row", "sid"])
    _add(
        problems,
        file,
        table,
        table.index.isin(cited.loc[again, "row"]),
        SOURCE_IDS,
        "source id listed twice",
        "list each source once",
        severity="warning",
    )
    choices = sorted(declared)
    missing = parts[~parts.isin(declared)]
    for sid in sorted(missing.unique()):
        near = process.extractOne(sid, choices, score_cutoff=60) if choices else None
        hint = f"did you mean {near[0]!r}? " if near else ""
        hint += "add the source to sources.csv or fix the id"
        rows = table.index.isin(missing[missing == sid].index)
        _add(
            problems,
            file,
            table,
            rows,
            SOURCE_IDS,
            f"source id {sid!r} is not in sources.csv",
            hint,
            values=pd.Series(sid, index=table.index),
        )
    # Rebuild one tuple per row from the (row-ordered) exploded ids.
    kept = cited[~again]
    rows = kept["row"].to_numpy()
    out = pd.Series([()] * len(table), index=table.index, dtype=object)
    if len(rows):
        starts = np.flatnonzero(np.r_[True, rows[1:] != rows[:-1]])
        ends = np.r_[starts[1:], len(rows)]
        sids = kept["sid"].tolist()
        out[rows[starts]] = [
            tuple(sids[a:b]) for a, b in zip(starts.tolist(), ends.tolist(), strict=True)
        ]
    return out


_STOP_RE = re.compile(
    r"^" + re.escape(UNKNOWN_STOP_PREFIX) + r"\s*(?P<desc>[^" + AREA_SEPARATOR + r"]*?)\s*"
    r"(?:" + AREA_SEPARATOR + r"\s*(?P<area>[^" + AREA_SEPARATOR + r"]*?)\s*)?$"
)


def _resolve_places(
    table: pd.DataFrame, file: str, index: PlaceIndex, problems: list[Problem]
) -> pd.DataFrame:
    """Resolve every from/to in one PlaceIndex.resolve call; return the place columns."""
    n = len(table)
    ends = pd.concat([table[FROM], table[TO]], ignore_index=True)  # from rows, then to rows
    column = np.repeat(np.array([FROM, TO], dtype=object), n)
    row = np.tile(np.arange(n), 2)
    unknown = ends.str.startswith(UNKNOWN_STOP_PREFIX).to_numpy()
    # Only unknown stops are parsed (reindex leaves NaN for the rest).
    stop = ends[unknown].str.extract(_STOP_RE).reindex(ends.index)
    malformed = unknown & stop["desc"].isna().to_numpy()
    area = stop["area"].where(unknown & ~malformed)
    empty_area = (area.notna() & (area == "")).to_numpy()
    has_area = (area.notna() & (area != "")).to_numpy()
    named = ~unknown & (ends != "").to_numpy()

    # The one resolve call: every named place and every unknown stop's area.
    query = ends.where(named, area.where(has_area))
    wanted = query.notna().to_numpy()
    distinct = pd.Series(query[wanted].unique(), dtype=object)
    # issue 10: names not in the gazetteer resolve through the world tables,
    # with the other places of the same transfer as context (geo.ledger_places).
    transfer = np.tile(table[TRANSFER_ID].to_numpy(), 2)
    resolved, places = resolve_ends(distinct, query, transfer, index)
    resolved = resolved.set_index(pd.Index(distinct.to_numpy(), dtype=object))
    # Hints are built per distinct name, then spread to the rows.
    resolved["_sugg"] = resolved[SUGGESTIONS].map(
        lambda s: "did you mean " + " or ".join(map(repr, s)) + "? " if s else ""
    )
    resolved["_cand"] = resolved[CANDIDATES].map(
        lambda c: "use one of the ids " + ", ".join(map(repr, c))
    )
    answer = resolved.reindex(query.where(wanted).to_numpy())
    answer.index = ends.index
    status = answer[RESOLVE_STATUS].where(wanted)
    place_id = answer[PLACE_ID_COL].where(status == OK)

    def report(mask: np.ndarray, message: str, hint_of: pd.Series | str) -> None:
        for i in np.flatnonzero(mask):
            hint = hint_of if isinstance(hint_of, str) else hint_of.iloc[i]
            problems.append(
                Problem(
                    file,
                    int(table[SOURCE_LINE].iloc[row[i]]),
                    str(column[i]),
                    ends.iloc[i],
                    message,
                    hint,
                )
            )

    sugg, cand = answer["_sugg"], answer["_cand"]
    is_unknown = (status == "unknown").to_numpy()
    is_ambiguous = (status == AMBIGUOUS).to_numpy()
    report(named & is_unknown, "unknown place", sugg.fillna("") + _HINT_UNKNOWN_STOP)
    report(named & is_ambiguous, "ambiguous place", cand)
    report(
        has_area & is_unknown,
        "unknown area of an unknown stop",
        sugg.fillna("") + "the part after '@' must be a gazetteer place",
    )
    report(has_area & is_ambiguous, "ambiguous area of an unknown stop", cand)
    report(
        empty_area,
        "unknown stop has '@' but no area",
        f"write '?description {AREA_SEPARATOR} place', or drop the '@'",
    )
    no_desc = unknown & ~malformed & (stop["desc"].fillna("") == "").to_numpy()
    report(
        no_desc,
        "unknown stop has no description",
        f"say what the reporting says about it after '{UNKNOWN_STOP_PREFIX}', e.g. "
        f"'{UNKNOWN_STOP_PREFIX}Russian warships (origin not reported)'",
    )
    report(
        malformed,
        f"unknown stop has more than one {AREA_SEPARATOR!r}",
        f"write '?description {AREA_SEPARATOR} place' with a single '{AREA_SEPARATOR}'",
    )

    at = places.reindex(place_id.to_numpy())
    desc = stop["desc"].fillna("")
    name = pd.Series(at[PLACE_NAME].to_numpy(), index=ends.index, dtype=object)
    name = name.where(~unknown, desc.where(desc != "", "unnamed stop"))
    # Chain key: the place id, or the unknown stop's normalized text and area.
    norm = pd.Series("", index=ends.index, dtype=object)
    norm[unknown] = normalize(desc[unknown])
    stop_key = UNKNOWN_STOP_PREFIX + norm + AREA_SEPARATOR + place_id.fillna("")
    ok_place = place_id.notna() | (unknown & ~malformed & ~empty_area & (~has_area | status.eq(OK)))
    key = place_id.where(~unknown, stop_key).where(ok_place)

    def half(values: pd.Series, k: int) -> pd.Series:
        # object dtype keeps None as None (pandas would infer str and use NaN)
        part = values.to_numpy(dtype=object)[k * n : (k + 1) * n]
        return pd.Series(part, index=table.index, dtype=object)

    lon = at[LON].to_numpy(dtype=float)
    lat = at[LAT].to_numpy(dtype=float)
    prec = pd.Series(at[PLACE_PRECISION].to_numpy(), dtype=object)
    prec = prec.where(prec.notna(), None)
    pid = place_id.astype(object).where(place_id.notna(), None)
    out = pd.DataFrame(index=table.index)
    for k, (c_id, c_name, c_lon, c_lat, c_prec, c_unk) in enumerate(
        (
            (FROM_ID, FROM_NAME, FROM_LON, FROM_LAT, FROM_PRECISION, FROM_UNKNOWN),
            (TO_ID, TO_NAME, TO_LON, TO_LAT, TO_PRECISION, TO_UNKNOWN),
        )
    ):
        out[c_id] = half(pid, k)
        out[c_name] = half(name, k)
        out[c_lon] = lon[k * n : (k + 1) * n]
        out[c_lat] = lat[k * n : (k + 1) * n]
        out[c_prec] = half(prec, k)
        out[c_unk] = unknown[k * n : (k + 1) * n]
        out[f"_{c_unk}_key"] = half(key, k)
    return out


def _check_chain(legs: pd.DataFrame, file: str, problems: list[Problem]) -> None:
    """Leg n's destination must be leg n+1's origin (compared by chain key)."""
    from_key, to_key = f"_{FROM_UNKNOWN}_key", f"_{TO_UNKNOWN}_key"
    usable = legs[LEG].notna() & (legs[TRANSFER_ID] != "")
    # A repeated leg number is reported on its own; chain the first of them.
    seq = legs[usable].drop_duplicates([TRANSFER_ID, LEG], keep="first")
    seq = seq.sort_values([TRANSFER_ID, LEG])
    nxt = seq.groupby(TRANSFER_ID).shift(-1)
    consecutive = (nxt[LEG] - seq[LEG]) == 1
    both = seq[to_key].notna() & nxt[from_key].notna()
    broken = (consecutive & both & (seq[to_key] != nxt[from_key])).fillna(False)
    for i in np.flatnonzero(broken.to_numpy()):
        cur, after = seq.iloc[i], nxt.iloc[i]
        problems.append(
            Problem(
                file,
                int(after[SOURCE_LINE]),
                FROM,
                after[FROM],
                f"leg {after[LEG]} of {cur[TRANSFER_ID]!r} starts here, but leg {cur[LEG]} "
                f"(line {cur[SOURCE_LINE]}) ends at {cur[TO]!r}",
                "a transfer's legs must chain: make this 'from' the previous leg's 'to', "
                "or split the rows into two transfers",
            )
        )


def _warn_unused(
    sources: pd.DataFrame, cited: set[str], file: str, problems: list[Problem]
) -> None:
    unused = ~sources[SOURCE_ID].isin(cited)
    _add(
        problems,
        file,
        sources,
        unused,
        SOURCE_ID,
        "source is not cited by any leg",
        "cite it in transfers.csv source_ids, or remove it",
        severity="warning",
    )


# --- helpers --------------------------------------------------------------


def _add(
    problems: list[Problem],
    file: str,
    table: pd.DataFrame,
    mask: pd.Series | np.ndarray,
    column: str,
    message: str,
    hint: str | None = None,
    *,
    values: pd.Series | None = None,
    severity: _Severity = "error",
) -> None:
    """Append one problem per row selected by ``mask``."""
    idx = np.flatnonzero(np.asarray(mask, dtype=bool))
    lines = table[SOURCE_LINE].to_numpy()
    shown = table[column] if values is None else values
    for i in idx:
        problems.append(
            Problem(file, int(lines[i]), column, shown.iloc[i], message, hint, severity)
        )


def _order(p: Problem) -> tuple[str, int, str, str]:
    # Problem's own ordering would compare a None line with an int.
    return (p.file, -1 if p.line is None else p.line, p.column or "", p.message)


def _duplicates(
    problems: list[Problem],
    file: str,
    table: pd.DataFrame,
    key: list[str],
    column: str,
    message: str,
) -> None:
    """Report every row whose ``key`` repeats an earlier row's, naming that row."""
    dup = table.duplicated(key, keep="first") & (table[column].astype(str) != "")
    first = table.groupby(key, sort=False)[SOURCE_LINE].transform("min")
    for i in np.flatnonzero(dup.to_numpy()):
        value = table[column].iloc[i]
        problems.append(
            Problem(
                file,
                int(table[SOURCE_LINE].iloc[i]),
                column,
                value.item() if hasattr(value, "item") else value,
                f"{message} (first on line {int(first.iloc[i])})",
                "make it unique, or merge the rows",
            )
        )
