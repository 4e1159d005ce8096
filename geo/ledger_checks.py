"""Check transfers.csv rows: required values, leg numbers, choices, dates, source ids.

:func:`check_legs` runs every row check of :func:`geo.ledger.check_ledger`
column by column (places: :mod:`geo.ledger_stops`), appending one problem
per failing row, and returns the leg table with its derived columns.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

import numpy as np
import pandas as pd
from rapidfuzz import process

from geo._errors import Problem
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
    IMPLIED_PRECISION,
    LEG,
    MODE,
    MODES,
    NOTE,
    QUANTITY,
    SOURCE_IDS,
    SOURCE_LINE,
    STATUS,
    STATUSES,
    TO,
    TRACK,
    TRANSFER_ID,
    VIA,
)
from geo.dates import check_precision, parse_dates
from geo.geocode import PlaceIndex
from geo.ledger_extra import split_alternatives, with_alternatives
from geo.ledger_places import serves_warnings
from geo.ledger_problems import add_problems, report_duplicates
from geo.ledger_stops import check_chain, resolve_places

__all__ = [
    "OPTIONAL_COLUMNS",
    "SOURCE_ID_SEPARATOR",
    "TRANSFERS_COLUMNS",
    "check_legs",
    "source_id_list",
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
#: Separator of several source ids in one transfers.csv cell.
SOURCE_ID_SEPARATOR = ";"


def source_id_list(value: object) -> list[str]:
    """Return the source ids of one ``SOURCE_IDS`` value ("a;b", or a tuple of ids)."""
    if isinstance(value, str):
        return [p for p in (q.strip() for q in value.split(SOURCE_ID_SEPARATOR)) if p]
    if isinstance(value, tuple | list):
        return [str(v) for v in value]
    return []


def check_legs(
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
            add_problems(
                problems,
                file,
                table,
                table[col].to_numpy(dtype=object) == "",
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
        add_problems(problems, file, table, mask, DATE, message, hint)
    mismatch = check_precision(dates, table[DATE_PRECISION])
    for message in mismatch.dropna().unique():
        mask = mismatch == message
        implied = dates.loc[mask.to_numpy(), IMPLIED_PRECISION].iloc[0]
        add_problems(
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
    ends = resolve_places(first, file, index, problems)
    legs = table.copy(deep=False)  # copy-on-write: the table is left as it was
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
    check_chain(legs, file, problems)
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


_DIGITS = re.compile(r"\d+")


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
    # Per distinct cell (legs are numbered 1, 2, 3 again and again), then spread.
    codes, cells = pd.factorize(text.to_numpy(dtype=object))
    cell_list = cells.tolist()
    digits = np.array(
        [isinstance(c, str) and c != "" and _DIGITS.fullmatch(c) is not None for c in cell_list]
        + [False]
    )
    given = np.array([c != "" for c in cell_list] + [True])  # a missing cell is not ""
    # (the missing-cell slot joins only when a cell is missing, so the numbers
    # are converted with the same dtype as the whole column would be)
    slot = [None] if (codes < 0).any() else []
    number = pd.to_numeric(
        pd.Series([*cell_list, *slot], dtype=object).where(digits[: len(cell_list) + len(slot)]),
        errors="coerce",
    ).astype("Int64")
    if not slot:
        number = pd.concat([number, pd.Series([pd.NA], dtype="Int64")], ignore_index=True)
    ok = digits & (number > 0).fillna(False).to_numpy(dtype=bool)
    number = number.where(ok)
    codes = np.where(codes < 0, len(cell_list), codes)
    valid = pd.Series(ok[codes], index=text.index)
    leg = pd.Series(number.array.take(codes), index=text.index)
    add_problems(
        problems,
        file,
        table,
        given[codes] & ~ok[codes],
        LEG,
        "leg is not a positive whole number",
        "number the legs of a transfer 1, 2, 3, ...",
    )
    # Only the key and the line (copying every column was most of the time).
    keyed = table[[TRANSFER_ID, SOURCE_LINE]].assign(**{LEG: leg})[
        valid & (table[TRANSFER_ID] != "")
    ]
    report_duplicates(
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
    # The distinct (transfer, leg) pairs sorted, each with its first row:
    # transfer ids factorized in sorted order, a stable lexsort, and the first
    # of each run of equal keys (as drop_duplicates then sort_values give them).
    tid = keyed[TRANSFER_ID].to_numpy(dtype=object)
    numbers = keyed[LEG].to_numpy(dtype=np.int64)
    where = keyed[SOURCE_LINE].to_numpy()
    t_codes, _ = pd.factorize(tid, sort=True)
    order = np.lexsort((numbers, t_codes))
    t_sorted, n_sorted = t_codes[order], numbers[order]
    new_key = np.r_[True, (t_sorted[1:] != t_sorted[:-1]) | (n_sorted[1:] != n_sorted[:-1])]
    rows = order[new_key[: len(order)]]
    dt, dl = t_codes[rows], numbers[rows]
    # The previous leg of the same transfer (sorted: the previous pair, if its
    # transfer is this one's), as groupby(TRANSFER_ID)[LEG].shift(1) gives it.
    same = np.r_[False, dt[1:] == dt[:-1]] if len(dt) else np.zeros(0, dtype=bool)
    prev = np.r_[0, dl[:-1]] if len(dl) else dl
    starts_late = ~same & (dl != 1)
    jumps = same & (dl - prev > 1)
    for i in np.flatnonzero(starts_late | jumps):
        r = rows[i]
        if starts_late[i]:
            what = f"transfer {tid[r]!r} starts at leg {dl[i]}, not 1"
            fix = "number the legs of a transfer 1, 2, 3, ..."
        else:
            what = f"transfer {tid[r]!r} jumps from leg {int(prev[i])} to leg {dl[i]}"
            fix = "add the missing leg(s) or renumber the legs without gaps"
        problems.append(Problem(file, int(where[r]), LEG, int(dl[i]), what, fix))
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
        add_problems(
            problems, file, table, bad & (values == value), column, f"unknown {column}", hint
        )


def _check_source_ids(
    table: pd.DataFrame, file: str, declared: set[str], problems: list[Problem]
) -> pd.Series:
    """Split the source id cells into tuples; report ids sources.csv lacks.

    Each distinct cell is split once (a ledger cites few sources many times);
    rows take their cell's answer.
    """
    codes, cells = pd.factorize(table[SOURCE_IDS].to_numpy(dtype=object))
    n_cells = len(cells)
    ids = np.empty(n_cells + 1, dtype=object)  # the last slot: an empty (null) cell
    twice = np.zeros(n_cells + 1, dtype=bool)
    missing_in: dict[str, list[int]] = {}
    for k, cell in enumerate(cells.tolist()):
        parts = [p for p in (q.strip() for q in cell.split(SOURCE_ID_SEPARATOR)) if p]
        kept = tuple(dict.fromkeys(parts))  # first time each id is cited
        ids[k] = kept
        twice[k] = len(kept) < len(parts)
        for sid in kept:
            if sid not in declared:
                missing_in.setdefault(sid, []).append(k)
    ids[n_cells] = ()
    codes = np.where(codes < 0, n_cells, codes)
    add_problems(
        problems,
        file,
        table,
        twice[codes],
        SOURCE_IDS,
        "source id listed twice",
        "list each source once",
        severity="warning",
    )
    choices = sorted(declared)
    for sid in sorted(missing_in):
        near = process.extractOne(sid, choices, score_cutoff=60) if choices else None
        hint = f"did you mean {near[0]!r}? " if near else ""
        hint += "add the source to sources.csv or fix the id"
        add_problems(
            problems,
            file,
            table,
            np.isin(codes, missing_in[sid]),
            SOURCE_IDS,
            f"source id {sid!r} is not in sources.csv",
            hint,
            values=pd.Series(sid, index=table.index),
        )
    return pd.Series(ids[codes], index=table.index, dtype=object)
