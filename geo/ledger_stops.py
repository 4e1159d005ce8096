"""Resolve each leg's ``from``/``to`` and check that a transfer's legs chain.

A stop the reporting does not name is written ``?description`` (bare: no
coordinates) or ``?description @ place`` (somewhere inside a known area: the
area's point and precision).  Every name is resolved in one
:meth:`~geo.geocode.PlaceIndex.resolve` call (through
:func:`geo.ledger_places.resolve_ends`).
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd

from geo._errors import Problem
from geo.columns import (
    FROM,
    FROM_ID,
    FROM_LAT,
    FROM_LON,
    FROM_NAME,
    FROM_PRECISION,
    FROM_UNKNOWN,
    LAT,
    LEG,
    LON,
    PLACE_NAME,
    PLACE_PRECISION,
    RESOLVE_NOTE,
    SOURCE_LINE,
    TO,
    TO_ID,
    TO_LAT,
    TO_LON,
    TO_NAME,
    TO_PRECISION,
    TO_UNKNOWN,
    TRANSFER_ID,
    UNKNOWN_STOP_PREFIX,
)
from geo.geocode import AMBIGUOUS, CANDIDATES, OK, PLACE_ID_COL, SUGGESTIONS, PlaceIndex, normalize
from geo.geocode import STATUS as RESOLVE_STATUS
from geo.ledger_places import resolve_ends

__all__ = ["AREA_SEPARATOR", "check_chain", "resolve_places"]

#: Separator between an unknown stop's description and the area it lies in.
AREA_SEPARATOR = "@"
_HINT_UNKNOWN_STOP = (
    f"or write '{UNKNOWN_STOP_PREFIX}description' (optionally "
    f"'{UNKNOWN_STOP_PREFIX}description {AREA_SEPARATOR} area') for a place the reporting "
    "does not name"
)

_STOP_RE = re.compile(
    r"^" + re.escape(UNKNOWN_STOP_PREFIX) + r"\s*(?P<desc>[^" + AREA_SEPARATOR + r"]*?)\s*"
    r"(?:" + AREA_SEPARATOR + r"\s*(?P<area>[^" + AREA_SEPARATOR + r"]*?)\s*)?$"
)


def resolve_places(
    table: pd.DataFrame, file: str, index: PlaceIndex, problems: list[Problem]
) -> pd.DataFrame:
    """Resolve every from/to in one PlaceIndex.resolve call; return the place columns.

    Everything about an end is a function of its text (the resolve call
    adds the context of the transfers it is in, per distinct name), so each
    distinct from/to text is parsed, resolved and described once, and the
    rows take their text's answer; only failing rows are visited one by one.
    """
    n = len(table)
    # from rows, then to rows
    ends_rows = np.concatenate(
        [table[FROM].to_numpy(dtype=object), table[TO].to_numpy(dtype=object)]
    )
    column = np.repeat(np.array([FROM, TO], dtype=object), n)
    row = np.tile(np.arange(n), 2)
    # Each row's distinct text (a missing cell is a distinct value of its own).
    end_codes, end_names = pd.factorize(ends_rows, use_na_sentinel=False)
    ends = pd.Series(end_names, dtype=object)
    unknown = np.fromiter(
        (isinstance(e, str) and e.startswith(UNKNOWN_STOP_PREFIX) for e in end_names.tolist()),
        dtype=bool,
        count=len(end_names),
    )
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
    # Distinct names in order of first use by the rows (as unique()).
    q_codes, q_names = pd.factorize(query.to_numpy(dtype=object))
    row_q = q_codes[end_codes]
    _, first_use = pd.factorize(row_q)  # first_use: q codes in order of first use
    order = np.full(len(q_names) + 1, -1, dtype=np.intp)
    keep = first_use >= 0
    order[first_use[keep]] = np.arange(int(keep.sum()))
    distinct = pd.Series(np.asarray(q_names, dtype=object)[first_use[keep]], dtype=object)
    codes = order[q_codes]  # each distinct text's name, -1 for none
    # issue 10: names not in the gazetteer resolve through the world tables,
    # with the other places of the same transfer as context (geo.ledger_places).
    transfer = np.tile(table[TRANSFER_ID].to_numpy(), 2)
    row_query = pd.Series(query.to_numpy(dtype=object)[end_codes], dtype=object)
    resolved, places = resolve_ends(distinct, row_query, transfer, index)
    resolved = resolved.set_index(pd.Index(distinct.to_numpy(), dtype=object))
    # Hints are built per distinct name, then spread to the rows.
    resolved["_sugg"] = resolved[RESOLVE_NOTE] + resolved[SUGGESTIONS].map(
        lambda s: "did you mean " + " or ".join(map(repr, s)) + "? " if s
        else "no close match in the gazetteer or the world tables; "
    )
    resolved["_cand"] = resolved[CANDIDATES].map(
        lambda c: "use one of the ids " + ", ".join(map(repr, c))
    )
    # Each text's answer by position; code -1 (nothing to resolve) gives NaN.
    answer = resolved.reset_index(drop=True).reindex(codes)
    answer.index = ends.index
    status = answer[RESOLVE_STATUS].where(wanted)
    place_id = answer[PLACE_ID_COL].where(status == OK)

    def report(
        mask: np.ndarray, message: str, hint_of: pd.Series | str, severity: str = "error"
    ) -> None:
        if not mask.any():
            return
        lines = table[SOURCE_LINE].to_numpy()
        for i in np.flatnonzero(mask[end_codes]):
            u = end_codes[i]
            hint = hint_of if isinstance(hint_of, str) else hint_of.iloc[u]
            where = (file, int(lines[row[i]]), str(column[i]), ends_rows[i])
            problems.append(Problem(*where, message, hint, severity=severity))

    sugg, cand = answer["_sugg"], answer["_cand"]
    is_unknown = (status == "unknown").to_numpy()
    is_ambiguous = (status == AMBIGUOUS).to_numpy()
    report(named & is_unknown, "unknown place", sugg.fillna("") + _HINT_UNKNOWN_STOP)
    report(named & is_ambiguous, "ambiguous place", cand)
    noted = (status == OK).to_numpy() & (answer[RESOLVE_NOTE].fillna("") != "").to_numpy()
    report(
        (named | has_area) & noted,
        "placed approximately",
        answer[RESOLVE_NOTE].fillna(""),
        severity="warning",
    )
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
    # Only unknown stops take this key (the others take their place id).
    stop_key = pd.Series(np.nan, index=ends.index, dtype=object)
    stop_key[unknown] = (
        UNKNOWN_STOP_PREFIX + norm[unknown] + AREA_SEPARATOR + place_id[unknown].fillna("")
    )
    ok_place = place_id.notna() | (unknown & ~malformed & ~empty_area & (~has_area | status.eq(OK)))
    key = place_id.where(~unknown, stop_key).where(ok_place)

    def half(values: pd.Series | np.ndarray, k: int, dtype: object = object) -> np.ndarray:
        # object dtype keeps None as None (pandas would infer str and use NaN)
        return np.asarray(values, dtype=dtype)[end_codes[k * n : (k + 1) * n]]

    prec = pd.Series(at[PLACE_PRECISION].to_numpy(), dtype=object)
    prec = prec.where(prec.notna(), None)
    pid = place_id.astype(object).where(place_id.notna(), None)
    data = {}
    for k, (c_id, c_name, c_lon, c_lat, c_prec, c_unk) in enumerate(
        (
            (FROM_ID, FROM_NAME, FROM_LON, FROM_LAT, FROM_PRECISION, FROM_UNKNOWN),
            (TO_ID, TO_NAME, TO_LON, TO_LAT, TO_PRECISION, TO_UNKNOWN),
        )
    ):
        data[c_id] = half(pid.to_numpy(dtype=object), k)
        data[c_name] = half(name.to_numpy(dtype=object), k)
        data[c_lon] = half(at[LON].to_numpy(dtype=float), k, float)
        data[c_lat] = half(at[LAT].to_numpy(dtype=float), k, float)
        data[c_prec] = half(prec.to_numpy(dtype=object), k)
        data[c_unk] = half(unknown, k, bool)
        data[f"_{c_unk}_key"] = half(key.to_numpy(dtype=object), k)
    return pd.DataFrame(
        {c: pd.Series(v, index=table.index, dtype=v.dtype, copy=False) for c, v in data.items()}
    )


def check_chain(legs: pd.DataFrame, file: str, problems: list[Problem]) -> None:
    """Leg n's destination must be leg n+1's origin (compared by chain key)."""
    from_key, to_key = f"_{FROM_UNKNOWN}_key", f"_{TO_UNKNOWN}_key"
    usable = (legs[LEG].notna() & (legs[TRANSFER_ID] != "")).to_numpy(dtype=bool)
    at = np.flatnonzero(usable)
    tid = legs[TRANSFER_ID].to_numpy(dtype=object)[at]
    numbers = legs[LEG].to_numpy(dtype=np.float64, na_value=np.nan)[at].astype(np.int64)
    # A repeated leg number is reported on its own; chain the first of them.
    # The distinct (transfer, leg) pairs sorted, each with its first row:
    # transfer ids factorized in sorted order, a stable lexsort, the first of
    # each run of equal keys (as drop_duplicates then sort_values give them).
    t_codes, _ = pd.factorize(tid, sort=True)
    order = np.lexsort((numbers, t_codes))
    t_sorted, n_sorted = t_codes[order], numbers[order]
    new_key = np.r_[True, (t_sorted[1:] != t_sorted[:-1]) | (n_sorted[1:] != n_sorted[:-1])]
    pick = order[new_key[: len(order)]]
    rows, dt, dl, names = at[pick], t_codes[pick], numbers[pick], tid[pick]
    # Each pair and the next of the same transfer (sorted: the next pair, if
    # its transfer is this one's), as groupby(TRANSFER_ID).shift(-1) gives it.
    ends_at = legs[to_key].to_numpy(dtype=object)[rows]
    starts_at = legs[from_key].to_numpy(dtype=object)[rows]
    consecutive = (dt[1:] == dt[:-1]) & (dl[1:] - dl[:-1] == 1)
    both = ~pd.isna(ends_at[:-1]) & ~pd.isna(starts_at[1:])
    check = np.flatnonzero(consecutive & both)
    if not len(check):
        return
    line = legs[SOURCE_LINE].to_numpy()
    origin, destination = legs[FROM].to_numpy(dtype=object), legs[TO].to_numpy(dtype=object)
    for i in check[ends_at[check] != starts_at[check + 1]]:
        cur, after = rows[i], rows[i + 1]
        problems.append(
            Problem(
                file,
                int(line[after]),
                FROM,
                origin[after],
                f"leg {dl[i + 1]} of {names[i]!r} starts here, "
                f"but leg {dl[i]} (line {line[cur]}) ends at {destination[cur]!r}",
                "a transfer's legs must chain: make this 'from' the previous leg's 'to', "
                "or split the rows into two transfers",
            )
        )
