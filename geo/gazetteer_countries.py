"""The gazetteer's points against country polygons.

A latitude out of range (with a hint when swapping lat and lon puts the
point in its country), and points farther than
``settings.COUNTRY_TOLERANCE_KM`` outside their country's polygon.
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from pyproj import Geod

from geo import settings
from geo._errors import Problem
from geo.columns import (
    LAT,
    LON,
    PLACE_COUNTRY,
    SOURCE_LINE,
)
from geo.gazetteer_checks import _LAT_RANGE_HINT, _add

__all__: list[str] = []  # used by geo.gazetteer.read_gazetteer only
_COORDS = f"{LAT}/{LON}"  # column label of problems about the point as a whole
_GEOD = Geod(ellps=settings.ELLPS)


def _check_lat_range(
    table: pd.DataFrame,
    lat: np.ndarray,
    lon: np.ndarray,
    rows: np.ndarray,
    countries: gpd.GeoDataFrame,
    file: str,
    problems: list[Problem],
) -> None:
    """Report latitudes out of range; say "swapped" only if (lon, lat) lies in the country."""
    codes = table[PLACE_COUNTRY].to_numpy()
    idx = np.flatnonzero(rows)
    fits = np.zeros(len(idx), dtype=bool)
    known = np.isin(codes[idx], countries["iso_a2"].to_numpy())
    if known.any():
        k = idx[known]
        shapes = {
            code: shapely.union_all(g.to_numpy())
            for code, g in countries[countries["iso_a2"].isin(set(codes[k]))]
            .groupby("iso_a2", sort=True)
            .geometry
        }
        polys = np.array([shapes[c] for c in codes[k]], dtype=object)
        km = _distance_km(shapely.points(lat[k], lon[k]), polys)
        fits[known] = km <= settings.COUNTRY_TOLERANCE_KM
    for j, i in enumerate(idx):
        hint = (
            f"lat and lon look swapped: ({lon[i]:g}, {lat[i]:g}) lies in {codes[i]}"
            if fits[j]
            else _LAT_RANGE_HINT
        )
        problems.append(
            Problem(
                file,
                int(table[SOURCE_LINE].iloc[i]),
                LAT,
                table[LAT].iloc[i],
                "latitude out of range [-90, 90]",
                hint,
            )
        )


def _check_in_country(
    table: pd.DataFrame,
    lat: np.ndarray,
    lon: np.ndarray,
    check: np.ndarray,
    countries: gpd.GeoDataFrame,
    file: str,
    problems: list[Problem],
) -> None:
    """Flag points farther than the tolerance from their country's polygon."""
    codes = table[PLACE_COUNTRY].to_numpy()
    wanted = countries[countries["iso_a2"].isin(set(codes[check]) - {""})]
    # One shape per code; only the few codes in use are built (unions are costly).
    shapes = pd.Series(
        {
            code: geoms.iloc[0] if len(geoms) == 1 else shapely.union_all(geoms.to_numpy())
            for code, geoms in wanted.groupby("iso_a2", sort=True).geometry
        },
        dtype=object,
    )
    known = np.isin(codes, shapes.index.to_numpy())
    # Natural Earth leaves some territories without a code: an unmapped code is
    # only a warning, so a valid but unmapped place does not block a run.
    _add(
        problems,
        file,
        table,
        check & ~known & (codes != ""),
        PLACE_COUNTRY,
        None,
        "no country polygon for this code; point not checked",
        "check the code against ISO 3166-1 alpha-2",
        severity="warning",
    )
    rows = np.flatnonzero(check & known)
    if len(rows) == 0:
        return
    polys = shapes.loc[codes[rows]].to_numpy(dtype=object)
    km = _distance_km(shapely.points(lon[rows], lat[rows]), polys)
    far = km > settings.COUNTRY_TOLERANCE_KM
    if not far.any():
        return
    bad = rows[far]
    swapped_ok = np.zeros(len(bad), dtype=bool)
    valid_swap = np.abs(lon[bad]) <= 90
    if valid_swap.any():
        sw = np.flatnonzero(valid_swap)
        swapped_km = _distance_km(shapely.points(lat[bad][sw], lon[bad][sw]), polys[far][sw])
        swapped_ok[sw] = swapped_km <= settings.COUNTRY_TOLERANCE_KM
    where = _country_under(shapely.points(lon[bad], lat[bad]), countries)
    for j, i in enumerate(bad):
        inside = f"it lies in {where[j]}" if where[j] else "it lies in no country (sea?)"
        hint = "lat and lon look swapped" if swapped_ok[j] else "check the coordinates and country"
        problems.append(
            Problem(
                file,
                int(table[SOURCE_LINE].iloc[i]),
                _COORDS,
                (float(lat[i]), float(lon[i])),
                f"point is {km[far][j]:.0f} km outside {codes[i]} "
                f"(tolerance {settings.COUNTRY_TOLERANCE_KM:g} km); {inside}",
                hint,
            )
        )


def _country_under(points: np.ndarray, countries: gpd.GeoDataFrame) -> np.ndarray:
    """ISO code of the polygon containing each point ("" for none; first code on a border)."""
    out = np.full(len(points), "", dtype=object)
    tree = shapely.STRtree(countries.geometry.to_numpy())
    pi, ci = tree.query(points, predicate="intersects")
    hits = pd.DataFrame({"p": pi, "code": countries["iso_a2"].to_numpy()[ci]})
    hits = hits.sort_values(["p", "code"]).drop_duplicates("p")
    out[hits["p"].to_numpy()] = hits["code"].to_numpy()
    return out


def _distance_km(points: np.ndarray, polygons: np.ndarray) -> np.ndarray:
    """Geodesic km from each point to the nearest point of its polygon (0 inside)."""
    out = np.zeros(len(points))
    outside = ~shapely.intersects(points, polygons)
    if outside.any():
        # The nearest point in degrees is close enough to the geodesic nearest
        # at the tolerance scale (tens of km); the distance itself is geodesic.
        seg = shapely.shortest_line(points[outside], polygons[outside])
        xy = shapely.get_coordinates(seg).reshape(-1, 2, 2)
        _, _, m = _GEOD.inv(xy[:, 0, 0], xy[:, 0, 1], xy[:, 1, 0], xy[:, 1, 1])
        out[outside] = m / 1000.0
    return out
