"""Geodesic movement lines for every leg of the ledger.

A leg is drawn as the shortest path on the WGS84 ellipsoid (the geodesic),
densified so that a web map shows the curve rather than a straight segment
in Web Mercator. Everything is vectorized over all legs at once.

Why not ``pyproj.Geod.fwd`` on the flat array of all vertices: a million
legs between places in Europe, Africa and the Middle East have about 150
million vertices at 25 km, and ``Geod.fwd`` took ~0.46 us per point on the
2-core development machine, over a minute for the vertices alone. The
vertices are instead evaluated with Karney's series for a geodesic line
(C. F. F. Karney, "Algorithms for geodesics", J. Geodesy 87, 2013, the
algorithm behind ``pyproj.Geod``): the constants of each line are computed
once per leg (coefficient tables from GeographicLib, MIT licence, order 6),
and each vertex costs a sine, a cosine, two arctangents and some twenty array
operations. Vertices agree with ``Geod.fwd`` at the same distance to about
a micrometre (tests/test_lines.py checks 1 mm). Lengths and azimuths come
from ``pyproj.Geod.inv``.

Vertices are spaced evenly in arc length on Karney's auxiliary sphere, which
differs from even spacing in metres by at most 0.34 %; the vertex count is
chosen so that no gap exceeds ``spacing_km``.

Longitudes of a line are continuous ("unrolled"): a leg from Vladivostok
(131.9 E) to Anchorage (149.9 W) runs from 131.9 to 210.1, which is what
Leaflet needs to draw it across the date line. :func:`split_antimeridian`
turns such lines into RFC 7946 MultiLineStrings for GeoJSON.

This module builds the lines; the series are in :mod:`geo._karney`, the
cut at the antimeridian in :mod:`geo.antimeridian` and the marks along
legs (:func:`arrowheads`, :func:`leg_midpoints`) in :mod:`geo.arrows`,
all importable from here as before.
"""

from __future__ import annotations

import itertools
from concurrent.futures import ThreadPoolExecutor

import geopandas as gpd
import numpy as np
import numpy.typing as npt
import pandas as pd
import pyproj
import shapely

from geo import columns as col
from geo import settings
from geo._karney import _EP2, _Lines, _wrap180
from geo.antimeridian import split_antimeridian
from geo.arrows import arrowheads, leg_midpoints
from geo.distinct import distinct_routes
from geo.threads import thread_count

__all__ = [
    "arrowheads",
    "geodesic_lines",
    "geodesic_paths",
    "leg_midpoints",
    "leg_paths",
    "split_antimeridian",
]

FloatArray = npt.NDArray[np.float64]

_GEOD = pyproj.Geod(ellps=settings.ELLPS)
_CRS = "EPSG:4326"
_POLE_JUMP_DEG = 179.999

#: Columns :func:`geodesic_lines` reads from the leg table.
_REQUIRED = (
    col.TRANSFER_ID,
    col.LEG,
    col.FROM_LON,
    col.FROM_LAT,
    col.TO_LON,
    col.TO_LAT,
    col.FROM_UNKNOWN,
    col.TO_UNKNOWN,
    col.FROM_PRECISION,
    col.TO_PRECISION,
)

#: Legs per work unit: big enough to amortise numpy call overhead, small
#: enough that the per-vertex temporaries stay in cache-friendly sizes.
_CHUNK_VERTICES = 200_000


# --- densification -----------------------------------------------------------


def _vertex_counts(
    s12: FloatArray, dlon: FloatArray, lines: _Lines, spacing_m: float
) -> npt.NDArray[np.intp]:
    # ds/dsig <= b sqrt(1 + k2) and s12 >= b sig12, so this many segments keep
    # every gap within spacing_m although vertices are even in arc length.
    # Near a pole a short leg can swing through many degrees of longitude:
    # the second bound keeps its lon/lat drawing close to the geodesic too.
    k2 = lines.calp0**2 * _EP2
    nseg = np.maximum(
        np.ceil(s12 * np.sqrt(1.0 + k2) / spacing_m),
        np.ceil(np.abs(dlon) / settings.VERTEX_MAX_DLON_DEG),
    )
    return np.maximum(nseg, 1).astype(np.intp) + 1


def _densify_chunk(
    lon1: FloatArray,
    lat1: FloatArray,
    lon2: FloatArray,
    lat2: FloatArray,
    azi1: FloatArray,
    s12: FloatArray,
    spacing_m: float,
) -> npt.NDArray[np.object_]:
    lines = _Lines(lon1, lat1, azi1, s12)
    nvert = _vertex_counts(s12, _wrap180(lon2 - lon1), lines, spacing_m)
    xy = lines.vertices(nvert)
    ends = np.cumsum(nvert)
    starts = ends - nvert
    # Endpoints are the gazetteer points exactly; the end keeps the unrolled
    # turn (+-360) so the last segment stays short across the date line.
    xy[starts, 0], xy[starts, 1] = lon1, lat1
    last = ends - 1
    xy[last, 0] = lon2 + 360.0 * np.round((xy[last - 1, 0] - lon2) / 360.0)
    xy[last, 1] = lat2
    idx = np.repeat(np.arange(len(nvert)), nvert)
    # A leg straight over a pole swings 180 deg of longitude between two
    # vertices; add the pole under both longitudes so a lon/lat drawing
    # climbs to the pole instead of cutting across at the last latitude.
    # Only a line with sin(alp0) ~ 0 (a meridian) can pass that close to a
    # pole, so ordinary chunks skip the scan.
    j = np.empty(0, dtype=np.intp)
    if np.any(lines.a < 1e-6):
        j = np.flatnonzero((np.abs(np.diff(xy[:, 0])) > _POLE_JUMP_DEG) & (idx[1:] == idx[:-1]))
    if j.size:
        pole = np.copysign(90.0, xy[j, 1] + xy[j + 1, 1])
        extra = np.stack([np.column_stack([xy[j, 0], pole]), np.column_stack([xy[j + 1, 0], pole])])
        # (2, m, 2): skip a pole vertex the sampling already hit; np.insert
        # keeps the before/after pair in order at the same position.
        need = np.stack([xy[j, 1] != pole, xy[j + 1, 1] != pole])
        where = np.broadcast_to(j + 1, need.shape)
        xy = np.insert(xy, where.T[need.T], extra.transpose(1, 0, 2)[need.T], axis=0)
        idx = np.insert(idx, where.T[need.T], np.broadcast_to(idx[j], need.shape).T[need.T])
    return shapely.linestrings(xy, indices=idx)


def _densify(
    lon1: FloatArray,
    lat1: FloatArray,
    lon2: FloatArray,
    lat2: FloatArray,
    azi1: FloatArray,
    s12: FloatArray,
    spacing_m: float,
) -> npt.NDArray[np.object_]:
    """LineStrings of many geodesics, in chunks of about ``_CHUNK_VERTICES`` vertices."""
    n = len(lon1)
    out = np.empty(n, dtype=object)
    if n == 0:
        return out
    # Cheap upper bound on vertices per leg to cut chunks (exact count later).
    est = np.ceil(s12 * 1.0034 / spacing_m) + 2
    est += np.abs(_wrap180(lon2 - lon1)) / settings.VERTEX_MAX_DLON_DEG
    chunk = np.cumsum(est) // _CHUNK_VERTICES
    cuts = [0, *(np.flatnonzero(np.diff(chunk)) + 1).tolist(), n]
    pieces = list(itertools.pairwise(cuts))

    def work(se: tuple[int, int]) -> None:
        s, e = se
        if e > s:
            out[s:e] = _densify_chunk(
                lon1[s:e], lat1[s:e], lon2[s:e], lat2[s:e], azi1[s:e], s12[s:e], spacing_m
            )

    workers = min(len(pieces), thread_count())
    if workers <= 1:
        for p in pieces:
            work(p)
    else:
        # numpy and shapely release the GIL in their array loops; results are
        # written to disjoint slices, so the outcome does not depend on timing.
        with ThreadPoolExecutor(max_workers=workers) as pool:
            list(pool.map(work, pieces))
    return out


# --- unknown stops -----------------------------------------------------------


def _estimate_unknown_stops(
    legs: pd.DataFrame,
) -> tuple[FloatArray, FloatArray, FloatArray, FloatArray]:
    """Drawn (lon, lat) of every leg's ends, with bare unknown stops estimated.

    The ends of all legs of a transfer, in LEG order, form a sequence
    from_0, to_0, from_1, to_1, ...; the stop between legs i and i+1 has
    "boundary" number i+1. A stop without coordinates is put on the geodesic
    between the nearest known stops before and after it in the same
    transfer, at the fraction its boundary number gives: one unknown stop
    lands at the midpoint, two at thirds. Without a known stop on both sides
    it stays NaN.
    """
    n = len(legs)
    order = np.lexsort((legs[col.LEG].to_numpy(), pd.factorize(legs[col.TRANSFER_ID])[0]))
    group = pd.factorize(legs[col.TRANSFER_ID])[0][order]
    xy = np.empty((2 * n, 2))
    xy[0::2, 0] = legs[col.FROM_LON].to_numpy(float)[order]
    xy[0::2, 1] = legs[col.FROM_LAT].to_numpy(float)[order]
    xy[1::2, 0] = legs[col.TO_LON].to_numpy(float)[order]
    xy[1::2, 1] = legs[col.TO_LAT].to_numpy(float)[order]
    grp = np.repeat(group, 2)
    pos = np.arange(2 * n)
    boundary = pos // 2 + pos % 2  # from_i -> i, to_i -> i + 1 (global, only differences matter)
    known = np.isfinite(xy).all(axis=1)
    prev = np.maximum.accumulate(np.where(known, pos, -1))
    nxt = np.minimum.accumulate(np.where(known, pos, 2 * n)[::-1])[::-1]
    ok = (~known) & (prev >= 0) & (nxt < 2 * n)
    ok[ok] = (grp[prev[ok]] == grp[ok]) & (grp[nxt[ok]] == grp[ok])
    if ok.any():
        p, q = prev[ok], nxt[ok]
        frac = (boundary[ok] - boundary[p]) / (boundary[q] - boundary[p])
        az, _, dist = _GEOD.inv(xy[p, 0], xy[p, 1], xy[q, 0], xy[q, 1])
        lon, lat, _ = _GEOD.fwd(xy[p, 0], xy[p, 1], az, frac * dist)
        xy[ok, 0], xy[ok, 1] = lon, lat
    out = np.empty_like(xy)
    out[np.repeat(order, 2) * 2 + np.tile([0, 1], n)] = xy
    return out[0::2, 0], out[0::2, 1], out[1::2, 0], out[1::2, 1]


# --- paths through via points and alternative ends (issue 11) -----------------


def join_pieces(
    pieces: npt.NDArray[np.object_], path_of_piece: npt.NDArray[np.intp], n_paths: int
) -> npt.NDArray[np.object_]:
    """Join consecutive LineString pieces of each path into one LineString.

    The junction vertex is kept once, and each piece is shifted by a
    multiple of 360 degrees so longitudes stay continuous along the path.
    """
    out = np.full(n_paths, None, dtype=object)
    if len(pieces) == 0:
        return out
    xy, which = shapely.get_coordinates(pieces, return_index=True)
    starts = np.searchsorted(which, np.arange(len(pieces)))
    ends = np.r_[starts[1:], len(which)] - 1
    path = path_of_piece[which]
    first_piece = np.r_[True, path_of_piece[1:] != path_of_piece[:-1]]
    # Unroll: shift piece k so its start meets the end of piece k-1.
    jump = np.zeros(len(pieces))
    jump[1:] = 360.0 * np.round((xy[ends[:-1], 0] - xy[starts[1:], 0]) / 360.0)
    jump[first_piece] = 0.0
    grp = np.cumsum(first_piece) - 1
    shift = jump.cumsum() - np.r_[0.0, jump.cumsum()][np.flatnonzero(first_piece)][grp]
    xy[:, 0] += shift[which]
    drop = np.zeros(len(xy), dtype=bool)
    drop[starts[~first_piece]] = True  # the junction is the previous piece's last vertex
    keep = ~drop
    lines = shapely.linestrings(xy[keep], indices=path[keep])
    present = np.unique(path[keep])
    out[present] = lines
    return out


def geodesic_paths(
    xy: FloatArray,
    path_index: npt.NDArray[np.intp],
    *,
    spacing_km: float = settings.VERTEX_SPACING_KM,
) -> tuple[npt.NDArray[np.object_], FloatArray]:
    """Densified geodesic polylines through ordered points, all paths at once.

    Parameters
    ----------
    xy
        (n, 2) lon/lat of every point of every path, in path order.
    path_index
        (n,) path number of each point (0, 1, ...; non-decreasing); each
        path has at least two points.
    spacing_km
        Largest distance between consecutive vertices.

    Returns
    -------
    lines, km
        One LineString per path (geodesic piece by piece, junctions exactly
        the points) and its geodesic length in km.

    """
    n_paths = int(path_index.max()) + 1 if len(path_index) else 0
    same = path_index[1:] == path_index[:-1]
    a = np.flatnonzero(same)
    lon1, lat1, lon2, lat2 = xy[a, 0], xy[a, 1], xy[a + 1, 0], xy[a + 1, 1]
    azi1, _, s12 = _GEOD.inv(lon1, lat1, lon2, lat2)
    azi1, s12 = np.asarray(azi1, float), np.asarray(s12, float)
    pieces = _densify(lon1, lat1, lon2, lat2, azi1, s12, spacing_km * 1000.0)
    piece_path = path_index[a]
    km = np.bincount(piece_path, weights=s12 / 1000.0, minlength=n_paths)
    return join_pieces(pieces, piece_path, n_paths), km


def leg_paths(
    legs: pd.DataFrame, lon1: FloatArray, lat1: FloatArray, lon2: FloatArray, lat2: FloatArray
) -> tuple[npt.NDArray[np.intp], FloatArray, npt.NDArray[np.intp]]:
    """Candidate paths of legs with via points or alternative ends.

    Returns
    -------
    legs_of_path, xy, path_index
        Row position (in ``legs``) of each path; the points of all paths
        (origin candidate, via points in order, destination candidate); the
        path number of each point. Legs with neither via points nor
        alternatives, or with an end that cannot be drawn, have no path.

    """

    def tuples(name: str) -> list[tuple]:
        if name not in legs.columns:
            return [()] * len(legs)
        return [t if isinstance(t, tuple) else () for t in legs[name].tolist()]

    via = tuples(col.VIA_POINTS)
    f_alt, t_alt = tuples(col.FROM_ALT_POINTS), tuples(col.TO_ALT_POINTS)
    rows: list[int] = []
    pts: list[tuple[float, float]] = []
    idx: list[int] = []
    for i in np.flatnonzero([bool(v or f or t) for v, f, t in zip(via, f_alt, t_alt, strict=True)]):
        origins = f_alt[i] or ((lon1[i], lat1[i]),)
        dests = t_alt[i] or ((lon2[i], lat2[i]),)
        for o, d in itertools.product(origins, dests):
            path = [o, *via[i], d]
            if not np.isfinite(np.asarray(path, dtype=float)).all():
                continue
            idx.extend([len(rows)] * len(path))
            pts.extend(path)
            rows.append(int(i))
    return (
        np.asarray(rows, dtype=np.intp),
        np.asarray(pts, dtype=float).reshape(-1, 2),
        np.asarray(idx, dtype=np.intp),
    )


def _combine(parts: list, kms: list[float]) -> tuple[object, float, tuple[float, ...]]:
    """One leg's candidate lines -> geometry, counted km (shortest), all km."""
    if len(parts) == 1:
        return parts[0], kms[0], ()
    return shapely.multilinestrings(parts), min(kms), tuple(round(k, 1) for k in kms)


def _apply_paths(
    out: pd.DataFrame,
    geometry: npt.NDArray[np.object_],
    length: FloatArray,
    lon1: FloatArray,
    lat1: FloatArray,
    lon2: FloatArray,
    lat2: FloatArray,
    spacing_km: float,
) -> None:
    """Redraw legs with via points or alternatives through their paths (in place)."""
    rows, xy, pidx = leg_paths(out, lon1, lat1, lon2, lat2)
    cand = [()] * len(out)
    if len(rows):
        lines, km = geodesic_paths(xy, pidx, spacing_km=spacing_km)
        # rows is non-decreasing: the paths of one leg are consecutive.
        first = np.flatnonzero(np.r_[True, rows[1:] != rows[:-1]])
        count = np.diff(np.r_[first, len(rows)])
        single = first[count == 1]
        geometry[rows[single]] = lines[single]
        length[rows[single]] = km[single]
        for a, m in zip(first[count > 1].tolist(), count[count > 1].tolist(), strict=True):
            r = rows[a]
            geometry[r], length[r], cand[r] = _combine(list(lines[a : a + m]), list(km[a : a + m]))
    out[col.CANDIDATE_KM] = cand


# --- public API ---------------------------------------------------------------


def geodesic_lines(
    legs: pd.DataFrame, *, spacing_km: float = settings.VERTEX_SPACING_KM
) -> gpd.GeoDataFrame:
    """Draw every leg as a densified geodesic on the WGS84 ellipsoid.

    Parameters
    ----------
    legs
        The ledger's legs (``LedgerResult.legs``): one row per leg with at
        least ``TRANSFER_ID``, ``LEG``, ``FROM_LON``, ``FROM_LAT``,
        ``TO_LON``, ``TO_LAT`` (NaN for a bare unknown stop),
        ``FROM_UNKNOWN``, ``TO_UNKNOWN``, ``FROM_PRECISION``,
        ``TO_PRECISION``.
    spacing_km
        Largest distance between consecutive vertices.

    Returns
    -------
    geopandas.GeoDataFrame
        Same rows, index and order as ``legs``, all its columns, plus (EPSG:4326):

        - geometry: LineString (lon, lat) from the origin to the destination,
          both exactly the input points; longitudes continuous, so a leg
          across the antimeridian leaves [-180, 180] (see
          :func:`split_antimeridian`). A zero-length leg is a two-point
          LineString whose points coincide: GeoJSON and Leaflet accept it
          (nothing is drawn) and the layer stays one geometry type; maps
          mark ``ZERO_LENGTH`` legs themselves. ``None`` where an end is an
          unknown stop that cannot be estimated.
        - ``LENGTH_KM``: geodesic length (``pyproj.Geod.inv``), NaN without
          geometry.
        - ``BEARING``: initial azimuth in [0, 360), NaN for zero-length legs.
        - ``UNCERTAIN``: an end is an unknown stop (bare or ``? @ area``),
          an end's precision is in ``settings.UNCERTAIN_PRECISIONS``, or the
          leg cannot be drawn.
        - ``ZERO_LENGTH``: length below ``settings.ZERO_LENGTH_KM``.
        - ``ESTIMATED``: an end is drawn at an estimated point; the point is
          in ``FROM_EST_LON``/``FROM_EST_LAT``/``TO_EST_LON``/``TO_EST_LAT``
          (NaN otherwise). A bare unknown stop between two known stops of
          the same transfer is put on the geodesic between them (the
          midpoint for one unknown stop), so the two legs through it
          together trace the known neighbours' geodesic.
        - ``TRANSFER_KM``: sum of ``LENGTH_KM`` over the transfer's drawn
          legs (NaN if none is drawn).
        - ``LINE_METHOD``: ``"geodesic"`` (``""`` without geometry).
        - ``CANDIDATE_KM``: km of each candidate line where from/to lists
          alternatives (else ``()``).

        A leg with via points (``VIA_POINTS``) is drawn geodesic piece by
        piece through them, its length the sum of the pieces. A leg whose
        from/to lists alternatives (``FROM_ALT_POINTS``/``TO_ALT_POINTS``)
        gets a MultiLineString with one line per candidate, is
        ``UNCERTAIN`` (drawn faint), and counts once: ``LENGTH_KM`` is the
        shortest candidate.

    Raises
    ------
    ValueError
        If a required column is missing.

    """
    missing = [c for c in _REQUIRED if c not in legs.columns]
    if missing:
        msg = f"legs lack column(s) {missing!r}; pass LedgerResult.legs"
        raise ValueError(msg)
    n = len(legs)
    lon1, lat1, lon2, lat2 = _estimate_unknown_stops(legs)
    raw = {
        "from_lon": legs[col.FROM_LON].to_numpy(float),
        "from_lat": legs[col.FROM_LAT].to_numpy(float),
        "to_lon": legs[col.TO_LON].to_numpy(float),
        "to_lat": legs[col.TO_LAT].to_numpy(float),
    }
    from_est = ~np.isfinite(raw["from_lon"] + raw["from_lat"]) & np.isfinite(lon1 + lat1)
    to_est = ~np.isfinite(raw["to_lon"] + raw["to_lat"]) & np.isfinite(lon2 + lat2)
    drawable = np.isfinite(lon1 + lat1 + lon2 + lat2)

    length = np.full(n, np.nan)
    bearing = np.full(n, np.nan)
    geometry = np.full(n, None, dtype=object)
    if drawable.any():
        # Each distinct route once; its legs share one LineString (immutable).
        d, route = distinct_routes(lon1, lat1, lon2, lat2, drawable)
        azi1, _, s12 = _GEOD.inv(lon1[d], lat1[d], lon2[d], lat2[d])
        azi1, s12 = np.asarray(azi1, float), np.asarray(s12, float)
        b = np.mod(azi1, 360.0)
        lines = _densify(lon1[d], lat1[d], lon2[d], lat2[d], azi1, s12, spacing_km * 1000.0)
        length[drawable] = (s12 / 1000.0)[route]
        bearing[drawable] = np.where(b >= 360.0, 0.0, b)[route]
        geometry[drawable] = lines[route]
    out = pd.DataFrame(legs).copy(deep=False)  # copy-on-write: legs stay as they are
    _apply_paths(out, geometry, length, lon1, lat1, lon2, lat2, spacing_km)
    zero = drawable & (length < settings.ZERO_LENGTH_KM)
    bearing[zero] = np.nan

    coarse = list(settings.UNCERTAIN_PRECISIONS)
    uncertain = (
        legs[col.FROM_UNKNOWN].fillna(True).to_numpy(bool)
        | legs[col.TO_UNKNOWN].fillna(True).to_numpy(bool)
        | legs[col.FROM_PRECISION].isin(coarse).to_numpy()
        | legs[col.TO_PRECISION].isin(coarse).to_numpy()
        | ~drawable
        | _has_alternatives(legs)
    )

    out[col.LENGTH_KM] = length
    out[col.BEARING] = bearing
    out[col.UNCERTAIN] = uncertain
    out[col.ZERO_LENGTH] = zero
    out[col.ESTIMATED] = from_est | to_est
    out[col.FROM_EST_LON] = np.where(from_est, lon1, np.nan)
    out[col.FROM_EST_LAT] = np.where(from_est, lat1, np.nan)
    out[col.TO_EST_LON] = np.where(to_est, lon2, np.nan)
    out[col.TO_EST_LAT] = np.where(to_est, lat2, np.nan)
    out[col.LINE_METHOD] = np.where(pd.isna(geometry), "", "geodesic").astype(object)
    by_transfer = out.groupby(col.TRANSFER_ID, sort=False, dropna=False)[col.LENGTH_KM]
    total = by_transfer.transform("sum").to_numpy(float)
    out[col.TRANSFER_KM] = np.where(by_transfer.transform("count").to_numpy() > 0, total, np.nan)
    return with_geometry(out, geometry, crs=_CRS)


def with_geometry(frame: pd.DataFrame, geometry: npt.ArrayLike, *, crs: object) -> gpd.GeoDataFrame:
    """Return ``frame``'s columns with ``geometry`` as the last column, without copying them.

    ``frame`` may hold a geometry column already (it is left out, and
    ``frame`` itself is unchanged).  ``DataFrame.drop`` would copy every
    block (~0.06 s at 100,000 legs); a shallow copy and ``del`` do not, and
    geopandas copies every column of a frame it is given unless
    ``copy=False``.
    """
    out = pd.DataFrame(frame, copy=False).copy(deep=False)
    if col.GEOMETRY in out.columns:
        del out[col.GEOMETRY]
    return gpd.GeoDataFrame(
        out, geometry=gpd.GeoSeries(geometry, index=out.index, crs=crs), crs=crs, copy=False
    )


def _listed(value: object) -> bool:
    return isinstance(value, tuple) and len(value) > 0


def _has_alternatives(legs: pd.DataFrame) -> npt.NDArray[np.bool_]:
    """Return True where from or to lists alternatives (``A | B``)."""
    has = np.zeros(len(legs), dtype=bool)
    for name in (col.FROM_ALTERNATIVES, col.TO_ALTERNATIVES):
        if name in legs.columns:
            values = legs[name].to_numpy(object)
            try:  # each distinct value once (ledgers repeat a few)
                codes, uniques = pd.factorize(values)
            except TypeError:  # an unhashable value
                has |= np.fromiter(map(_listed, values), dtype=bool, count=len(values))
                continue
            listed = np.fromiter(map(_listed, uniques), dtype=bool, count=len(uniques))
            has |= np.append(listed, False)[codes]  # -1 (missing): the last slot
    return has
