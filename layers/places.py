"""The places layer: gazetteer points and unknown stops the legs touch.

Only places some leg starts or ends at are drawn (the gazetteer also
holds places no report mentions).  Symbols say how precise a point is;
an unknown stop ("?base housing ...") gets a hollow dashed ring at the
position the line was given.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
import shapely
from folium.template import Template
from geopandas import GeoDataFrame

from geo import columns as col
from geo.distinct import distinct_objects
from layers._element import MovemapElement
from layers.escape import Numbers

__all__ = ["PLACE_STYLE", "PlacesLayer", "place_ends", "places_payload"]

#: Marker style per place precision (and for unknown stops).
PLACE_STYLE: dict[str, dict[str, Any]] = {
    "site": {"radius": 5, "color": "#1a1a1a", "fill": "#1a1a1a", "weight": 1.5},
    "city": {"radius": 5, "color": "#1a1a1a", "fill": "#1a1a1a", "weight": 1.5},
    "region": {"radius": 7, "color": "#1a1a1a", "fill": "#bdbdbd", "weight": 2},
    "country": {"radius": 8, "color": "#1a1a1a", "fill": "#ffffff", "weight": 2, "dash": "3 3"},
    # A ring (no fill): it may circle an area point at the same position.
    "unknown": {
        "radius": 8,
        "color": "#7a0177",
        "fill": "#ffffff",
        "fill_opacity": 0,
        "weight": 2.5,
        "dash": "3 2",
    },
}

_KEY = "_place_key"
_ROW = "_row"
_END = "_end"  # 0 = the leg departs here, 1 = it arrives


def place_ends(
    legs: GeoDataFrame,
    zone_ids: set[str],
    *,
    line_ends: tuple[np.ndarray, np.ndarray] | None = None,
) -> pd.DataFrame:
    """One row per leg end: which place it is and its zone on that date.

    Parameters
    ----------
    legs
        Dataset legs with a fresh 0..n-1 index (positions in the payload).
    zone_ids
        Ids of the mapped zones; other zone values mean "outside".
    line_ends
        :func:`_line_ends` of the legs' geometry, when the caller has it.

    Returns
    -------
    pandas.DataFrame
        Columns ``_row``, ``_end``, ``_place_key`` (place id, or
        ``"?name@lat,lon"`` for an unknown stop), ``unknown``, name, lat,
        lon, precision and zone id.

    """
    first, last = _line_ends(legs.geometry.to_numpy()) if line_ends is None else line_ends
    frames = []
    for end, (id_col, name_col, unk_col, zone_col, prec_col, xy) in enumerate(
        [
            (
                col.FROM_ID,
                col.FROM_NAME,
                col.FROM_UNKNOWN,
                col.FROM_ZONE,
                col.FROM_PRECISION,
                first,
            ),
            (col.TO_ID, col.TO_NAME, col.TO_UNKNOWN, col.TO_ZONE, col.TO_PRECISION, last),
        ]
    ):
        lon, lat = xy[:, 0].copy(), xy[:, 1].copy()
        unknown = legs[unk_col].fillna(False).astype(bool).to_numpy()
        if col.LINE_METHOD in legs:
            # The loose end of a stub is no place: it marks "not reported".
            stub = legs[col.LINE_METHOD].eq("stub").to_numpy() & unknown
            lon[stub] = np.nan
            lat[stub] = np.nan
        zone = _string_objects(legs[zone_col])
        frame = pd.DataFrame(
            {
                _ROW: np.arange(len(legs)),
                _END: end,
                "unknown": unknown,
                "place_id": _string_objects(legs[id_col]),
                "name": _string_objects(legs[name_col]),
                col.LAT: np.round(lat, 4),
                col.LON: np.round(lon, 4),
                col.PLACE_PRECISION: _string_objects(legs[prec_col]),
                col.ZONE_ID: np.where(
                    pd.Series(zone).isin(zone_ids).to_numpy(), zone, col.OUTSIDE_ZONES
                ),
            }
        )
        frames.append(frame)
    ends = pd.concat(frames, ignore_index=True)
    # Unknown stops are keyed by name and position (worded only where used).
    unk = ends[ends["unknown"]]
    unk_key = (
        "?"
        + unk["name"].fillna("")
        + "@"
        + unk[col.LAT].astype(str)
        + ","
        + unk[col.LON].astype(str)
    )
    key = ends["place_id"].copy()
    key[ends["unknown"].to_numpy()] = unk_key.to_numpy()
    ends[_KEY] = key
    # An unknown stop with no position, or a known place with no id, has no marker.
    drawable = ends[_KEY].notna() & ~(ends["unknown"] & ends[col.LAT].isna())
    return ends[drawable].sort_values([_KEY, _ROW, _END]).reset_index(drop=True)


def _line_ends(geoms: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """First and last vertex (x, y) of each LineString; NaN for anything else.

    As ``shapely.get_point(geoms, 0)`` / ``(geoms, -1)`` (which return no
    point for a missing, empty or multi-part geometry), from one pass over
    the coordinates instead of a new point geometry per leg end.
    """
    # Legs of one route share their line object (geo.lines): each object read once.
    geoms, of = distinct_objects(np.asarray(geoms, dtype=object))
    first = np.full((len(geoms), 2), np.nan)
    last = np.full((len(geoms), 2), np.nan)
    ok = np.isin(shapely.get_type_id(geoms), (1, 2)) & ~shapely.is_empty(geoms)
    if ok.any():
        lines = geoms[ok]
        xy = shapely.get_coordinates(lines)
        stops = np.cumsum(shapely.get_num_coordinates(lines)) - 1  # each line's last vertex
        first[ok] = xy[np.r_[0, stops[:-1] + 1]]
        last[ok] = xy[stops]
    return first[of], last[of]


def _string_objects(values: pd.Series) -> np.ndarray:
    """``values.astype("string").to_numpy()`` (an object array, ``pd.NA`` for missing).

    Each distinct value converted once, and no string column made and read
    back (eight per build: ~0.1 CPU s at 100,000 legs).
    """
    codes, uniques = pd.factorize(values, use_na_sentinel=True)
    text = pd.Series(uniques, dtype=object).astype("string").to_numpy(dtype=object)
    return np.append(text, pd.NA)[codes]  # code -1 (missing): the last slot, NA


def places_payload(
    places: GeoDataFrame,
    legs: GeoDataFrame,
    zone_keys: dict[str, int],
    *,
    ends: pd.DataFrame | None = None,
) -> list[dict[str, Any]]:
    """Build the page data for the places layer.

    Parameters
    ----------
    places
        Gazetteer points (indexed by place id).
    legs
        The legs on this map, with a fresh 0..n-1 index.
    zone_keys
        Zone id -> position in the page's zone list.
    ends
        :func:`place_ends` of ``legs`` when already computed (a build
        computes them once for every leg and subsets them per map).

    Returns
    -------
    list of dict
        One item per place touched by a leg: gazetteer places, then
        unknown stops, each sorted by key: gazetteer fields, ``legs`` (leg
        positions), ``ends`` (0 departs / 1 arrives) and ``zones`` (the
        zone ids the place is in on the dates of its legs).

    """
    if ends is None:
        ends = place_ends(legs, set(zone_keys))
    if ends.empty:
        return []
    gaz = places.reset_index(drop=True).set_index(col.PLACE_ID, drop=False)
    items: list[dict[str, Any]] = []
    # Plain arrays, read by each place's positions (not one Series per place).
    rows = ends[_ROW].to_numpy().astype(int)
    end_of = ends[_END].to_numpy().astype(int)
    zone_of = ends[col.ZONE_ID].to_numpy(dtype=object)
    unknown_of = ends["unknown"].to_numpy()
    name_of = ends["name"].to_numpy(dtype=object)
    precision_of = ends[col.PLACE_PRECISION].to_numpy(dtype=object)
    lat_of, lon_of = ends[col.LAT].to_numpy(), ends[col.LON].to_numpy()
    groups = ends.groupby(_KEY, sort=True).indices  # key -> its rows, in order
    for key in sorted(groups):
        at = groups[key]
        first = at[0]
        unknown = bool(unknown_of[first])
        zones = sorted({z if z in zone_keys else col.OUTSIDE_ZONES for z in zone_of[at]})
        item: dict[str, Any] = {
            "key": str(key),
            "unknown": unknown,
            "legs": Numbers(rows[at].tolist()),
            "ends": Numbers(end_of[at].tolist()),
            "zones": zones,
        }
        if not unknown and key in gaz.index:
            row = gaz.loc[key]
            item.update(
                id=str(key),
                name=_text(row[col.PLACE_NAME]),
                kind=_text(row.get(col.PLACE_KIND)),
                country=_text(row.get(col.PLACE_COUNTRY)),
                precision=_text(row.get(col.PLACE_PRECISION)) or "site",
                coord_source=_text(row.get(col.COORD_SOURCE)),
                note=_text(row.get(col.PLACE_NOTE)),
                lat=round(float(row[col.LAT]), 4),
                lon=round(float(row[col.LON]), 4),
            )
        else:
            # The first end with a position (a leg that cannot be drawn has none).
            drawn = at[~(pd.isna(lat_of[at]) | pd.isna(lon_of[at]))]
            if not len(drawn):
                continue
            first = drawn[0]
            lat, lon = lat_of[first], lon_of[first]
            item.update(
                id=None,
                name=_text(name_of[first]) or "unknown stop",
                kind="unknown stop",
                country=None,
                precision=_text(precision_of[first]) or "unknown",
                coord_source="position inferred from the route",
                note="The reporting does not name this place; the marker is approximate.",
                lat=float(lat),
                lon=float(lon),
            )
        items.append(item)
    # Unknown stops last, so they are drawn over a gazetteer area point
    # they share a position with ("?base @ western_libya").
    return sorted(items, key=lambda it: (it["unknown"], it["key"]))


def _text(value: Any) -> str | None:
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return None
    return str(value)


class PlacesLayer(MovemapElement):
    """Leaflet layer of place markers (canvas, one group).

    Parameters
    ----------
    data
        ``{"items": places_payload(...), "labels": n}`` (permanent labels for the
        ``n`` busiest places; ``true``: all).

    """

    _name = "Places"
    _template = Template(
        """
        {% macro script(this, kwargs) %}
        movemap.addPlaces({{ this._parent.get_name() }}, {{ this.json() }});
        {% endmacro %}
        """
    )
