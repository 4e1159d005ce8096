"""The static map's frame: which part of the world it shows, and where legs leave it.

The theatre's extent (fine-grained leg ends, or a zone in focus), the
equirectangular fit to the axes, longitudes unwrapped across the
antimeridian, geometries moved onto the window's copy of the world, the
places legs touch, and where lines to off-map places cross the edge.
"""

from __future__ import annotations

import math
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from geo import columns as col


def _focus_extent(focus: Any) -> tuple[float, float, float, float]:
    """Bounds (x0, x1, y0, y1) of a zone, padded by 15% (at least 0.5 degrees).

    A zone across the antimeridian is framed whole (170 E to 170 W is 20
    degrees wide, not the whole world).
    """
    from layers.payload import unwrap_antimeridian

    b = shapely.bounds(unwrap_antimeridian(focus))
    mx = max((b[2] - b[0]) * 0.15, 0.5)
    my = max((b[3] - b[1]) * 0.15, 0.5)
    return float(b[0] - mx), float(b[2] + mx), float(b[1] - my), float(b[3] + my)


def _extent(legs: gpd.GeoDataFrame, ends: pd.DataFrame) -> tuple[float, float, float, float]:
    """Bounds (x0, x1, y0, y1) of the theatre, padded.

    The theatre is every leg end located better than a whole country: a
    country-level point (the centroid of Russia, of Mali) would stretch the
    map across a continent to show one line's far end, so such lines run
    off the frame instead and are labelled where they leave it. With fewer
    than two such ends, every end and line counts. Country-level ends
    within a quarter of the theatre's size of it are kept (Libya on a map
    of Libya).
    """
    fine = ends[ends[col.PLACE_PRECISION] != "country"] if len(ends) else ends
    xs: list[float] = []
    ys: list[float] = []
    if len(fine) >= 2:
        # Country-level ends near the theatre (Libya on a Libya map) join it.
        bx0, bx1 = fine[col.LON].min(), fine[col.LON].max()
        by0, by1 = fine[col.LAT].min(), fine[col.LAT].max()
        mx, my = max(bx1 - bx0, 4.0) / 4, max(by1 - by0, 4.0) / 4
        near = ends[
            ends[col.LON].between(bx0 - mx, bx1 + mx) & ends[col.LAT].between(by0 - my, by1 + my)
        ]
        xs, ys = list(near[col.LON]), list(near[col.LAT])
    else:
        geoms = legs.geometry.dropna()
        geoms = geoms[~geoms.is_empty]
        if len(geoms):
            b = geoms.total_bounds
            xs += [b[0], b[2]]
            ys += [b[1], b[3]]
        if len(ends):
            lon = ends[col.LON].to_numpy(float)
            if xs:
                centre = (xs[0] + xs[1]) / 2
                lon = lon + 360.0 * np.round((centre - lon) / 360.0)
            xs += list(lon)
            ys += list(ends[col.LAT].to_numpy(float))
    if not xs:
        return (-20.0, 60.0, 0.0, 60.0)
    x0, x1, y0, y1 = min(xs), max(xs), min(ys), max(ys)
    # Pad, and keep at least ~4 degrees so a single short leg has context.
    w, h = max(x1 - x0, 4.0) * 1.16, max(y1 - y0, 4.0) * 1.22
    cx, cy = (x0 + x1) / 2, (y0 + y1) / 2
    return (cx - w / 2, cx + w / 2, max(cy - h / 2, -85.0), min(cy + h / 2, 85.0))


def _off_map(legs: gpd.GeoDataFrame, view: Any) -> pd.DataFrame:
    """Where legs whose end lies outside ``view`` cross its edge.

    Returns one row per off-map place: PLACE_NAME as "to X" / "from X" /
    "X (off map)", and LON/LAT of the crossing nearest that end (of the
    first such leg, in ledger order).
    """
    rows: dict[str, list[Any]] = {}
    edge = view.exterior
    for geom, src, dst in zip(legs.geometry, legs[col.FROM_NAME], legs[col.TO_NAME], strict=True):
        if geom is None or geom.is_empty:
            continue
        for part in getattr(geom, "geoms", [geom]):
            coords = np.asarray(part.coords)[:, :2]
            for end, name, role in ((coords[0], src, "from"), (coords[-1], dst, "to")):
                if view.contains(shapely.Point(end)):
                    continue
                hits = shapely.get_coordinates(part.intersection(edge))
                if len(hits) == 0:
                    continue
                nearest = hits[np.argmin(np.hypot(*(hits - end).T))]
                entry = rows.setdefault(str(name), [set(), nearest])
                entry[0].add(role)
    names, lon, lat = [], [], []
    for name, (roles, point) in rows.items():
        names.append(f"{next(iter(roles))} {name}" if len(roles) == 1 else f"{name} (off map)")
        lon.append(point[0])
        lat.append(point[1])
    return pd.DataFrame({col.PLACE_NAME: names, col.LON: lon, col.LAT: lat})


def _unwrap(lon: np.ndarray) -> np.ndarray:
    """Shift longitudes by 360 so the widest empty gap falls at the seam.

    Points on both sides of the antimeridian (Fiji and Samoa) then sit next
    to each other instead of at opposite edges of the world.
    """
    if len(lon) < 2:
        return lon
    norm = np.mod(lon + 180.0, 360.0) - 180.0
    order = np.sort(norm)
    gaps = np.diff(np.r_[order, order[0] + 360.0])
    seam = order[(np.argmax(gaps) + 1) % len(order)]  # first longitude after the gap
    return np.where(norm < seam, norm + 360.0, norm)


def _fit(
    bounds: tuple[float, float, float, float], box_w_in: float, box_h_in: float
) -> tuple[float, float, float, float]:
    """Grow ``bounds`` to the axes' shape with the equirectangular aspect.

    One degree of latitude is drawn 1/cos(lat0) times as long as one degree
    of longitude, lat0 the centre latitude: true shapes near the centre.
    """
    x0, x1, y0, y1 = bounds
    lat0 = math.radians((y0 + y1) / 2)
    dx, dy = x1 - x0, y1 - y0
    # inches per degree: x -> box_w/dx, y -> box_h/dy; want y = x / cos(lat0)
    want_dx = dy / math.cos(lat0) * box_w_in / box_h_in
    if want_dx > dx:
        cx = (x0 + x1) / 2
        return (cx - want_dx / 2, cx + want_dx / 2, y0, y1)
    want_dy = dx * math.cos(lat0) * box_h_in / box_w_in
    if want_dy > 170.0:  # taller than the world: centre on the equator
        want_dx = max(dx, 170.0 * box_w_in / box_h_in)
        cx = (x0 + x1) / 2
        # A near-square box around legs wider than 170 degrees would reach past
        # the poles (and the scale bar's latitude with it): stop at them, the
        # world a little narrower than true rather than no map.
        want_dy = min(want_dx * box_h_in / box_w_in, 180.0)
        return (cx - want_dx / 2, cx + want_dx / 2, -want_dy / 2, want_dy / 2)
    cy = min(max((y0 + y1) / 2, -85.0 + want_dy / 2), 85.0 - want_dy / 2)
    return (x0, x1, cy - want_dy / 2, cy + want_dy / 2)


def _ends(legs: pd.DataFrame) -> pd.DataFrame:
    """One row per place a leg starts or ends at, with how many legs touch it."""
    parts = []
    for pid, name, lon, lat, prec in (
        (col.FROM_ID, col.FROM_NAME, col.FROM_LON, col.FROM_LAT, col.FROM_PRECISION),
        (col.TO_ID, col.TO_NAME, col.TO_LON, col.TO_LAT, col.TO_PRECISION),
    ):
        part = legs[[pid, name, lon, lat, prec]].copy()
        part.columns = [col.PLACE_ID, col.PLACE_NAME, col.LON, col.LAT, col.PLACE_PRECISION]
        parts.append(part)
    ends = pd.concat(parts, ignore_index=True)
    ends = ends[ends[col.LON].notna() & ends[col.LAT].notna()]
    key = ends[col.PLACE_ID].fillna(ends[col.PLACE_NAME]).astype(str)
    ends = ends.assign(_key=key)
    counts = ends.groupby("_key").size().rename("n_legs")
    ends = ends.drop_duplicates("_key").join(counts, on="_key")
    return ends.sort_values(["n_legs", col.PLACE_NAME], ascending=[False, True], kind="stable")
