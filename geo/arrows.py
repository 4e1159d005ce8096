"""Marks along legs' geodesics: arrowheads and label points."""

from __future__ import annotations

from typing import Literal

import geopandas as gpd
import numpy as np
import numpy.typing as npt
import pandas as pd
import pyproj
import shapely

from geo import columns as col
from geo import settings
from geo._karney import _wrap180

__all__ = ["arrowheads", "leg_midpoints"]

FloatArray = npt.NDArray[np.float64]

_GEOD = pyproj.Geod(ellps=settings.ELLPS)


def _along(
    lines: gpd.GeoDataFrame, position: float | Literal["end"]
) -> tuple[npt.NDArray[np.bool_], FloatArray, FloatArray, FloatArray, FloatArray]:
    """Point at a fraction of each drawable line's geodesic, and azimuth there.

    Returns ``(mask, lon, lat, azimuth, length_m)`` for the rows in ``mask``
    (a geometry with two distinct ends); ``lon`` is continuous with the
    line's own first vertex.
    """
    geoms = lines.geometry.to_numpy()
    ok = ~shapely.is_missing(geoms) & ~shapely.is_empty(geoms)
    p0 = shapely.get_point(geoms[ok], 0)
    p1 = shapely.get_point(geoms[ok], -1)
    x0, y0 = shapely.get_x(p0), shapely.get_y(p0)
    x1, y1 = shapely.get_x(p1), shapely.get_y(p1)
    az, baz, dist = _GEOD.inv(x0, y0, x1, y1)
    dist = np.asarray(dist, float)
    keep = dist >= settings.ZERO_LENGTH_KM * 1000.0
    mask = ok.copy()
    mask[ok] = keep
    x0, y0, x1, y1 = x0[keep], y0[keep], x1[keep], y1[keep]
    az, baz, dist = np.asarray(az)[keep], np.asarray(baz)[keep], dist[keep]
    if position == "end":
        lon, lat, fwd_az = x1, y1, np.asarray(baz) + 180.0
    else:
        if not 0.0 <= float(position) <= 1.0:
            msg = f"position must be within [0, 1] or 'end', got {position!r}"
            raise ValueError(msg)
        lon, lat, back = _GEOD.fwd(x0, y0, az, float(position) * dist)
        lon = x0 + _wrap180(np.asarray(lon) - x0)  # |lon12| <= 180 on a shortest geodesic
        lat, fwd_az = np.asarray(lat), np.asarray(back) + 180.0
    return mask, lon, lat, np.mod(fwd_az, 360.0), dist


def arrowheads(
    lines: gpd.GeoDataFrame,
    *,
    position: float | Literal["end"] = 0.5,
    size_km: float = settings.ARROW_SIZE_KM,
    half_angle: float = settings.ARROW_HALF_ANGLE_DEG,
) -> gpd.GeoDataFrame:
    """Arrow polygons pointing along each leg's geodesic.

    Parameters
    ----------
    lines
        Output of :func:`geodesic_lines` (any lines with continuous
        longitudes; the arrow follows the geodesic between each line's
        first and last vertex).
    position
        Where the tip sits, as a fraction of the leg's length, or ``"end"``.
    size_km
        Length of the arrow's sides; capped at
        ``settings.ARROW_MAX_FRACTION`` of the leg so short legs keep a
        proportionate arrow.
    half_angle
        Half the opening angle at the tip, degrees.

    Returns
    -------
    geopandas.GeoDataFrame
        One row per leg with a drawable, non-zero-length geometry (index and
        columns of ``lines``): a notched-triangle Polygon in lon/lat (tip,
        barb, notch, barb), continuous with the line's longitudes, and
        ``ARROW_BEARING``, the geodesic's azimuth at the tip. Usable as-is
        by Leaflet (folium) and matplotlib.

    """
    mask, lon, lat, fwd, dist = _along(lines, position)
    size = np.minimum(size_km * 1000.0, settings.ARROW_MAX_FRACTION * dist)
    back = fwd + 180.0
    ring_az = [back - half_angle, back, back + half_angle]
    ring_d = [size, 0.45 * size, size]
    ring = np.empty((len(lon), 5, 2))
    ring[:, 0, 0], ring[:, 0, 1] = lon, lat
    for i, (a, d) in enumerate(zip(ring_az, ring_d, strict=True), start=1):
        bx, by, _ = _GEOD.fwd(lon, lat, a, d)
        ring[:, i, 0] = lon + _wrap180(np.asarray(bx) - lon)
        ring[:, i, 1] = by
    ring[:, 4] = ring[:, 0]
    polys = shapely.polygons(ring)
    out = pd.DataFrame(lines[mask].drop(columns=lines.geometry.name))
    out[col.ARROW_BEARING] = fwd
    return gpd.GeoDataFrame(out, geometry=gpd.GeoSeries(polys, index=out.index), crs=lines.crs)


def leg_midpoints(lines: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Point halfway along each leg's geodesic, for numbered leg labels.

    Parameters
    ----------
    lines
        Output of :func:`geodesic_lines`.

    Returns
    -------
    geopandas.GeoDataFrame
        One row per drawable, non-zero-length leg (index and columns of
        ``lines``): a Point with continuous longitude and ``ARROW_BEARING``,
        the azimuth there (to rotate a label along the line).

    """
    mask, lon, lat, fwd, _ = _along(lines, 0.5)
    out = pd.DataFrame(lines[mask].drop(columns=lines.geometry.name))
    out[col.ARROW_BEARING] = fwd
    return gpd.GeoDataFrame(
        out, geometry=gpd.GeoSeries(shapely.points(lon, lat), index=out.index), crs=lines.crs
    )
