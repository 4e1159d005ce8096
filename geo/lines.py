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
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import Literal

import geopandas as gpd
import numpy as np
import numpy.typing as npt
import pandas as pd
import pyproj
import shapely

from geo import columns as col
from geo import settings
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
_A = float(_GEOD.a)
_F = float(_GEOD.f)
_F1 = 1.0 - _F
_E2 = _F * (2.0 - _F)
_EP2 = _E2 / _F1**2
_N = _F / (2.0 - _F)
_B = _A * _F1
_TINY = float(np.sqrt(np.finfo(float).tiny))
_CRS = "EPSG:4326"
_SNAP_DEG = 1e-9
_DEG = 180.0 / np.pi
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


# --- Karney's series (GeographicLib, order 6) -----------------------------


def _polyval(coeffs: Sequence[float], x: FloatArray) -> FloatArray:
    """Horner evaluation, highest power first, over an array of ``x``."""
    y = np.full_like(x, coeffs[0])
    for c in coeffs[1:]:
        y = y * x + c
    return y


def _a3x() -> list[float]:
    # Coefficients of A3 as a polynomial in eps, each a polynomial in n.
    coeff = [-3, 128, -2, -3, 64, -1, -3, -1, 16, 3, -1, -2, 8, 1, -1, 2, 1, 1]
    out: list[float] = []
    o = 0
    for j in range(5, -1, -1):
        m = min(6 - j - 1, j)
        out.append(float(_polyval(coeff[o : o + m + 1], np.array(_N))) / coeff[o + m + 1])
        o += m + 2
    return out


def _c3x() -> list[list[float]]:
    # For l = 1..5: coefficients of C3[l] / eps^l as a polynomial in eps.
    coeff = [
        3, 128, 2, 5, 128, -1, 3, 3, 64, -1, 0, 1, 8, -1, 1, 4,
        5, 256, 1, 3, 128, -3, -2, 3, 64, 1, -3, 2, 32,
        7, 512, -10, 9, 384, 5, -9, 5, 192,
        7, 512, -14, 7, 512,
        21, 2560,
    ]  # fmt: skip
    out: list[list[float]] = []
    o = 0
    for ell in range(1, 6):
        row: list[float] = []
        for j in range(5, ell - 1, -1):
            m = min(6 - j - 1, j)
            row.append(float(_polyval(coeff[o : o + m + 1], np.array(_N))) / coeff[o + m + 1])
            o += m + 2
        out.append(row)
    return out


_A3X = _a3x()
_C3X = _c3x()
# C1[l] and C1'[l] / eps^l as polynomials in eps^2 (numerators, denominator).
_C1 = [([-1, 6, -16], 32), ([-9, 64, -128], 2048), ([9, -16], 768), ([3, -5], 512),
       ([-7], 1280), ([-7], 2048)]  # fmt: skip
_C1P = [([205, -432, 768], 1536), ([4005, -4736, 3840], 12288), ([-225, 116], 384),
        ([-7173, 2695], 7680), ([3467], 7680), ([38081], 61440)]  # fmt: skip


def _sin_series(sinx: FloatArray, cosx: FloatArray, c: list[FloatArray]) -> FloatArray:
    """Clenshaw sum of ``c[l-1] * sin(2 l x)`` for l = 1..len(c)."""
    ar = 2.0 * (cosx - sinx) * (cosx + sinx)
    y0 = np.zeros_like(sinx)
    y1 = np.zeros_like(sinx)
    for ck in reversed(c):
        y0, y1 = ar * y0 - y1 + ck, y0
    return 2.0 * sinx * cosx * y0


def _sincosd(deg: FloatArray) -> tuple[FloatArray, FloatArray]:
    """Sine and cosine of degrees, exact at multiples of 90 (as GeographicLib)."""
    r = np.fmod(deg, 360.0)
    q = np.round(r / 90.0)
    r = np.radians(r - 90.0 * q)
    s, c = np.sin(r), np.cos(r)
    q = np.mod(q, 4.0)
    s, c = (
        np.select([q == 1, q == 2, q == 3], [c, -s, -c], s),
        np.select([q == 1, q == 2, q == 3], [-s, -c, s], c),
    )
    return s, c + 0.0


def _wrap180(x: FloatArray) -> FloatArray:
    return np.mod(x + 180.0, 360.0) - 180.0


class _Lines:
    """Per-line constants of geodesics starting at (lon1, lat1) with azimuth azi1.

    ``sig_at(t)`` gives, for a fraction ``t`` of the arc length ``sig12``,
    the point's (lon, lat) with longitude unrolled from ``lon1``.
    """

    def __init__(
        self, lon1: FloatArray, lat1: FloatArray, azi1: FloatArray, s12: FloatArray
    ) -> None:
        sbet1, cbet1 = _sincosd(lat1)
        sbet1 = sbet1 * _F1
        h = np.hypot(sbet1, cbet1)
        sbet1, cbet1 = sbet1 / h, np.maximum(cbet1 / h, _TINY)  # cbet1 = +eps at poles
        salp1, calp1 = _sincosd(azi1)
        salp0 = salp1 * cbet1
        calp0 = np.hypot(calp1, salp1 * sbet1)
        ssig1 = sbet1
        csig1 = np.where((sbet1 != 0) | (calp1 != 0), cbet1 * calp1, 1.0)
        h = np.hypot(ssig1, csig1)
        ssig1, csig1 = ssig1 / h, csig1 / h
        k2 = calp0**2 * _EP2
        eps = k2 / (2.0 * (1.0 + np.sqrt(1.0 + k2)) + k2)
        eps2 = eps * eps

        # Distance -> arc length on the auxiliary sphere (series C1, C1').
        a1m1 = (_polyval([1, 4, 64, 0, 256][:-1], eps2) / 256.0 + eps) / (1.0 - eps)
        c1 = [np.power(eps, i + 1) * _polyval(p, eps2) / d for i, (p, d) in enumerate(_C1)]
        c1p = [np.power(eps, i + 1) * _polyval(p, eps2) / d for i, (p, d) in enumerate(_C1P)]
        b11 = _sin_series(ssig1, csig1, c1)
        s, c = np.sin(b11), np.cos(b11)
        stau1, ctau1 = ssig1 * c + csig1 * s, csig1 * c - ssig1 * s
        tau12 = s12 / (_B * (1.0 + a1m1))
        s, c = np.sin(tau12), np.cos(tau12)
        b12 = -_sin_series(stau1 * c + ctau1 * s, ctau1 * c - stau1 * s, c1p)
        self.sig12 = tau12 - (b12 - b11)

        # Longitude series C3, pre-multiplied by A3c so a vertex needs one sum.
        # Terms beyond sin(4 sig) are below f * eps^3 ~ 1e-12 rad (< 0.01 mm)
        # for WGS84 and are dropped from the per-vertex work.
        a3c = -_F * salp0 * _polyval(_A3X, eps)
        c3 = [a3c * np.power(eps, i + 1) * _polyval(row, eps) for i, row in enumerate(_C3X[:2])]
        self.sig1 = np.arctan2(ssig1, csig1)
        a = np.abs(salp0)
        e = np.copysign(1.0, salp0)
        # Per-line factors of the per-vertex formulas (see _kernel), with the
        # sign E and the radians-to-degrees factor folded in.
        self.a = a
        self.em1 = e * (a - 1.0)
        self.ap1 = a + 1.0
        self.om = 1.0 - a
        self.ea3c_deg = (e + a3c) * _DEG
        self.c31_deg = c3[0] * _DEG
        self.c32_deg = 2.0 * c3[1] * _DEG
        self.f1salp0_2 = (_F1 * salp0) ** 2
        self.f1calp0 = _F1 * calp0
        self.calp0 = calp0
        # lam(sig) = E (sig + d(sig)) + A3c (sig + B3(sig)) + k, zero at sig1.
        d1 = np.arctan2((a - 1.0) * ssig1 * csig1, csig1 * csig1 + a * ssig1 * ssig1)
        self.lon0 = lon1 - np.degrees(
            e * (self.sig1 + d1) + a3c * self.sig1 + _sin_series(ssig1, csig1, c3)
        )

    def _kernel(
        self, sig: FloatArray, get: Callable[[FloatArray], FloatArray], out: FloatArray
    ) -> None:
        """Write (lon, lat) at arc lengths ``sig`` into ``out`` (shape (n, 2)).

        ``get`` expands a per-line array to one value per vertex.
        """
        s, c = np.sin(sig), np.cos(sig)
        s2 = 2.0 * s * c  # sin 2 sig
        c2 = (c - s) * (c + s)  # cos 2 sig
        # Aux-sphere longitude minus arc length, E (atan2(a s, c) - atan2(s, c)),
        # as one atan2 that never crosses a branch cut: nothing to unroll.
        lam = np.arctan2(get(self.em1) * s2, get(self.ap1) + get(self.om) * c2)
        lam *= _DEG
        lam += get(self.ea3c_deg) * sig
        lam += s2 * (get(self.c31_deg) + get(self.c32_deg) * c2)  # A3c * B3(sig)
        np.add(get(self.lon0), lam, out=out[:, 0])
        # tan(phi) = sin(beta) / (f1 cos(beta)), cos(beta) = hypot(salp0, calp0 cos sig)
        c *= get(self.f1calp0)
        c *= c
        c += get(self.f1salp0_2)
        np.sqrt(c, out=c)
        s *= get(self.calp0)
        np.arctan2(s, c, out=s)
        np.multiply(s, _DEG, out=out[:, 1])

    def vertices(self, nvert: npt.NDArray[np.intp]) -> FloatArray:
        """Vertices of every line at ``nvert`` even steps of arc, (n, 2) array."""
        ends = np.cumsum(nvert)
        k = np.arange(ends[-1], dtype=float)
        k -= np.repeat((ends - nvert).astype(float), nvert)
        dsig = self.sig12 / (nvert - 1)
        sig = np.repeat(self.sig1, nvert)
        sig += k * np.repeat(dsig, nvert)
        out = np.empty((len(k), 2))
        self._kernel(sig, lambda v: np.repeat(v, nvert), out)
        return out

    def points(self, idx: npt.NDArray[np.intp], t: FloatArray) -> FloatArray:
        """(lon, lat) at arc fraction ``t`` of line ``idx``, (n, 2) array."""
        sig = self.sig1[idx] + t * self.sig12[idx]
        out = np.empty((len(sig), 2))
        self._kernel(sig, lambda v: v[idx], out)
        return out


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
        d = drawable
        azi1, _, s12 = _GEOD.inv(lon1[d], lat1[d], lon2[d], lat2[d])
        azi1, s12 = np.asarray(azi1, float), np.asarray(s12, float)
        length[d] = s12 / 1000.0
        b = np.mod(azi1, 360.0)
        bearing[d] = np.where(b >= 360.0, 0.0, b)
        geometry[d] = _densify(lon1[d], lat1[d], lon2[d], lat2[d], azi1, s12, spacing_km * 1000.0)
    out = pd.DataFrame(legs).copy()
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
    if col.GEOMETRY in out.columns:
        out = out.drop(columns=col.GEOMETRY)
    return gpd.GeoDataFrame(out, geometry=gpd.GeoSeries(geometry, index=out.index), crs=_CRS)


def _has_alternatives(legs: pd.DataFrame) -> npt.NDArray[np.bool_]:
    """Return True where from or to lists alternatives (``A | B``)."""
    has = np.zeros(len(legs), dtype=bool)
    for name in (col.FROM_ALTERNATIVES, col.TO_ALTERNATIVES):
        if name in legs.columns:
            has |= legs[name].map(lambda t: isinstance(t, tuple) and len(t) > 0).to_numpy(bool)
    return has


def split_antimeridian(gdf: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Normalize geometries into [-180, 180], cutting lines at the antimeridian.

    Parameters
    ----------
    gdf
        Lines with continuous longitudes, e.g. from :func:`geodesic_lines`
        (LineString or MultiLineString; polygons such as
        :func:`arrowheads` are accepted too).

    Returns
    -------
    geopandas.GeoDataFrame
        A copy with the same rows. A line crossing +-180 becomes a
        MultiLineString cut exactly at +-180 (RFC 7946 section 3.1.9), the
        crossing latitude interpolated linearly between the two vertices
        around it (at most ``spacing_km`` apart); other lines are shifted by
        a multiple of 360 degrees into range. Polygons are cut with boxes and
        clamped. Missing geometries stay missing.

    """
    geoms = gdf.geometry.to_numpy()
    out = np.full(len(geoms), None, dtype=object)
    kind = shapely.get_type_id(geoms)
    is_line = np.isin(kind, [1, 5])  # LineString, MultiLineString
    if is_line.any():
        out[is_line] = _split_lines(geoms[is_line])
    other = ~is_line & (kind >= 0)
    if other.any():
        out[other] = _split_other(geoms[other])
    res = gdf.copy()
    return res.set_geometry(gpd.GeoSeries(out, index=gdf.index, crs=gdf.crs))


def _split_lines(geoms: npt.NDArray[np.object_]) -> npt.NDArray[np.object_]:
    parts, row = shapely.get_parts(geoms, return_index=True)
    xy, vidx = shapely.get_coordinates(parts, return_index=True)
    x, y = xy[:, 0], xy[:, 1]
    # 0. Snap vertices within ~0.1 mm of a cut meridian onto it, so a leg
    #    running along 180 deg (e.g. over a pole) is not shredded by rounding.
    near = np.round((x - 180.0) / 360.0) * 360.0 + 180.0
    x = np.where(np.abs(x - near) < _SNAP_DEG, near, x)
    # 1. Insert a vertex wherever a segment strictly crosses 180 + 360 m.
    same = vidx[1:] == vidx[:-1]
    cell0 = np.floor((x[:-1] - 180.0) / 360.0)
    cell1 = np.floor((x[1:] - 180.0) / 360.0)
    bnd = 180.0 + 360.0 * np.maximum(cell0, cell1)
    cross = same & (cell0 != cell1) & (x[:-1] != bnd) & (x[1:] != bnd)
    j = np.flatnonzero(cross)
    if j.size:
        w = (bnd[j] - x[j]) / (x[j + 1] - x[j])
        yi = y[j] + w * (y[j + 1] - y[j])
        x = np.insert(x, j + 1, bnd[j])
        y = np.insert(y, j + 1, yi)
        vidx = np.insert(vidx, j + 1, vidx[j])
    # 2. Each segment belongs to one 360-degree cell (by its midpoint); a new
    #    piece starts where the cell changes. Shift each piece into range.
    seg = np.flatnonzero(vidx[1:] == vidx[:-1])
    mid = 0.5 * (x[seg] + x[seg + 1])
    cell = np.ceil((mid - 180.0) / 360.0)  # (-180, 180] -> 0
    first = np.ones(len(seg), bool)
    first[1:] = (vidx[seg[1:]] != vidx[seg[:-1]]) | (cell[1:] != cell[:-1])
    piece = np.cumsum(first) - 1
    last = np.ones(len(seg), bool)
    last[:-1] = first[1:]
    # Vertices: every segment's start, plus the end of each piece's last segment.
    src = np.concatenate([seg, seg[last] + 1])
    pid = np.concatenate([piece, piece[last]])
    order = np.lexsort((src, pid))
    src, pid = src[order], pid[order]
    shift = 360.0 * cell[np.concatenate([np.arange(len(seg)), np.flatnonzero(last)])][order]
    px = np.clip(x[src] - shift, -180.0, 180.0)
    pieces = shapely.linestrings(px, y[src], indices=pid)
    piece_row = row[vidx[seg[first]]]
    counts = np.bincount(piece_row, minlength=len(geoms))
    res = np.full(len(geoms), None, dtype=object)
    shapely.multilinestrings(pieces, indices=piece_row, out=res)
    single = counts == 1
    if single.any():
        res[single] = pieces[np.searchsorted(piece_row, np.flatnonzero(single))]
    return res


def _split_other(geoms: npt.NDArray[np.object_]) -> npt.NDArray[np.object_]:
    """Polygons: clip to each 360-degree cell, shift, reassemble; points: shift."""
    out = np.full(len(geoms), None, dtype=object)
    kind = shapely.get_type_id(geoms)
    poly = np.isin(kind, [3, 6])  # Polygon, MultiPolygon
    if poly.any():
        # clip_by_rect (not an overlay) so that a degenerate arrow near a pole
        # cannot raise a TopologyException.
        parts, rows = [], []
        for k in (-1, 0, 1):
            piece = shapely.clip_by_rect(
                geoms[poly], 360.0 * k - 180.0, -90.0, 360.0 * k + 180.0, 90.0
            )
            piece = shapely.transform(piece, lambda c, k=k: _shift_clamp(c, 360.0 * k))
            p, r = shapely.get_parts(piece, return_index=True)
            p, r = p[shapely.get_type_id(p) == 3], r[shapely.get_type_id(p) == 3]
            parts.append(p)
            rows.append(r)
        p, r = np.concatenate(parts), np.concatenate(rows)
        order = np.argsort(r, kind="stable")
        p, r = p[order], r[order]
        res = np.full(int(poly.sum()), None, dtype=object)
        shapely.multipolygons(p, indices=r, out=res)
        counts = np.bincount(r, minlength=len(res))
        single = np.flatnonzero(counts == 1)
        res[single] = p[np.searchsorted(r, single)]
        out[poly] = res
    rest = ~poly
    if rest.any():
        out[rest] = shapely.transform(
            geoms[rest], lambda c: _shift_clamp(c, 360.0 * np.ceil((c[:, 0] - 180.0) / 360.0))
        )
    return out


def _shift_clamp(c: FloatArray, shift: FloatArray | float) -> FloatArray:
    return np.column_stack([np.clip(c[:, 0] - shift, -180.0, 180.0), c[:, 1]])


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
