"""Compiled loops of the zone split (numba): leg segments met with zone boundary edges.

:func:`geo.zones._crossings.meetings` finds where leg segments cross zone
boundary edges.  In numpy that takes several passes over every vertex
(chunk boxes, candidate segments, (segment, edge) pairs, then the
intersection arithmetic on the pairs), each allocating arrays as long as
the batch: about half the time of a split.  :func:`segment_crossings` does
the same in one loop over the segments that keeps only the crossings, with
the same grid lookups and the same floating-point operations in the same
order (no ``fastmath``), so the crossings are bit for bit those of
:func:`geo.zones._crossings.crossings_numpy` (tested).

This module imports numba: it is imported only when legs are split, so
the CLI's start-up does not pay for it.  ``cache=True`` keeps the compiled
code on disk (numba's cache, next to this file or in ``NUMBA_CACHE_DIR``):
the first call in a fresh process then loads it instead of compiling.
"""

from __future__ import annotations

import math
from typing import Any

import numba
import numpy as np
import numpy.typing as npt

#: Any numpy array (numba compiles each call's types).
Array = npt.NDArray[Any]

#: Up to this chord (m) :func:`geodesic_m` measures the arc from it (error < 1e-8 m).
_CHORD_M = 50_000.0

__all__ = ["gaps", "gather_stretches", "geodesic_m", "segment_crossings"]


@numba.njit(cache=True, nogil=True)
def _cell(v: float, lo: float, per_deg: float, n: int) -> int:
    # as _cell_x/_cell_y: clipped to [0, n - 1], then truncated (floor); the
    # grid is a power of two of degrees, so * per_deg is exactly / grid
    c = (v + lo) * per_deg
    if c < 0.0:
        c = 0.0
    if c > n - 1:
        c = float(n - 1)
    return int(c)


@numba.njit(cache=True, nogil=True)
def _grow(a: np.ndarray, n: int) -> np.ndarray:  # type: ignore[type-arg]
    out = np.empty(max(2 * len(a), n), dtype=a.dtype)
    out[: len(a)] = a
    return out


@numba.njit(cache=True, nogil=True)
def segment_crossings(
    xy, head, nseg, legs, s, zf, zt, ed_ax, ed_ay, ed_bx, ed_by, ex0, ex1, ey0, ey1,
    zone, zone_start, cell_start, cell_count, edge_of, low_start, low_count, low_edge,
    sat, per_deg, nx, ny, eps, chunk, hard, low_bits,
):  # type: ignore[no-untyped-def]  # fmt: skip
    """Crossings of the segments of legs ``legs`` with the edges of zones valid on their day.

    Parameters are the arrays of :func:`geo.zones._crossings.meetings` and
    :class:`geo.zones._crossings._Edges` (``low_bits``: one bit per cell,
    whether its ``low`` list holds an edge; 130 kB, stays in cache); ``hard`` (per batch leg) is set
    for legs with a crossing too close to call.  Returns (leg, zone,
    segment index within the leg, fraction t, x, y), one row per crossing
    and live zone, as :func:`geo.zones._crossings.crossings_numpy`.
    """
    cap = 1024
    cl = np.empty(cap, np.int64)
    cz = np.empty(cap, np.int64)
    ck = np.empty(cap, np.int64)
    ct = np.empty(cap, np.float64)
    cx = np.empty(cap, np.float64)
    cy = np.empty(cap, np.float64)
    n = 0
    buf = np.empty(64, np.int64)  # candidate edges of one segment
    for leg in legs:
        day = s[leg]
        h = head[leg]
        ns = nseg[leg]
        for k0 in range(0, ns, chunk):
            # the box of this chunk of segments: no cell of it holds an edge, no crossing
            last = min(k0 + chunk, ns)
            lox, hix = xy[h + k0, 0], xy[h + k0, 0]
            loy, hiy = xy[h + k0, 1], xy[h + k0, 1]
            for v in range(h + k0 + 1, h + last + 1):
                lox, hix = min(lox, xy[v, 0]), max(hix, xy[v, 0])
                loy, hiy = min(loy, xy[v, 1]), max(hiy, xy[v, 1])
            b0, b1 = _cell(lox, 180.0, per_deg, nx), _cell(hix, 180.0, per_deg, nx)
            c0, c1 = _cell(loy, 90.0, per_deg, ny), _cell(hiy, 90.0, per_deg, ny)
            w = ny + 1
            if (
                sat[(b1 + 1) * w + c1 + 1] - sat[b0 * w + c1 + 1]
                - sat[(b1 + 1) * w + c0] + sat[b0 * w + c0]
            ) == 0:  # fmt: skip
                continue
            for j in range(k0, last):
                ax, ay = xy[h + j, 0], xy[h + j, 1]
                bx, by = xy[h + j + 1, 0], xy[h + j + 1, 1]
                sx0, sx1 = min(ax, bx), max(ax, bx)
                sy0, sy1 = min(ay, by), max(ay, by)
                i0, i1 = _cell(sx0, 180.0, per_deg, nx), _cell(sx1, 180.0, per_deg, nx)
                j0, j1 = _cell(sy0, 90.0, per_deg, ny), _cell(sy1, 90.0, per_deg, ny)
                m = 0
                if i1 - i0 <= 1 and j1 - j0 <= 1:
                    c = i0 * ny + j0
                    if not (low_bits[c >> 3] >> (c & 7)) & 1:
                        continue  # no edge listed there (most cells): no memory read
                    cnt = low_count[c]
                    if cnt > len(buf):
                        buf = np.empty(2 * cnt, np.int64)
                    for q in range(cnt):
                        buf[m] = low_edge[low_start[c] + q]
                        m += 1
                else:
                    for ci in range(i0, i1 + 1):
                        for cj in range(j0, j1 + 1):
                            c = ci * ny + cj
                            for q in range(cell_count[c]):
                                e = edge_of[cell_start[c] + q]
                                # each pair once: in the cell of its boxes' overlap's low corner
                                rx = _cell(max(sx0, ex0[e]), 180.0, per_deg, nx)
                                ry = _cell(max(sy0, ey0[e]), 90.0, per_deg, ny)
                                if rx * ny + ry != c:
                                    continue
                                if m == len(buf):
                                    buf = _grow(buf, m + 1)
                                buf[m] = e
                                m += 1
                for q in range(m):
                    e = buf[q]
                    if max(sx0, ex0[e]) > min(sx1, ex1[e]) or max(sy0, ey0[e]) > min(sy1, ey1[e]):
                        continue
                    ccx, ccy, dx, dy = ed_ax[e], ed_ay[e], ed_bx[e], ed_by[e]
                    rx_, ry_ = bx - ax, by - ay
                    qx, qy = dx - ccx, dy - ccy
                    wx, wy = ccx - ax, ccy - ay
                    den = rx_ * qy - ry_ * qx
                    # |r| |q| <= l1 (the margin covers rounding): beyond 1e-12 l1
                    # the pair is not parallel, and the hypots are not needed
                    l1 = (abs(rx_) + abs(ry_)) * (abs(qx) + abs(qy)) * (1.0 + 1e-9)
                    scale = 0.0
                    parallel = False
                    if not abs(den) > 1e-12 * l1:
                        scale = np.hypot(rx_, ry_) * np.hypot(qx, qy)
                        parallel = abs(den) <= 1e-12 * scale
                    hit = False
                    touchy = False
                    t = 0.0
                    if not parallel:
                        t = (wx * qy - wy * qx) / den
                        u = (wx * ry_ - wy * rx_) / den
                        hit = t >= -eps and t <= 1 + eps and u >= -eps and u <= 1 + eps
                        touchy = hit and (t < eps or t > 1 - eps or u < eps or u > 1 - eps)
                    collinear = parallel and abs(wx * ry_ - wy * rx_) <= 1e-12 * (
                        scale + np.hypot(wx, wy)
                    )
                    bad = touchy or collinear or (parallel and scale == 0)
                    if not (bad or hit):
                        continue
                    for p in range(zone_start[e], zone_start[e + 1]):
                        z = zone[p]
                        if not (zf[z] <= day and zt[z] >= day):
                            continue
                        if bad:
                            hard[leg] = True
                        if hit:
                            if n == len(cl):
                                cl, cz, ck = _grow(cl, n + 1), _grow(cz, n + 1), _grow(ck, n + 1)
                                ct, cx, cy = _grow(ct, n + 1), _grow(cx, n + 1), _grow(cy, n + 1)
                            cl[n], cz[n], ck[n], ct[n] = leg, z, j, t
                            cx[n] = ax + t * (bx - ax)
                            cy[n] = ay + t * (by - ay)
                            n += 1
    return cl[:n], cz[:n], ck[:n], ct[:n], cx[:n], cy[:n]


@numba.njit(cache=True, nogil=True)
def gather_stretches(
    xy: Array, start: Array, inner: Array, first: Array, ends: Array, out: Array
) -> None:
    """Write each stretch's coordinates into ``out`` from row ``first[i]``.

    Stretch ``i``: its start point ``ends[i, 0:2]``, the ``inner[i]``
    vertices ``xy[start[i] :]``, its end point ``ends[i, 2:4]`` (one copy,
    no index arrays; :func:`geo.zones._stretches._coords`).
    """
    for i in range(len(start)):
        f = first[i]
        out[f, 0] = ends[i, 0]
        out[f, 1] = ends[i, 1]
        s = start[i]
        for j in range(inner[i]):
            out[f + 1 + j, 0] = xy[s + j, 0]
            out[f + 1 + j, 1] = xy[s + j, 1]
        last = f + inner[i] + 1
        out[last, 0] = ends[i, 2]
        out[last, 1] = ends[i, 3]


@numba.njit(cache=True, nogil=True)
def geodesic_m(x1: Array, y1: Array, x2: Array, y2: Array, a: float, f: float, out: Array) -> int:
    """Geodesic distance (m) from (x1, y1) to (x2, y2) on the ellipsoid (a, f), into ``out``.

    Up to ``_CHORD_M`` apart (most pieces a split measures): the chord
    between the points in Earth-centred coordinates, lengthened to the arc
    of the normal section through them, ``c (1 + k / 24 + 3 k^2 / 640)``
    with ``k = (c / R)^2``, ``R`` the section's radius of curvature at the
    mid-latitude (Euler's formula); within 1e-8 m of ``pyproj.Geod.inv``
    (Karney) there.  Farther: Vincenty's inverse formula (T. Vincenty,
    Survey Review 23, 1975), iterated until the longitude on the auxiliary
    sphere changes by at most 1e-14 rad, reduced latitudes from sines and
    cosines as GeographicLib does (exact at the poles); within 0.1 mm of
    pyproj over any distance (tested).  Pairs that do not converge (nearly
    antipodal points) get NaN; returns how many (the caller solves them
    with pyproj).
    """
    d2r = math.pi / 180.0
    f1 = 1.0 - f
    e2 = f * (2.0 - f)
    b = a * f1
    ep2 = (a * a - b * b) / (b * b)
    bad = 0
    for i in range(len(x1)):
        lon12 = (x2[i] - x1[i]) * d2r
        p1, p2 = y1[i] * d2r, y2[i] * d2r
        sp1, cp1 = math.sin(p1), math.cos(p1)
        sp2, cp2 = math.sin(p2), math.cos(p2)
        # the chord, with the first point on the meridian 0
        n1 = a / math.sqrt(1.0 - e2 * sp1 * sp1)
        n2 = a / math.sqrt(1.0 - e2 * sp2 * sp2)
        dx = n2 * cp2 * math.cos(lon12) - n1 * cp1
        dy = n2 * cp2 * math.sin(lon12)
        dz = (1.0 - e2) * (n2 * sp2 - n1 * sp1)
        chord = math.sqrt(dx * dx + dy * dy + dz * dz)
        if chord <= _CHORD_M:
            pm = 0.5 * (p1 + p2)
            sm = math.sin(pm)
            w = 1.0 - e2 * sm * sm
            nm = a / math.sqrt(w)  # prime vertical and meridian radii at mid-latitude
            mm = a * (1.0 - e2) / (w * math.sqrt(w))
            dl = lon12 - 2.0 * math.pi * math.floor(lon12 / (2.0 * math.pi) + 0.5)
            east = dl * math.cos(pm) * nm
            north = (p2 - p1) * mm
            h2 = east * east + north * north
            inv_r = (north * north / mm + east * east / nm) / h2 if h2 > 0.0 else 1.0 / nm
            k = chord * chord * inv_r * inv_r
            out[i] = chord * (1.0 + k / 24.0 + 3.0 * k * k / 640.0)
            continue
        h = math.hypot(f1 * sp1, cp1)
        su1, cu1 = f1 * sp1 / h, cp1 / h
        h = math.hypot(f1 * sp2, cp2)
        su2, cu2 = f1 * sp2 / h, cp2 / h
        lam = lon12
        dist = math.nan
        for _ in range(100):
            sl, cl = math.sin(lam), math.cos(lam)
            t1 = cu2 * sl
            t2 = cu1 * su2 - su1 * cu2 * cl
            ss = math.hypot(t1, t2)
            if ss == 0.0:  # the same point
                dist = 0.0
                break
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
                dist = b * aa * (sig - ds)
                break
        out[i] = dist
        if dist != dist:
            bad += 1
    return bad


@numba.njit(cache=True, nogil=True)
def gaps(
    part, k0, t0, x0, y0, k1, t1, x1, y1, head, nseg, xy, limit,
):  # type: ignore[no-untyped-def]  # fmt: skip
    """Return the stretches of parts covered by none of those given (sorted by part, start).

    As :func:`geo.zones._outside_fast._gaps_numpy` (same gaps, same order,
    same floating-point operations): for stretch ``i`` the gap from the
    furthest point reached so far in its part (or the part's start) to its
    start, then for each part the gap from the furthest point reached to
    its end.  Returns the gaps' columns (part, k0, t0, x0, y0, k1, t1, x1,
    y1), their start positions and whether each is kept: longer than
    ``limit`` in planar degrees along the part.
    """
    n = len(part)
    n_end = 0
    for i in range(n):
        if i == n - 1 or part[i + 1] != part[i]:
            n_end += 1
    m = n + n_end
    gp = np.empty(m, np.int64)
    gk0 = np.empty(m, np.int64)
    gt0 = np.empty(m)
    gx0 = np.empty(m)
    gy0 = np.empty(m)
    gk1 = np.empty(m, np.int64)
    gt1 = np.empty(m)
    gx1 = np.empty(m)
    gy1 = np.empty(m)
    g_p0 = np.empty(m)
    g_p1 = np.empty(m)
    reach = 0.0
    holder = 0
    e = n  # next trailing gap
    for i in range(n):
        p = part[i]
        h = head[p]
        gp[i] = p
        gk1[i], gt1[i], gx1[i], gy1[i] = k0[i], t0[i], x0[i], y0[i]
        g_p1[i] = k0[i] + t0[i]
        if i == 0 or part[i - 1] != p:  # the part's first stretch: from its first vertex
            gk0[i], gt0[i], gx0[i], gy0[i] = 0, 0.0, xy[h, 0], xy[h, 1]
            g_p0[i] = 0.0
            reach = k1[i] + t1[i]
            holder = i
        else:  # from the end of the stretch reaching furthest so far
            gk0[i], gt0[i], gx0[i], gy0[i] = k1[holder], t1[holder], x1[holder], y1[holder]
            g_p0[i] = reach
            if k1[i] + t1[i] >= reach:
                reach = k1[i] + t1[i]
                holder = i
        if i == n - 1 or part[i + 1] != p:  # ... and after its last: to its last vertex
            last = h + nseg[p]
            gp[e] = p
            gk0[e], gt0[e], gx0[e], gy0[e] = k1[holder], t1[holder], x1[holder], y1[holder]
            gk1[e], gt1[e], gx1[e], gy1[e] = nseg[p] - 1, 1.0, xy[last, 0], xy[last, 1]
            g_p0[e] = reach
            g_p1[e] = float(nseg[p])
            e += 1
    keep = np.zeros(m, np.bool_)
    for g in range(m):
        if not g_p1[g] > g_p0[g]:
            continue
        h = head[gp[g]]
        a, b = gk0[g], gk1[g]
        la = math.hypot(xy[h + a + 1, 0] - xy[h + a, 0], xy[h + a + 1, 1] - xy[h + a, 1])
        if a == b:
            length = (gt1[g] - gt0[g]) * la
        else:
            lb = math.hypot(xy[h + b + 1, 0] - xy[h + b, 0], xy[h + b + 1, 1] - xy[h + b, 1])
            length = (1.0 - gt0[g]) * la + gt1[g] * lb
        span = b - a - 1  # whole segments a + 1 .. b - 1
        if span > 0:
            j = h + a + 1
            length += math.hypot(xy[j + 1, 0] - xy[j, 0], xy[j + 1, 1] - xy[j, 1])
        if length <= limit and span > 1:
            more = 0.0
            for j in range(h + a + 2, h + b):
                more += math.hypot(xy[j + 1, 0] - xy[j, 0], xy[j + 1, 1] - xy[j, 1])
            length += more
        keep[g] = length > limit
    return gp, gk0, gt0, gx0, gy0, gk1, gt1, gx1, gy1, g_p0, keep
