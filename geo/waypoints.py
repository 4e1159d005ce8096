"""Places a leg names besides one origin and one destination.

Two ledger forms, both resolved through the gazetteer in one
:meth:`~geo.geocode.PlaceIndex.resolve` call per form:

- **alternatives** ``A | B`` in ``from`` or ``to``: the report gives
  candidates and does not say which one it was (``Benina | al-Khadim``).
  Every candidate is kept; the first one stands in the place columns
  (``FROM_ID`` ...), all of them in ``FROM_ALTERNATIVES`` / ``TO_ALTERNATIVES``.
- **via** ``A;B``: places the movement passed or was sighted at, in order
  (seas and islands included). They are not legs and do not make a leg
  uncertain; the line is drawn through them.

Unknown stops (``?description``) are not allowed in either form: an
alternative or a via point must be a gazetteer place.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from geo._errors import Problem
from geo.columns import (
    ALTERNATIVE_SEP,
    FROM,
    FROM_ALT_NAMES,
    FROM_ALT_POINTS,
    FROM_ALTERNATIVES,
    LAT,
    LON,
    PLACE_NAME,
    SOURCE_LINE,
    TO,
    TO_ALT_NAMES,
    TO_ALT_POINTS,
    TO_ALTERNATIVES,
    UNKNOWN_STOP_PREFIX,
    VIA,
    VIA_IDS,
    VIA_NAMES,
    VIA_POINTS,
)
from geo.geocode import AMBIGUOUS, CANDIDATES, OK, PLACE_ID_COL, SUGGESTIONS, PlaceIndex
from geo.geocode import STATUS as RESOLVE_STATUS

__all__ = ["VIA_SEP", "resolve_via", "split_alternatives"]

#: Separator of via places in one cell.
VIA_SEP = ";"


def _resolve(
    parts: pd.DataFrame, index: PlaceIndex, file: str, problems: list[Problem], *, what: str
) -> pd.DataFrame:
    """Resolve ``parts`` (columns row, line, column, cell, name); add id/name/lon/lat."""
    names = parts["name"]
    bad_stop = names.str.startswith(UNKNOWN_STOP_PREFIX)
    empty = names == ""
    for i in np.flatnonzero((bad_stop | empty).to_numpy()):
        p = parts.iloc[i]
        problems.append(
            Problem(
                file,
                int(p["line"]),
                p["column"],
                p["cell"],
                f"empty {what}" if p["name"] == "" else f"{what} is an unknown stop",
                f"every {what} must be a gazetteer place (id, name or alias)"
                + ("; remove the doubled separator" if p["name"] == "" else ""),
            )
        )
    wanted = ~bad_stop & ~empty
    distinct = pd.Series(names[wanted].unique(), dtype=object)
    out = parts.copy()
    out["id"] = None
    if len(distinct):
        res = index.resolve(distinct).set_index(pd.Index(distinct.to_numpy(), dtype=object))
        world = _world_places(res, index)
        ans = res.reindex(names.where(wanted).to_numpy())
        status = ans[RESOLVE_STATUS].to_numpy()
        for i in np.flatnonzero(wanted.to_numpy() & (status != OK)):
            p = parts.iloc[i]
            if status[i] == AMBIGUOUS:
                msg = f"ambiguous {what}"
                hint = "use one of the ids " + ", ".join(map(repr, ans[CANDIDATES].iloc[i]))
            else:
                msg = f"unknown {what}"
                sugg = ans[SUGGESTIONS].iloc[i]
                hint = "did you mean " + " or ".join(map(repr, sugg)) + "? " if sugg else ""
                hint += "add the place to gazetteer.csv (seas and islands as kind 'region')"
            problems.append(Problem(file, int(p["line"]), p["column"], p["name"], msg, hint))
        ids = ans[PLACE_ID_COL].where(status == OK)
        out["id"] = ids.where(ids.notna(), None).to_numpy()
    at = index.places.reindex(out["id"].to_numpy())
    out["pname"] = at[PLACE_NAME].to_numpy()
    out["lon"] = at[LON].to_numpy(dtype=float)
    out["lat"] = at[LAT].to_numpy(dtype=float)
    if len(distinct) and world:
        for i, (name, id_) in enumerate(zip(names, out["id"], strict=True)):
            if id_ is None and name in world:
                p = world[name]
                out.iloc[i, out.columns.get_indexer(["id", "pname", "lon", "lat"])] = [
                    p.id, p.name, p.lon, p.lat]
    return out


def _world_places(res: pd.DataFrame, index: PlaceIndex) -> dict:
    """World places (countries, seas, ports...) for names the gazetteer does not hold.

    "via Portugal", "via the Caspian Sea": resolved like a ledger end by
    :func:`geo.resolve.resolve`, accepted only when the match is exact (not a
    loose spelling) and clearly wins; the gazetteer's answer in ``res`` is
    replaced by OK for those names.
    """
    todo = [n for n, st in zip(res.index, res[RESOLVE_STATUS], strict=True) if st != OK]
    if not todo:
        return {}
    from geo.ledger_places import _LOOSE, referenced_place, world_reference
    from geo.resolve import resolve

    found = {}
    for name in list(todo):  # "Al Abraq International Airport (ourairports:HLLQ)"
        ref = world_reference(name)
        if ref is None:
            continue
        todo.remove(name)
        p, agrees = referenced_place(ref)
        if agrees:
            found[name] = p
            res.loc[name, RESOLVE_STATUS] = OK
        elif p is not None:
            # the name and the id disagree: the record's own name is the hint, as for
            # a leg's end (geo.ledger_places.resolve_ends)
            res.at[name, SUGGESTIONS] = (f"{p.name} ({p.id})",)
    for name, r in zip(todo, resolve(todo, index=index, suggest=False), strict=True):
        if r.status == "ok" and r.candidates[0].how not in _LOOSE:
            found[name] = r.candidates[0]
            res.loc[name, RESOLVE_STATUS] = OK
    return found


def _explode(table: pd.DataFrame, column: str, sep: str) -> pd.DataFrame:
    """One row per non-blank-cell part: row position, line, column, cell, name."""
    cells = table[column].astype(str)
    has = cells.str.contains(sep, regex=False) if sep == ALTERNATIVE_SEP else cells != ""
    split = cells[has].str.split(sep, regex=False).explode().str.strip()
    pos = pd.Series(np.arange(len(table)), index=table.index)
    rows = pos.reindex(split.index).to_numpy()
    return pd.DataFrame(
        {
            "row": rows,
            "line": table[SOURCE_LINE].to_numpy()[rows] if len(rows) else [],
            "column": column,
            "cell": cells.to_numpy()[rows] if len(rows) else [],
            "name": split.to_numpy(),
        }
    )


def _collect(n: int, parts: pd.DataFrame, index_: pd.Index) -> dict[str, pd.Series]:
    """Per-row tuples of ids, names and (lon, lat); () where the row has none."""
    ids: list[tuple] = [()] * n
    names: list[tuple] = [()] * n
    pts: list[tuple] = [()] * n
    for row, grp in parts.groupby("row", sort=True):
        ids[row] = tuple(grp["id"])
        names[row] = tuple(grp["pname"])
        pts[row] = tuple(zip(grp["lon"].tolist(), grp["lat"].tolist(), strict=True))
    return {
        "ids": pd.Series(ids, index=index_, dtype=object),
        "names": pd.Series(names, index=index_, dtype=object),
        "points": pd.Series(pts, index=index_, dtype=object),
    }


def split_alternatives(
    table: pd.DataFrame, *, file: str, index: PlaceIndex, problems: list[Problem]
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Split ``A | B`` in from/to; check every candidate after the first.

    Parameters
    ----------
    table
        transfers.csv rows as text, with ``SOURCE_LINE``.
    file, index, problems
        As for the ledger checks; the first candidate is left to the
        ledger's own place check (it stands in ``from``/``to``).

    Returns
    -------
    first, alternatives
        ``first``: ``table`` with each ``A | B`` cell replaced by ``A``.
        ``alternatives``: ``FROM_ALTERNATIVES``, ``FROM_ALT_NAMES``,
        ``FROM_ALT_POINTS`` and the ``TO_`` ones (tuples, ``()`` without
        alternatives; the first candidate's entries are filled in later
        by :func:`complete_alternatives`).

    """
    first = table.copy()
    out = pd.DataFrame(index=table.index)
    for column, cols in (
        (FROM, (FROM_ALTERNATIVES, FROM_ALT_NAMES, FROM_ALT_POINTS)),
        (TO, (TO_ALTERNATIVES, TO_ALT_NAMES, TO_ALT_POINTS)),
    ):
        parts = _explode(table, column, ALTERNATIVE_SEP)
        if len(parts):
            first_part = ~parts["row"].duplicated()
            first.iloc[parts.loc[first_part, "row"].to_numpy(), first.columns.get_loc(column)] = (
                parts.loc[first_part, "name"].to_numpy()
            )
            dup = parts.duplicated(["row", "name"])
            for i in np.flatnonzero(dup.to_numpy()):
                p = parts.iloc[i]
                problems.append(
                    Problem(
                        file,
                        int(p["line"]),
                        column,
                        p["cell"],
                        f"alternative {p['name']!r} is listed twice",
                        "list each candidate once",
                    )
                )
            # The first candidate is checked by the ledger; resolve the rest here.
            rest = _resolve(parts[~first_part], index, file, problems, what="alternative")
            firsts = parts[first_part].assign(id=None, pname=None, lon=np.nan, lat=np.nan)
            parts = pd.concat([firsts, rest]).sort_index(kind="stable")
        got = _collect(len(table), parts, table.index)
        out[cols[0]], out[cols[1]], out[cols[2]] = got["ids"], got["names"], got["points"]
    return first, out


def complete_alternatives(alternatives: pd.DataFrame, ends: pd.DataFrame) -> pd.DataFrame:
    """Put the first candidate (resolved by the ledger) into the alternative tuples."""
    from geo.columns import FROM_ID, FROM_LAT, FROM_LON, FROM_NAME, TO_ID, TO_LAT, TO_LON, TO_NAME

    out = alternatives.copy()
    for cols, (c_id, c_name, c_lon, c_lat) in (
        (
            (FROM_ALTERNATIVES, FROM_ALT_NAMES, FROM_ALT_POINTS),
            (FROM_ID, FROM_NAME, FROM_LON, FROM_LAT),
        ),
        ((TO_ALTERNATIVES, TO_ALT_NAMES, TO_ALT_POINTS), (TO_ID, TO_NAME, TO_LON, TO_LAT)),
    ):
        has = out[cols[0]].map(len) > 0
        for r in np.flatnonzero(has.to_numpy()):
            ids, names, pts = (out[c].iloc[r] for c in cols)
            e = ends.iloc[r]
            out.iat[r, out.columns.get_loc(cols[0])] = (e[c_id], *ids[1:])
            out.iat[r, out.columns.get_loc(cols[1])] = (e[c_name], *names[1:])
            out.iat[r, out.columns.get_loc(cols[2])] = ((e[c_lon], e[c_lat]), *pts[1:])
    return out


def resolve_via(
    table: pd.DataFrame, *, file: str, index: PlaceIndex, problems: list[Problem]
) -> pd.DataFrame:
    """Resolve the ``via`` column.

    Returns
    -------
    pandas.DataFrame
        ``VIA_IDS``, ``VIA_NAMES``, ``VIA_POINTS`` (tuples in order, ``()``
        for an empty cell), aligned with ``table``.

    """
    parts = _explode(table, VIA, VIA_SEP)
    if len(parts):
        parts = _resolve(parts, index, file, problems, what="via place")
    got = _collect(len(table), parts, table.index)
    return pd.DataFrame(
        {VIA_IDS: got["ids"], VIA_NAMES: got["names"], VIA_POINTS: got["points"]},
        index=table.index,
    )
