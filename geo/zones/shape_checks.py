"""Geometry checks of ``zones.geojson``: each feature's shape, then the file's zones together.

:func:`check_geometry` reads one feature's geometry (polygonal, in range,
not drawn across the antimeridian unsplit, valid or repaired with a
warning); :func:`swapped` finds zones written [lat, lon]; :func:`overlaps`
finds same-country zones overlapping in time and space.  Each returns or
appends :class:`~geo._errors.Problem` s; :func:`geo.zones.read.read_zones`
raises them all at once.
"""

from __future__ import annotations

import json

import geopandas as gpd
import numpy as np
import shapely

from geo import columns as C  # noqa: N812
from geo import settings
from geo._errors import Problem
from geo.zones._common import _CRS, _days

__all__ = ["check_geometry", "overlaps", "swapped"]

#: Equal-area CRS in which overlaps are measured.
_EQUAL_AREA = "EPSG:6933"


def check_geometry(
    fname: str, i: int, geo: object, problems: list[Problem]
) -> shapely.Geometry | None:
    """Read feature ``i``'s GeoJSON geometry; append its problems, return it or ``None``.

    ``None`` when the geometry cannot be used (not polygonal, unreadable,
    empty, out of range, drawn across the antimeridian unsplit, invalid
    beyond repair: each an error); an invalid polygon that repairs into an
    area is returned repaired, with a warning.
    """

    def bad(value: object, message: str, hint: str | None = None, **kw: str) -> None:
        problems.append(Problem(fname, None, "geometry", value, message, hint, feature=i, **kw))

    if not isinstance(geo, dict) or geo.get("type") not in ("Polygon", "MultiPolygon"):
        got = geo.get("type") if isinstance(geo, dict) else geo
        bad(
            got,
            "geometry must be a Polygon or MultiPolygon",
            "draw the zone as a polygon in (lon, lat)",
        )
        return None
    try:
        geom = shapely.from_geojson(json.dumps(geo))
    except (shapely.errors.GEOSException, ValueError, TypeError) as exc:
        bad(
            str(geo)[:60],
            f"unreadable geometry: {exc}",
            "each ring is a closed list of [lon, lat] pairs",
        )
        return None
    if geom.is_empty:
        bad("EMPTY", "geometry is empty", "draw the zone's polygon, or delete the feature")
        return None
    xy = shapely.get_coordinates(geom)
    if not np.isfinite(xy).all() or (np.abs(xy[:, 0]) > 180).any() or (np.abs(xy[:, 1]) > 90).any():
        worst = xy[(np.abs(xy[:, 0]) > 180) | (np.abs(xy[:, 1]) > 90) | ~np.isfinite(xy).all(1)]
        bad(
            tuple(worst[0]),
            "coordinate out of range",
            "coordinates are [lon, lat] with -180<=lon<=180, -90<=lat<=90"
            + (_UNSPLIT_HINT if _drawn_past_180(xy) else ""),
        )
        return None
    jump = _antimeridian_jump(geom)
    if jump is not None:
        bad(
            jump,
            "a ring jumps across the antimeridian the long way round (an edge more than "
            "180 degrees of longitude wide, read as a band around the world)",
            "split the polygon at +-180 into a MultiPolygon, one part on each side "
            "(RFC 7946 section 3.1.9), with vertices on the meridian itself",
        )
        return None
    if not geom.is_valid:
        reason = shapely.is_valid_reason(geom)
        fixed = _polygonal(shapely.make_valid(geom))
        if fixed is None:
            bad(
                reason, "invalid polygon that cannot be repaired into an area", "redraw the polygon"
            )
            return None
        bad(
            reason,
            "invalid polygon repaired with make_valid",
            "fix the rings (no self-intersections) to silence this",
            severity="warning",
        )
        geom = fixed
    return geom


_UNSPLIT_HINT = (
    "; longitudes past 180 in an otherwise valid polygon mean it was drawn across the "
    "antimeridian: split it at +-180 into a MultiPolygon, one part on each side (RFC 7946 "
    "section 3.1.9)"
)


def _drawn_past_180(xy: np.ndarray) -> bool:
    """Tell whether the only range problem is longitudes just past +-180 (a map drawn across it)."""
    return bool(
        np.isfinite(xy).all()
        and (np.abs(xy[:, 1]) <= 90).all()
        and (np.abs(xy[:, 0]) <= 360).all()
        and np.ptp(xy[:, 0]) < 180
    )


def _antimeridian_jump(geom: shapely.Geometry) -> tuple[tuple[float, float], ...] | None:
    """Return the first ring edge wider than 180 degrees of longitude, or ``None``.

    Such an edge is a ring drawn across the antimeridian without being
    split there: GEOS takes the polygon the long way round the world.
    Edges along the meridian itself (an end at +-180, as in a polar cap or
    a correctly split ring) are fine.
    """
    rings = shapely.get_rings(shapely.get_parts(geom))
    for ring in rings:
        xy = shapely.get_coordinates(ring)
        x0, x1 = xy[:-1, 0], xy[1:, 0]
        wide = (np.abs(x1 - x0) > 180.0) & (np.abs(x0) < 180.0) & (np.abs(x1) < 180.0)
        if wide.any():
            k = int(np.flatnonzero(wide)[0])
            return (tuple(map(float, xy[k])), tuple(map(float, xy[k + 1])))
    return None


def _polygonal(geom: shapely.Geometry) -> shapely.Geometry | None:
    parts = shapely.get_parts(geom)
    while (shapely.get_type_id(parts) == 7).any():
        parts = shapely.get_parts(parts)
    parts = shapely.get_parts(parts)
    polys = parts[shapely.get_type_id(parts) == 3]
    if len(polys) == 0:
        return None
    out = shapely.union_all(polys)
    return out if not out.is_empty else None


def swapped(fname: str, zones: gpd.GeoDataFrame, countries: gpd.GeoDataFrame) -> list[Problem]:
    """Zones written [lat, lon]: outside their country, but inside it once swapped."""
    if zones.empty:
        return []
    codes = zones[C.ZONE_COUNTRY].to_numpy()
    wanted = countries[countries["iso_a2"].isin(set(codes))]
    shapes = {
        code: shapely.union_all(g.to_numpy())
        for code, g in wanted.groupby("iso_a2", sort=True).geometry
    }
    known = np.array([c in shapes for c in codes], dtype=bool)
    if not known.any():
        return []
    geoms = zones.geometry.to_numpy()[known]
    polys = np.array([shapes[c] for c in codes[known]], dtype=object)
    outside = ~shapely.intersects(geoms, polys)
    if not outside.any():
        return []
    flipped = shapely.transform(geoms[outside], lambda xy: xy[:, ::-1])
    fits = shapely.intersects(flipped, polys[outside])
    rows = np.flatnonzero(known)[outside][fits]
    index = zones.index.to_numpy()
    return [
        Problem(
            fname,
            None,
            "geometry",
            zones[C.ZONE_ID].iloc[r],
            f"zone lies outside {codes[r]} as written, but inside it with each pair "
            "swapped: the coordinates are [lat, lon]",
            "GeoJSON coordinates are [lon, lat] (RFC 7946): swap every pair",
            feature=int(index[r]),
        )
        for r in rows
    ]


def overlaps(fname: str, zones: gpd.GeoDataFrame) -> list[Problem]:
    """Same-country zones overlapping in time and space, neither contested."""
    if len(zones) < 2:
        return []
    geoms = zones.geometry.values
    left, right = shapely.STRtree(geoms).query(geoms, predicate="intersects")
    keep = left < right
    left, right = left[keep], right[keep]
    start = _days(zones[C.VALID_FROM], open_end=False)
    stop = _days(zones[C.VALID_TO], open_end=True)
    country = zones[C.ZONE_COUNTRY].to_numpy()
    contested = zones[C.CONTESTED].to_numpy(bool)
    keep = (
        (country[left] == country[right])
        & (start[left] <= stop[right])
        & (start[right] <= stop[left])
        & ~(contested[left] | contested[right])
    )
    left, right = left[keep], right[keep]
    if not len(left):
        return []
    inter = shapely.intersection(geoms[left], geoms[right])
    km2 = gpd.GeoSeries(inter, crs=_CRS).to_crs(_EQUAL_AREA).area.to_numpy() / 1e6
    ids = zones[C.ZONE_ID].to_numpy()
    index = zones.index.to_numpy()
    return [
        Problem(
            fname,
            None,
            "geometry",
            ids[r],
            f"overlaps zone {ids[lft]!r} (feature {index[lft]}, same country, "
            f"overlapping dates) by {a:.1f} km2",
            "cut one polygon out of the other, make their dates not overlap, "
            "or mark one 'contested': true",
            feature=int(index[r]),
        )
        for lft, r, a in zip(left, right, km2, strict=True)
        if a > settings.ZONE_OVERLAP_TOLERANCE_KM2
    ]
