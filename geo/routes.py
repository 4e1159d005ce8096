"""How each leg's line is made: geodesic, sea route or observed track.

:func:`movement_lines` is what the pipeline draws: every leg as a geodesic
(:func:`geo.lines.geodesic_lines`, through via points and to each
alternative end), then

- legs with ``mode=sea`` follow sea lanes: the ``searoute`` package
  (Apache-2.0; Eurostat's SeaRoute marine network) routes every piece
  (origin, via points, destination) with ``append_orig_dest=True`` so the
  line ends at the port. Routes are computed once per distinct point pair
  within a build; ``LENGTH_KM`` becomes the routed length on the WGS84
  ellipsoid; ``LINE_METHOD`` = ``"sea_route"``. A via point (a sea, an
  island) is where the route passes: its own point (maybe an island's
  centre) is not drawn, only the lanes to and from it. A sea leg with an
  end that is an unknown stop stays a geodesic, and ``SEA_ROUTE_FALLBACK``
  says why.
- legs with a ``track`` file are drawn along the observed track;
  ``LINE_METHOD`` = ``"observed"``; ``LENGTH_KM`` is the track's length.

Air, road, rail and unknown-mode legs stay geodesics.
"""

from __future__ import annotations

import itertools
from functools import lru_cache

import geopandas as gpd
import numpy as np
import pandas as pd
import pyproj
import shapely

from geo import columns as col
from geo import settings
from geo.distinct import distinct_objects

__all__ = ["SEA_MODE", "counted_lines", "movement_lines", "sea_route", "transfer_km"]

#: The ledger mode whose legs follow sea lanes.
SEA_MODE = "sea"
_GEOD = pyproj.Geod(ellps=settings.ELLPS)
_ROUND = 5  # cache key: points rounded to ~1 m


def sea_route(origin: tuple[float, float], destination: tuple[float, float]) -> np.ndarray:
    """Sea-lane route between two (lon, lat) points, as an (n, 2) array.

    The first and last vertices are exactly ``origin`` and ``destination``
    (``append_orig_dest=True``). Results are cached per rounded point pair.
    """
    key = (
        round(float(origin[0]), _ROUND),
        round(float(origin[1]), _ROUND),
        round(float(destination[0]), _ROUND),
        round(float(destination[1]), _ROUND),
    )
    return _route(*key)


@lru_cache(maxsize=4096)
def _route(lon1: float, lat1: float, lon2: float, lat2: float) -> np.ndarray:
    import searoute

    if (lon1, lat1) == (lon2, lat2):
        return np.array([[lon1, lat1], [lon2, lat2]])
    feature = searoute.searoute([lon1, lat1], [lon2, lat2], append_orig_dest=True)
    xy = np.asarray(feature["geometry"]["coordinates"], dtype=float)
    xy[0], xy[-1] = (lon1, lat1), (lon2, lat2)
    keep = np.r_[True, (np.diff(xy, axis=0) != 0).any(axis=1)]
    out = xy[keep]
    out.setflags(write=False)
    return out


#: Step (degrees) at which a segment that touches land is resampled.
_COAST_STEP_DEG = 0.01
#: How far (degrees, ~0.5 km) a resampled point on land is moved past the coast.
_COAST_OFFSET_DEG = 0.005
#: Margin (degrees) of the land clipped around a segment to find its coast.
_COAST_MARGIN_DEG = 1.0


def _push_off(pts: np.ndarray, a: np.ndarray, b: np.ndarray, mask: shapely.Geometry) -> np.ndarray:
    """Move the points of segment a-b that lie on land sideways to the water.

    All of one segment's points move to the same side (the side that needs
    the shorter push for the worst point), so the line follows one shore.
    """
    on = shapely.intersects(mask, shapely.points(pts))
    if not on.any():
        return pts
    d = b - a
    normal = np.array([-d[1], d[0]]) / max(float(np.hypot(*d)), 1e-12)
    steps = np.arange(1, int(_COAST_MARGIN_DEG / _COAST_STEP_DEG * 2) + 1) * (_COAST_STEP_DEG / 2)
    best: tuple[float, np.ndarray] | None = None
    for side in (normal, -normal):
        cand = pts[on][:, None, :] + steps[None, :, None] * side[None, None, :]
        wet = ~shapely.intersects(mask, shapely.points(cand.reshape(-1, 2))).reshape(cand.shape[:2])
        if not wet.any(axis=1).all():
            continue
        first = wet.argmax(axis=1)
        worst = float(steps[first].max())
        if best is None or worst < best[0]:
            moved = pts.copy()
            moved[on] = cand[np.arange(len(first)), first] + side * _COAST_OFFSET_DEG
            best = (worst, moved)
    return pts if best is None else best[1]


def _off_land(xy: np.ndarray) -> np.ndarray:
    """Keep a route's straight segments off land (Natural Earth 1:50m).

    The sea-lane network's vertices lie at sea, but a straight segment
    between two of them can cut a cape in a narrow strait (the Dardanelles
    over Gallipoli). Such a segment is resampled every ``_COAST_STEP_DEG``
    and its samples on land are pushed sideways just past the shore
    (:func:`_fixed_segment`, cached: network segments recur across routes).
    The first and last segments (from and to the ports, which may sit on
    land) are left alone.
    """
    from geo.countries import land

    mask = land()
    shapely.prepare(mask)
    segs = shapely.linestrings(np.stack([xy[:-1], xy[1:]], axis=1))
    hit = shapely.intersects(mask, segs)
    hit[0] = hit[-1] = False
    touching = np.flatnonzero(hit)
    if not len(touching):
        return xy
    out: list[np.ndarray] = []
    prev = 0
    for k in touching.tolist():
        out.append(xy[prev : k + 1])
        out.append(_fixed_segment(*xy[k].tolist(), *xy[k + 1].tolist()))
        prev = k + 1
    out.append(xy[prev:])
    return np.concatenate(out)


@lru_cache(maxsize=8192)
def _fixed_segment(ax: float, ay: float, bx: float, by: float, rounds: int = 4) -> np.ndarray:
    """Points (ends excluded) that take segment a-b around the land it crosses."""
    from geo.countries import land

    lo = np.minimum([ax, ay], [bx, by]) - 2 * _COAST_MARGIN_DEG
    hi = np.maximum([ax, ay], [bx, by]) + 2 * _COAST_MARGIN_DEG
    mask = shapely.clip_by_rect(land(), lo[0], lo[1], hi[0], hi[1])
    shapely.prepare(mask)
    xy = np.array([[ax, ay], [bx, by]])
    for _ in range(rounds):
        segs = shapely.linestrings(np.stack([xy[:-1], xy[1:]], axis=1))
        touching = np.flatnonzero(shapely.intersects(mask, segs))
        if not len(touching):
            break
        out: list[np.ndarray] = []
        prev = 0
        for k in touching.tolist():
            out.append(xy[prev : k + 1])
            a, b = xy[k], xy[k + 1]
            n = max(int(np.ceil(np.hypot(*(b - a)) / _COAST_STEP_DEG)), 2)
            pts = a + np.linspace(0.0, 1.0, n + 1)[1:-1, None] * (b - a)
            out.append(_push_off(pts, a, b, mask))
            prev = k + 1
        out.append(xy[prev:])
        xy = np.concatenate(out)
    inner = xy[1:-1].copy()
    inner.setflags(write=False)
    return inner


def _route_path(points: list[tuple[float, float]]) -> np.ndarray:
    """Route through ``points`` in order; via points shape the route but are not drawn."""
    parts = []
    last = len(points) - 2
    for k, (a, b) in enumerate(itertools.pairwise(points)):
        xy = sea_route(a, b)
        if k > 0:  # drop the via point appended at this piece's start
            xy = xy[1:]
        if k < last:  # and at its end
            xy = xy[:-1]
        parts.append(xy)
    xy = _off_land(np.concatenate(parts))
    keep = np.r_[True, (np.diff(xy, axis=0) != 0).any(axis=1)]
    xy = xy[keep]
    # Unroll longitudes so Leaflet draws across the antimeridian.
    xy[:, 0] = np.degrees(np.unwrap(np.radians(xy[:, 0])))
    return xy


def _line_km(geom: shapely.Geometry) -> float:
    return float(_GEOD.geometry_length(geom)) / 1000.0


def movement_lines(
    legs: pd.DataFrame, *, spacing_km: float = settings.VERTEX_SPACING_KM
) -> gpd.GeoDataFrame:
    """Draw every leg the way it moved.

    Parameters
    ----------
    legs
        ``LedgerResult.legs``.
    spacing_km
        Vertex spacing of geodesic lines.

    Returns
    -------
    geopandas.GeoDataFrame
        As :func:`geo.lines.geodesic_lines`, with sea legs routed and tracked
        legs drawn along their track; ``LINE_METHOD`` says which, and
        ``SEA_ROUTE_FALLBACK`` why a sea leg stayed a geodesic (else ``""``).

    """
    from geo.lines import geodesic_lines, with_geometry

    out = geodesic_lines(legs, spacing_km=spacing_km)
    fallback = np.full(len(out), "", dtype=object)
    geometry = out.geometry.to_numpy().copy()
    length = out[col.LENGTH_KM].to_numpy(float).copy()
    method = out[col.LINE_METHOD].to_numpy(object).copy()
    cand = list(out[col.CANDIDATE_KM]) if col.CANDIDATE_KM in out else [()] * len(out)

    sea = (out[col.MODE] == SEA_MODE).to_numpy() if col.MODE in out else np.zeros(len(out), bool)
    track = (
        out[col.TRACK_LINE].notna().to_numpy()
        if col.TRACK_LINE in out
        else np.zeros(len(out), bool)
    )
    from_unknown = out[col.FROM_UNKNOWN].fillna(True).to_numpy(bool)
    to_unknown = out[col.TO_UNKNOWN].fillna(True).to_numpy(bool)
    ends = out[[col.FROM_LON, col.FROM_LAT, col.TO_LON, col.TO_LAT]].to_numpy(float)
    country_end = np.zeros(len(out), bool)
    for c in (col.FROM_PRECISION, col.TO_PRECISION):
        if c in out.columns:
            country_end |= (out[c] == "country").to_numpy(bool)
    f_alt, t_alt, vias = (
        out[c].tolist() if c in out.columns else [()] * len(out)
        for c in (col.FROM_ALT_POINTS, col.TO_ALT_POINTS, col.VIA_POINTS)
    )
    routed: dict[tuple, tuple[object, float, tuple]] = {}  # one route per distinct path
    for i in np.flatnonzero(sea & ~track):
        if geometry[i] is None:
            fallback[i] = "an end is an unknown stop that cannot be placed"
            continue
        if from_unknown[i] or to_unknown[i]:
            fallback[i] = "an end is an unknown stop: not routed"
            continue
        if country_end[i]:
            # A country's point is no port (Iran's lies inland): a route from it
            # would be invented, e.g. Iran -> Russia round Africa and Europe.
            fallback[i] = "an end is a country-level point, not a port: not routed"
            continue
        origins = _tuple(f_alt[i]) or ((ends[i, 0], ends[i, 1]),)
        dests = _tuple(t_alt[i]) or ((ends[i, 2], ends[i, 3]),)
        via = _tuple(vias[i])
        key = (origins, dests, via)
        if key not in routed:
            lines = [
                shapely.linestrings(_route_path([o, *via, d]))
                for o, d in itertools.product(origins, dests)
            ]
            kms = [_line_km(g) for g in lines]
            if len(lines) == 1:
                routed[key] = (lines[0], kms[0], ())
            else:
                routed[key] = (
                    shapely.multilinestrings(lines),
                    min(kms),
                    tuple(round(k, 1) for k in kms),
                )
        geometry[i], length[i], c_km = routed[key]
        if c_km:
            cand[i] = c_km
        method[i] = "sea_route"
    for i in np.flatnonzero(track):
        line = out[col.TRACK_LINE].iloc[i]
        xy = shapely.get_coordinates(line)
        xy[:, 0] = np.degrees(np.unwrap(np.radians(xy[:, 0])))
        geometry[i] = shapely.linestrings(xy)
        length[i] = _line_km(line)
        method[i] = "observed"
        cand[i] = ()

    out = out.copy(deep=False)  # copy-on-write: the columns set below are new
    out[col.LENGTH_KM] = length
    out[col.LINE_METHOD] = method
    out[col.CANDIDATE_KM] = cand
    out[col.SEA_ROUTE_FALLBACK] = pd.Series(fallback, index=out.index, dtype=object)
    changed = (sea | track) & pd.notna(geometry)
    if changed.any():
        # The bearing of a routed or tracked line is that of its first segment.
        # Each distinct line once: legs of one route share its object.
        g, line = distinct_objects(geometry[changed])
        multi = shapely.get_type_id(g) == 5
        g = np.where(multi, shapely.get_geometry(g, 0), g)
        first = shapely.get_coordinates(shapely.get_point(g, 0))
        second = shapely.get_coordinates(shapely.get_point(g, 1))
        az, _, _ = _GEOD.inv(first[:, 0], first[:, 1], second[:, 0], second[:, 1])
        bearing = out[col.BEARING].to_numpy(float).copy()
        bearing[changed] = np.mod(az, 360.0)[line]
        out[col.BEARING] = bearing
    out[col.TRANSFER_KM] = transfer_km(out)
    return with_geometry(out, geometry, crs=out.crs)


def transfer_km(lines: pd.DataFrame) -> np.ndarray:
    """Each leg's ``TRANSFER_KM``: its transfer's ``LENGTH_KM`` added up.

    NaN when no leg of the transfer has a length.  A sum over every leg of
    the transfer: :mod:`geo.engine` recomputes it on the whole table after
    working on partitions, so the float sum is the same as here.
    """
    by_transfer = lines.groupby(col.TRANSFER_ID, sort=False, dropna=False)[col.LENGTH_KM]
    total = by_transfer.transform("sum").to_numpy(float)
    return np.where(by_transfer.transform("count").to_numpy() > 0, total, np.nan)


def counted_lines(lines: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Lines with each alternatives leg reduced to its counted (shortest) candidate.

    Splitting a leg at zone boundaries must not add up every candidate's
    km: this gives :func:`geo.zones.split_by_zone` the one line whose length
    is the leg's ``LENGTH_KM``.
    """
    if col.CANDIDATE_KM not in lines.columns:
        return lines
    cand = lines[col.CANDIDATE_KM].tolist()
    rows = [i for i, t in enumerate(cand) if isinstance(t, tuple) and len(t) > 1]
    if not rows:
        return lines
    geoms = lines.geometry.to_numpy().copy()
    for i in rows:
        if geoms[i] is not None and shapely.get_type_id(geoms[i]) == 5:
            geoms[i] = shapely.get_geometry(geoms[i], int(np.argmin(cand[i])))
    out = lines.copy()
    out[out.geometry.name] = gpd.GeoSeries(geoms, index=out.index, crs=out.crs)
    return out


def _tuple(value: object) -> tuple:
    return value if isinstance(value, tuple) else ()
