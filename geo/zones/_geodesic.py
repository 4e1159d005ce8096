"""Geodesic distances of a split's pieces: the compiled loop or its numpy twin.

:func:`geodesic_m` is what :func:`geo.zones._stretches.piece_km` calls: the
compiled loop (:func:`geo.zones._kernels.geodesic_m`) or, for a small
call in a process that has not loaded numba (:mod:`geo.zones._compiled`),
:func:`geodesic_m_numpy`, which does the same floating-point operations in
the same order: numpy's sin, cos, sqrt and floor and, for the few pairs
farther apart than the chord limit, Vincenty's iteration in Python with
:mod:`math` (atan2: the C library's, as numba's; numpy's differs in the
last bit) and :func:`numpy.hypot` (the C library's, as numba's; Python's
own differs).  The same distances bit for bit (tested).
"""

from __future__ import annotations

import math

import numpy as np
import numpy.typing as npt

from geo.zones._common import _GEOD

FloatArray = npt.NDArray[np.float64]

#: Up to this chord (m) the arc is measured from it (as ``geo.zones._kernels._CHORD_M``).
_CHORD_M = 50_000.0

__all__ = ["geodesic_m", "geodesic_m_numpy"]


def geodesic_m(x1: FloatArray, y1: FloatArray, x2: FloatArray, y2: FloatArray) -> FloatArray:
    """Geodesic distances (m) on the WGS84 ellipsoid (pyproj where Vincenty does not converge).

    As ``pyproj.Geod.inv``'s third answer (to 1e-8 m up to 50 km, 0.1 mm
    beyond); compiled (one loop that releases the GIL: about four times as
    fast on the pieces a split measures) or numpy, the same bits either way.
    """
    from geo.zones._compiled import compiled

    x1, y1, x2, y2 = (np.ascontiguousarray(a, dtype=float) for a in (x1, y1, x2, y2))
    if compiled(len(x1)):
        from geo.zones._kernels import geodesic_m as kernel  # numba: imported lazily

        out = np.empty(len(x1))
        bad = kernel(x1, y1, x2, y2, _GEOD.a, _GEOD.f, out)
    else:
        out = geodesic_m_numpy(x1, y1, x2, y2, _GEOD.a, _GEOD.f)
        bad = np.isnan(out).any()
    if bad:
        nan = np.flatnonzero(np.isnan(out))
        out[nan] = _GEOD.inv(x1[nan], y1[nan], x2[nan], y2[nan])[2]
    return out


def geodesic_m_numpy(
    x1: FloatArray, y1: FloatArray, x2: FloatArray, y2: FloatArray, a: float, f: float
) -> FloatArray:
    """Numpy twin of :func:`geo.zones._kernels.geodesic_m` (NaN: Vincenty did not converge)."""
    d2r = math.pi / 180.0
    f1 = 1.0 - f
    e2 = f * (2.0 - f)
    b = a * f1
    ep2 = (a * a - b * b) / (b * b)
    lon12 = (x2 - x1) * d2r
    p1, p2 = y1 * d2r, y2 * d2r
    sp1, cp1 = np.sin(p1), np.cos(p1)
    sp2, cp2 = np.sin(p2), np.cos(p2)
    # the chord, with the first point on the meridian 0
    n1 = a / np.sqrt(1.0 - e2 * sp1 * sp1)
    n2 = a / np.sqrt(1.0 - e2 * sp2 * sp2)
    dx = n2 * cp2 * np.cos(lon12) - n1 * cp1
    dy = n2 * cp2 * np.sin(lon12)
    dz = (1.0 - e2) * (n2 * sp2 - n1 * sp1)
    chord = np.sqrt(dx * dx + dy * dy + dz * dz)
    out = np.full(len(x1), np.nan)
    near = chord <= _CHORD_M
    c, lo = chord[near], lon12[near]
    q1, q2 = p1[near], p2[near]
    pm = 0.5 * (q1 + q2)
    sm = np.sin(pm)
    w = 1.0 - e2 * sm * sm
    nm = a / np.sqrt(w)  # prime vertical and meridian radii at mid-latitude
    mm = a * (1.0 - e2) / (w * np.sqrt(w))
    dl = lo - 2.0 * math.pi * np.floor(lo / (2.0 * math.pi) + 0.5)
    east = dl * np.cos(pm) * nm
    north = (q2 - q1) * mm
    h2 = east * east + north * north
    with np.errstate(divide="ignore", invalid="ignore"):
        inv_r = np.where(h2 > 0.0, (north * north / mm + east * east / nm) / h2, 1.0 / nm)
    k = c * c * inv_r * inv_r
    out[near] = c * (1.0 + k / 24.0 + 3.0 * k * k / 640.0)
    for i in np.flatnonzero(~near).tolist():
        out[i] = _vincenty(
            float(sp1[i]), float(cp1[i]), float(sp2[i]), float(cp2[i]), float(lon12[i]), f, b, ep2
        )
    return out


def _vincenty(
    sp1: float, cp1: float, sp2: float, cp2: float, lon12: float, f: float, b: float, ep2: float
) -> float:
    """Vincenty's inverse distance, as the compiled loop's far branch (NaN: no convergence)."""
    f1 = 1.0 - f
    hypot = np.hypot  # the C library's (as numba's math.hypot), not Python's
    h = float(hypot(f1 * sp1, cp1))
    su1, cu1 = f1 * sp1 / h, cp1 / h
    h = float(hypot(f1 * sp2, cp2))
    su2, cu2 = f1 * sp2 / h, cp2 / h
    lam = lon12
    for _ in range(100):
        sl, cl = math.sin(lam), math.cos(lam)
        t1 = cu2 * sl
        t2 = cu1 * su2 - su1 * cu2 * cl
        ss = float(hypot(t1, t2))
        if ss == 0.0:  # the same point
            return 0.0
        cs = su1 * su2 + cu1 * cu2 * cl
        sig = math.atan2(ss, cs)
        sa = cu1 * cu2 * sl / ss
        c2a = 1.0 - sa * sa
        c2sm = cs - 2.0 * su1 * su2 / c2a if c2a != 0.0 else 0.0
        cc = f / 16.0 * c2a * (4.0 + f * (4.0 - 3.0 * c2a))
        prev = lam
        lam = lon12 + (1.0 - cc) * f * sa * (
            sig + cc * ss * (c2sm + cc * cs * (-1.0 + 2.0 * c2sm * c2sm))
        )
        if abs(lam - prev) <= 1e-14:
            u2 = c2a * ep2
            aa = 1.0 + u2 / 16384.0 * (4096.0 + u2 * (-768.0 + u2 * (320.0 - 175.0 * u2)))
            bb = u2 / 1024.0 * (256.0 + u2 * (-128.0 + u2 * (74.0 - 47.0 * u2)))
            ds = bb * ss * (
                c2sm + bb / 4.0 * (
                    cs * (-1.0 + 2.0 * c2sm * c2sm)
                    - bb / 6.0 * c2sm * (-3.0 + 4.0 * ss * ss) * (-3.0 + 4.0 * c2sm * c2sm)
                )
            )  # fmt: skip
            return b * aa * (sig - ds)
    return math.nan
