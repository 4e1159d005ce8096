"""The ledger's use of the world tables (issue 10), kept out of geo/ledger.py.

- :func:`resolve_ends`: names of ``transfers.csv`` that the gazetteer does
  not know, or finds ambiguous, are resolved through :mod:`geo.resolve` with
  the other places of the same transfer as country and distance context.
  The gazetteer keeps precedence.
- :func:`serves_warnings`: an air or sea leg that starts or ends at a city
  which a curated base stands for (``geo/data/world/serves.csv``: Latakia ->
  Khmeimim AB, Tartus -> the naval facility, Benghazi -> Benina / al-Khadim)
  gets a warning naming the base.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from geo._errors import Problem
from geo.columns import (
    FROM,
    FROM_ID,
    LAT,
    LON,
    MODE,
    PLACE_COUNTRY,
    PLACE_NAME,
    PLACE_PRECISION,
    RESOLVE_CANDIDATES,
    RESOLVE_NOTE,
    RESOLVE_PLACE_ID,
    RESOLVE_QUERY,
    RESOLVE_STATUS,
    RESOLVE_SUGGESTIONS,
    SOURCE_LINE,
    TO,
    TO_ID,
)
from geo.translit import fold

if TYPE_CHECKING:
    from geo.geocode import PlaceIndex

__all__ = [
    "referenced_place",
    "resolve_ends",
    "serves_warnings",
    "with_world_places",
    "world_reference",
]

#: Leg mode -> the kind of base a city name may stand for.
_MODE_KIND = {"air": "airfield", "sea": "port"}


def resolve_ends(
    distinct: pd.Series, query: pd.Series, transfer: np.ndarray, index: PlaceIndex
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Resolve the ledger's distinct place names, in their transfers' context.

    Parameters
    ----------
    distinct
        The distinct names to resolve.
    query
        The name of every leg end (NaN where there is none), aligned with
        ``transfer``.
    transfer
        The transfer id of every leg end.
    index
        The gazetteer.

    Returns
    -------
    (pandas.DataFrame, pandas.DataFrame)
        The answers, one row per distinct name, with the columns of
        :meth:`geo.geocode.PlaceIndex.resolve` (world places have ids such
        as ``"ourairports:HL59"``); and the place table to look ids up in:
        the gazetteer plus the world places used (``PLACE_NAME``, ``LAT``,
        ``LON``, ``PLACE_PRECISION``, ``PLACE_COUNTRY``).

    """
    from geo.resolve import resolve

    first = index.resolve(distinct).reset_index(drop=True)
    first[RESOLVE_NOTE] = ""  # why a name stays unknown, when that is worth saying
    cols = [PLACE_NAME, LAT, LON, PLACE_PRECISION, PLACE_COUNTRY]
    places = pd.DataFrame(index.places[cols])
    pending = first[RESOLVE_STATUS] != "ok"
    if not pending.any():
        return first, places
    # Context of a name: the gazetteer places of every transfer it is in.
    ok_id = dict(zip(first[RESOLVE_QUERY], first[RESOLVE_PLACE_ID], strict=True))
    members: dict[object, set[str]] = defaultdict(set)
    names_in: dict[str, set[object]] = defaultdict(set)
    for name, tid in zip(query, transfer, strict=True):
        if isinstance(name, str):
            names_in[name].add(tid)
            if ok_id.get(name):
                members[tid].add(ok_id[name])
    rows = first.to_dict("records")
    extra: dict[str, dict[str, object]] = {}
    todo = list(np.flatnonzero(pending.to_numpy()))
    # A world place named by its id ("ourairports:HLLQ", or "Al Abraq
    # International Airport (ourairports:HLLQ)" as movemap extract and the
    # hints below write it) is that place: no look-up, no guess.
    for i in list(todo):
        name = rows[i][RESOLVE_QUERY]
        ref = world_reference(name)
        if ref is None:
            continue
        todo.remove(i)
        p, agrees = referenced_place(ref)
        if p is None:
            continue  # stays unknown: no world place has that id
        if not agrees:
            # The name and the id disagree: which one was meant is the user's call.
            rows[i][RESOLVE_SUGGESTIONS] = (f"{p.name} ({p.id})",)
            continue
        _accept(rows[i], p, names_in.get(name, ()), members, places, extra)
    # Two rounds: names the world tables resolve in the first round are
    # context for the others in the second (Moscow -> al-Khadim -> Bamako).
    for last in (False, True):
        table = pd.concat([places, pd.DataFrame.from_dict(extra, orient="index")])
        for i in list(todo):
            name = rows[i][RESOLVE_QUERY]
            ids = sorted({p for t in names_in.get(name, ()) for p in members[t]})
            # (a place resolved earlier in this round joins the context next round)
            ctx = table.reindex(ids).dropna(subset=[LAT]) if ids else table.iloc[:0]
            point = ctx[ctx[PLACE_PRECISION].isin(["site", "city"])]
            r = resolve(
                [name],
                context=sorted(set(ctx[PLACE_COUNTRY])),
                near=list(zip(point[LON], point[LAT], strict=True)),
                index=index,
                suggest=last,
            )[0]
            if r.status == "ok" and r.candidates[0].how not in _LOOSE:
                _accept(rows[i], r.candidates[0], names_in.get(name, ()), members, places, extra)
                if r.notes:  # "Atlantis airport": placed at the town (a warning)
                    rows[i][RESOLVE_NOTE] = "; ".join(r.notes)
                todo.remove(i)
            elif not last:
                continue
            elif r.status == "unknown" and r.notes:
                # "atlantis_ab": a town of that name, but no base (geo.resolve)
                rows[i][RESOLVE_NOTE] = "; ".join(r.notes) + "; "
                rows[i][RESOLVE_SUGGESTIONS] = _merged(
                    rows[i].get(RESOLVE_SUGGESTIONS), (_label(c) for c in r.suggestions),
                    query=name,
                )
            elif r.status != "unknown" and all(c.how in _LOOSE for c in r.candidates):
                # A spelling matched only loosely is not written into the record
                # silently: it is an unknown name with the match as suggestion.
                # The curated gazetteer's own close names come first ("Khmeimm" ->
                # Khmeimim Air Base before a world town matching its consonants).
                rows[i][RESOLVE_SUGGESTIONS] = _merged(
                    rows[i].get(RESOLVE_SUGGESTIONS), (_label(c) for c in r.candidates[:3]),
                    query=name,
                )
            elif r.status == "ambiguous":
                rows[i].update(
                    {
                        RESOLVE_STATUS: "ambiguous",
                        RESOLVE_CANDIDATES: tuple(c.id for c in r.candidates),
                    }
                )
            else:
                rows[i][RESOLVE_SUGGESTIONS] = _merged(
                    rows[i].get(RESOLVE_SUGGESTIONS), (_label(c) for c in r.suggestions),
                    query=name,
                )
    out = pd.DataFrame(rows, columns=first.columns)
    if extra:
        places = pd.concat([places, pd.DataFrame.from_dict(extra, orient="index")])
    return out, places


def _accept(
    row: dict[str, object],
    p: object,
    transfers: Iterable[object],
    members: dict[object, set[str]],
    places: pd.DataFrame,
    extra: dict[str, dict[str, object]],
) -> None:
    """Answer ``row`` with the world place ``p``; it joins its transfers' context."""
    pid = p.id  # type: ignore[attr-defined]
    row.update({RESOLVE_STATUS: "ok", RESOLVE_PLACE_ID: pid})
    for t in transfers:
        members[t].add(pid)
    if pid not in places.index:
        extra[pid] = {
            PLACE_NAME: p.name,  # type: ignore[attr-defined]
            LAT: p.lat,  # type: ignore[attr-defined]
            LON: p.lon,  # type: ignore[attr-defined]
            PLACE_PRECISION: p.precision,  # type: ignore[attr-defined]
            PLACE_COUNTRY: p.country,  # type: ignore[attr-defined]
        }


#: "table:record", alone or after a name in brackets: a world place by its id.
_WORLD_REF = re.compile(
    r"^\s*(?:(?P<label>[^()]*?\S)\s*\(\s*(?P<inner>[a-z]+:[^\s()]+)\s*\)|(?P<bare>[a-z]+:[^\s()]+))\s*$"
)


def world_reference(text: object) -> tuple[str | None, str] | None:
    """Return ``(name or None, world id)`` when ``text`` names a world place by its id.

    ``"ourairports:HLLQ"`` gives ``(None, "ourairports:HLLQ")``; ``"Al Abraq
    International Airport (ourairports:HLLQ)"`` gives the name and the id.
    Only the world tables' own prefixes count (``geo.world``): a gazetteer
    id never has a colon.
    """
    if not isinstance(text, str) or ":" not in text:
        return None
    m = _WORLD_REF.match(text)
    if m is None:
        return None
    from geo.world import WORLD_TABLES

    pid = m["inner"] or m["bare"]
    if pid.partition(":")[0] not in WORLD_TABLES:
        return None
    return m["label"], pid


def referenced_place(ref: tuple[str | None, str]) -> tuple[Any, bool]:
    """Return the world place a :func:`world_reference` names, and whether its name agrees.

    ``(None, False)`` when no world place has the id; the name agrees when
    none was given or it folds to the place's own name.
    """
    from geo.world import world_tables

    label, pid = ref
    p = world_tables().get(pid)
    if p is None:
        return None, False
    return p, label is None or fold(label) == fold(p.name)


#: How a name matched that the ledger does not accept without the user's word.
_LOOSE = ("skeleton", "part", "fuzzy")


def _merged(gazetteer: object, world: Iterable[str], *, query: str,
            most: int = 3) -> tuple[str, ...]:
    """Return the gazetteer's suggestions first, then the world's, without repeats.

    Only those close to ``query`` (:data:`geo.resolve.suggest.SUGGEST_FLOOR`):
    "Atlantisville" suggests nothing rather than "Gorelovo Aerodrome"; and only
    those within :data:`geo.resolve.suggest.SUGGEST_SPREAD` of the closest:
    "Zuwarra Airprt" suggests Zuwara Airport (93), not also Zarpara Airport (83).
    """
    from geo.resolve.suggest import SUGGEST_FLOOR, SUGGEST_SPREAD, closeness

    first = tuple(gazetteer) if isinstance(gazetteer, (tuple, list)) else ()
    scored = [(s, closeness(query, s)) for s in dict.fromkeys((*first, *world))]
    best = max((c for _, c in scored), default=0.0)
    close = [s for s, c in scored if c >= max(SUGGEST_FLOOR, best - SUGGEST_SPREAD)]
    return tuple(close)[:most]


def _label(c: object) -> str:
    """Show a suggestion as in a hint: the gazetteer name, or 'name (world id)'."""
    if c.table == "gazetteer":  # type: ignore[attr-defined]
        return str(c.name)  # type: ignore[attr-defined]
    return f"{c.name} ({c.id})"  # type: ignore[attr-defined]


def serves_warnings(legs: pd.DataFrame, file: str) -> list[Problem]:
    """Warn on air and sea legs whose end is a city that stands for a base.

    Parameters
    ----------
    legs
        Legs with ``MODE``, ``FROM_ID``, ``TO_ID``, ``SOURCE_LINE``.
    file
        transfers.csv as the user typed it.

    Returns
    -------
    list of Problem
        One warning per such leg end, naming the base(s) and their ids.

    """
    from geo.resolve import load_serves

    bases: dict[tuple[str, str], list[str]] = defaultdict(list)
    for city, base, kind in load_serves():
        bases[(city, kind)].append(base)
    # Only the leg ends that name such a city are looked at one by one.
    mode = legs[MODE].to_numpy(dtype=object)
    hits = []
    for k, (col, id_col) in enumerate(((FROM, FROM_ID), (TO, TO_ID))):
        ids = pd.Series(legs[id_col].to_numpy(dtype=object), dtype=object)
        if {c for c, _ in bases} & {"None", "nan", "NaN", "<NA>"}:
            ids = ids.astype(str)  # a missing id reads as that text
        found = np.zeros(len(legs), dtype=bool)
        for mode_name, kind_name in _MODE_KIND.items():
            cities = {c for c, t in bases if t == kind_name}
            if cities:
                found |= (mode == mode_name) & ids.isin(cities).to_numpy(dtype=bool)
        hits += [(int(i), k, col, id_col) for i in np.flatnonzero(found)]
    out: list[Problem] = []
    cells = {c: legs[c].to_numpy(dtype=object) for c in (MODE, FROM, TO, FROM_ID, TO_ID)}
    lines = legs[SOURCE_LINE].to_numpy()
    for i, _k, col, id_col in sorted(hits):
        pid, mode = cells[id_col][i], cells[MODE][i]
        found = bases[(str(pid), _MODE_KIND[str(mode)])]
        out.append(
            Problem(
                file,
                int(lines[i]),
                col,
                cells[col][i],
                f"{mode} leg names the city {pid!r}, which reports often use for "
                + " or ".join(repr(b) for b in found),
                "if the report means the base, write its id; if it means the city, "
                "keep it (this is a reminder)",
                severity="warning",
            )
        )
    return out


#: Note of a place the ledger takes from the world tables.
WORLD_NOTE = "from movemap's world tables (not in gazetteer.csv)"


def with_world_places(places: Any, legs: pd.DataFrame) -> Any:
    """Return ``places`` (the gazetteer) plus the world-table places the legs' ends name.

    A leg end resolved through the world tables ("Conakry (unlocode:GNCKY)",
    or a name only they know) has a world id such as ``unlocode:GNCKY``;
    the maps, the exports and the briefing draw, list and label it like a
    gazetteer place, with the world tables' name, kind, country, precision
    and source, and :data:`WORLD_NOTE`.  ``source_line`` is 0 (no line of
    gazetteer.csv).  The same ``places`` object when no leg names one.
    """
    import geopandas as gpd

    from geo.columns import FROM_ID, TO_ID
    from geo.resolve.places import gazetteer_kind
    from geo.world import world_tables

    ids = pd.unique(pd.concat([legs[FROM_ID], legs[TO_ID]]).dropna().astype(str).to_numpy())
    wanted = sorted(i for i in ids if i not in places.index and world_reference(i) is not None)
    found = [p for p in map(world_tables().get, wanted) if p is not None]
    if not found:
        return places
    rows = pd.DataFrame({
        "id": [p.id for p in found],
        "name": [p.name for p in found],
        "aliases": [() for _ in found],
        "kind": [gazetteer_kind(p.kind, p.sub) for p in found],
        "country": [p.country for p in found],
        "lat": [float(p.lat) for p in found],
        "lon": [float(p.lon) for p in found],
        "precision": [p.precision for p in found],
        "coord_source": [p.source for p in found],
        "note": WORLD_NOTE,
        "shared_aliases": [() for _ in found],
        "source_line": 0,
    })  # fmt: skip
    rows = rows[[c for c in places.columns if c != places.geometry.name]]
    rows[places.geometry.name] = gpd.points_from_xy(rows["lon"], rows["lat"])
    world = gpd.GeoDataFrame(rows, geometry=places.geometry.name, crs=places.crs)
    world = world.set_index("id", drop=False)
    world.index.name = places.index.name
    return pd.concat([places, world])
