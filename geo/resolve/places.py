"""Where candidate places come from: gazetteer rows, world table records, and bases a city serves.

Gazetteer rows and world records become :class:`~geo.resolve.answers.Candidate`
objects here; ``serves.csv`` (Latakia -> Khmeimim AB) is read once.
"""

from __future__ import annotations

from dataclasses import asdict
from functools import lru_cache
from typing import TYPE_CHECKING

from geo.resolve.answers import Candidate
from geo.resolve.query import _Query
from geo.world import WorldPlace, WorldTables, world_tables

if TYPE_CHECKING:
    from geo.gazview import GazetteerView
    from geo.geocode import PlaceIndex

__all__ = [
    "GAZETTEER_KINDS",
    "SERVES_FILE",
    "gazetteer_kind",
    "load_serves",
    "serving",
    "town_airports",
]


#: Gazetteer kind -> world kind ("" = a military base of any kind).
GAZETTEER_KINDS: dict[str, str] = {
    "airbase": "airfield",
    "airport": "airfield",
    "naval_base": "port",
    "port": "port",
    "military_base": "",
    "city": "city",
    "town": "city",
    "region": "region",
    "country": "country",
}
#: World kind -> gazetteer kind (airfields: see :func:`gazetteer_kind`).
_GAZ_KIND = {"port": "port", "city": "city", "region": "region", "country": "country"}


def gazetteer_kind(kind: str, detail: str = "") -> str:
    """Return the gazetteer kind of a world place's ``kind`` (and airfield ``detail``)."""
    if kind == "airfield":
        return "airbase" if "military" in detail else "airport"
    return _GAZ_KIND.get(kind, "region")


#: The curated city -> base relation (geo/data/world/serves.csv).
SERVES_FILE = "serves.csv"
_MAIN_BASE = 0.3


def _gazetteer_candidates(
    queries: dict[str, _Query], gaz: GazetteerView
) -> dict[str, list[Candidate]]:


    out: dict[str, list[Candidate]] = {}
    for n, q in queries.items():
        ids = gaz.ids_for(n)
        how = "name"
        if not ids and q.core and q.core != q.key:
            ids, how = gaz.keys.get(q.core, ()), "core"
        out[n] = [_gazetteer_row(gaz, pid, how) for pid in ids]
    return out


def _as_view(index: PlaceIndex | GazetteerView | None) -> GazetteerView | None:
    from geo.gazview import GazetteerView, view_of

    if index is None or isinstance(index, GazetteerView):
        return index
    return view_of(index)


def serving(
    place_id: str,
    kind: str = "",
    *,
    index: PlaceIndex | GazetteerView | None = None,
    world: WorldTables | None = None,
) -> list[Candidate]:
    """Return the bases a city serves as the name of (``serves.csv``): Latakia -> Khmeimim AB.

    Parameters
    ----------
    place_id
        Gazetteer id of the city.
    kind
        Only bases of this kind (``airfield``, ``port``); ``""`` for all.
    index, world
        Where the bases' ids are looked up (gazetteer ids, then world ids).

    Returns
    -------
    list of Candidate
        Each with ``how="serves"``; empty when the city serves none.

    """
    out = []
    for city, base, base_kind in load_serves():
        if city != place_id or (kind and base_kind != kind):
            continue
        c = _place_by_id(base, index=_as_view(index), world=world)
        if c is not None:
            # the first base listed for a city is its main one
            out.append(Candidate(**{**asdict(c), "how": "serves", "score": -_MAIN_BASE * len(out)}))
    return out


def town_airports(places: list[WorldPlace]) -> list[Candidate]:
    """Return a town's airports with scheduled service as ``serves`` candidates, main first.

    ``places`` are the airports OurAirports gives the town as municipality
    (:meth:`geo.world.WorldTables.serving`). "<town> airport" in a report means
    the town's main airport: the largest first; airports of one size tie.

    Returns
    -------
    list of Candidate
        Each with ``how="serves"``, the first scored highest.

    """
    # Airports of one size tie (Moscow's several large ones): the name stays ambiguous.
    sizes = sorted({p.rank for p in places}, reverse=True)
    ordered = sorted(places, key=lambda p: (-p.rank, p.id))
    return [
        Candidate(
            **{**asdict(_world_candidate(p, "serves")), "score": -_MAIN_BASE * sizes.index(p.rank)}
        )
        for p in ordered
    ]


@lru_cache(maxsize=1)
def load_serves() -> tuple[tuple[str, str, str], ...]:
    """Return the ``(city id, base id, base kind)`` rows of ``geo/data/world/serves.csv``."""
    import csv

    from geo.world import WORLD_DIR

    with open(WORLD_DIR / SERVES_FILE, encoding="utf-8", newline="") as fh:
        return tuple((r["city"], r["base"], r["kind"]) for r in csv.DictReader(fh))


def _place_by_id(
    place_id: str, *, index: GazetteerView | None, world: WorldTables | None
) -> Candidate | None:
    """Return a gazetteer place (by id) or a world place (``table:record``) as a Candidate."""
    if index is not None and place_id in index.rows:
        return _gazetteer_row(index, place_id, "name")
    if ":" in place_id:
        p = (world or world_tables()).get(place_id)
        return _world_candidate(p, "name") if p else None
    return None


def _gazetteer_row(gaz: GazetteerView, pid: str, how: str) -> Candidate:
    row = gaz.rows[pid]
    gk = str(row["kind"])
    return Candidate(
        id=str(pid),
        name=str(row["name"]),
        lat=float(row["lat"]),  # type: ignore[arg-type]
        lon=float(row["lon"]),  # type: ignore[arg-type]
        kind=GAZETTEER_KINDS.get(gk, gk) or gk,
        country=str(row["country"]),
        precision=str(row["precision"]),
        source="gazetteer.csv: " + str(row["coord_source"]),
        detail=gk,
        table="gazetteer",
        how=how,
    )


def _world_candidate(p: WorldPlace, how: str) -> Candidate:
    return Candidate(
        id=p.id,
        name=p.name,
        lat=p.lat,
        lon=p.lon,
        kind=p.kind,
        country=p.country,
        precision=p.precision,
        source=p.source,
        score=p.rank,  # prominence, completed by _score
        detail=p.sub,
        table="world",
        how=how,
    )
