"""Where legs enter and leave zones, found on segment arrays (the fast path of the split).

Most legs cross no zone boundary, and those that do cross it at a few of
their segments.  Instead of cutting every line into chunks and intersecting
them with zone tiles in GEOS, the zone boundaries are cut into edges (each
kept once, with the zones it bounds) binned in a grid (``_GRID_DEG``).
Legs whose box holds no cell a zone may cover are settled without reading
their vertices; summed-area tables of the cells holding an edge then pick
the chunks of ``_CHUNK`` segments, and the segments, that come near a
boundary; only those are paired with the edges in their cells and
intersected (one compiled loop, :mod:`geo.zones._kernels`; the numpy
passes are kept as ``segment_crossings(..., compiled=False)``).  Whether
a leg starts inside a zone is one prepared point-in-polygon test per
(leg, zone); every crossing toggles it.  A leg's
stretches inside each zone are then intervals of its own parameter
(segment index + fraction), and the pieces are cut out of its vertex array.

Legs this does not settle exactly go to the GEOS path
(:func:`geo.zones._geos._segments_batch`): crossings within ``_EPS`` of a
vertex of the leg or of the boundary, segments parallel to a boundary edge
they meet, and (leg, zone) pairs whose crossing count disagrees with the
end points' containment.  Multi-part legs (across the antimeridian) are met
part by part by the caller (:mod:`geo.zones._fast`).
"""

from __future__ import annotations

import math
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import geopandas as gpd
import numpy as np
import numpy.typing as npt
import shapely

from geo._threadcache import SharedCache
from geo.threads import thread_count
from geo.zones._common import IntArray, ObjArray, _zone_key, shared_tiles
from geo.zones._compiled import compiled
from geo.zones._stretches import Stretches, Vertices, _ranges

FloatArray = npt.NDArray[np.float64]

#: Grid cell (degrees) in which boundary edges and leg segments are binned.
_GRID_DEG = 0.25
_NX = round(360 / _GRID_DEG) + 1
_NY = round(180 / _GRID_DEG) + 1
#: Cells per degree: the compiled loop multiplies by it, exactly dividing by a power of two.
_PER_DEG = 1.0 / _GRID_DEG
assert math.frexp(_GRID_DEG)[0] == 0.5, "the grid must be a power of two of degrees"
#: Crossings this close (in segment/edge fractions) to a vertex are left to GEOS.
_EPS = 1e-9
#: Segments per chunk in the first, coarse test against the grid.
_CHUNK = 8
#: Most threads running the compiled crossing finder (it releases the GIL).
_THREADS = 4


@dataclass(frozen=True)
class _Edges:
    """Zone boundary edges, binned in grid cells."""

    ax: FloatArray
    ay: FloatArray
    bx: FloatArray
    by: FloatArray
    zone: IntArray  # zones of edge i: zone[zone_start[i] : zone_start[i + 1]]
    zone_start: IntArray
    cell_start: npt.NDArray[np.int32]  # per cell: first of its entries in edge_of
    cell_count: npt.NDArray[np.int32]  # per cell: how many
    edge_of: IntArray  # edge of each (cell, edge) entry, by cell
    sat: npt.NDArray[np.int32]  # summed-area table of cells holding an edge
    cover: npt.NDArray[np.int32]  # summed-area table of cells a zone may cover
    box: FloatArray  # (n_zones, 4) bounds
    ex0: FloatArray  # each edge's box
    ex1: FloatArray
    ey0: FloatArray
    ey1: FloatArray
    # the same lists with each edge also in the cells left of and below its
    # box: a segment spanning at most two cells each way finds every edge
    # its box may overlap in the one list of its low corner's cell
    low_start: IntArray
    low_count: IntArray
    low_edge: IntArray
    low_bits: npt.NDArray[np.uint8]  # bit c (little-endian): whether low_count[c] > 0


#: Edge grids per zone set: numpy arrays only, built once and shared read-only by threads.
_EDGE_CACHE: SharedCache = SharedCache()


def _cell_x(x: FloatArray) -> IntArray:
    # clipped to [0, _NX - 1] before the cast: truncation is then floor
    return np.clip((x + 180.0) / _GRID_DEG, 0, _NX - 1).astype(np.int64)


def _cell_y(y: FloatArray) -> IntArray:
    return np.clip((y + 90.0) / _GRID_DEG, 0, _NY - 1).astype(np.int64)


def _box_hits(
    sat: npt.NDArray[np.int32], i0: IntArray, i1: IntArray, j0: IntArray, j1: IntArray
) -> npt.NDArray[np.bool_]:
    """Whether each cell box [i0..i1] x [j0..j1] holds an occupied cell (summed-area table)."""
    f = sat.ravel()
    w = sat.shape[1]
    a, b = i0 * w, (i1 + 1) * w
    return (f[b + j1 + 1] - f[a + j1 + 1] - f[b + j0] + f[a + j0]) > 0


def _expand(i0: IntArray, i1: IntArray, j0: IntArray, j1: IntArray) -> tuple[IntArray, IntArray]:
    """Every cell of each box [i0..i1] x [j0..j1]: (box index, cell id)."""
    nx = i1 - i0 + 1
    ny = j1 - j0 + 1
    cnt = nx * ny
    box = np.repeat(np.arange(len(cnt)), cnt)
    local = np.arange(int(cnt.sum())) - np.repeat(np.cumsum(cnt) - cnt, cnt)
    cx = i0[box] + local % nx[box]
    cy = j0[box] + local // nx[box]
    return box, cx * _NY + cy


def _edges(zones: gpd.GeoDataFrame, key: tuple[tuple[str, ...], int] | None = None) -> _Edges:
    """Boundary edges of every zone, binned; built once per zone set for every thread.

    Numpy arrays only (no GEOS object), read-only: threads share them.
    ``key``: the zones' :func:`_zone_key`, if known.
    """
    key = _zone_key(zones) if key is None else key
    return _EDGE_CACHE.get(key, lambda: _build_edges(zones, key))  # type: ignore[no-any-return]


def _build_edges(zones: gpd.GeoDataFrame, key: tuple[tuple[str, ...], int]) -> _Edges:
    geoms = np.asarray(zones.geometry.values, dtype=object)
    polys, zi = shapely.get_parts(geoms, return_index=True)
    rings, ri = shapely.get_rings(polys, return_index=True)
    xy, ci = shapely.get_coordinates(rings, return_index=True)
    same = ci[1:] == ci[:-1]
    a, b = xy[:-1][same], xy[1:][same]
    zone_of = zi[ri[ci[:-1][same]]].astype(np.int64)
    # Zones sharing a boundary (versions of one area, neighbours) share its
    # edges: each edge is kept once, with the zones it bounds.
    flip = (a[:, 0] > b[:, 0]) | ((a[:, 0] == b[:, 0]) & (a[:, 1] > b[:, 1]))
    a, b = np.where(flip[:, None], b, a), np.where(flip[:, None], a, b)
    uniq, inv = np.unique(np.hstack([a, b]), axis=0, return_inverse=True)
    inv = inv.ravel()
    a, b = uniq[:, :2], uniq[:, 2:]
    by_edge = np.argsort(inv, kind="stable")
    zone = zone_of[by_edge]
    zone_start = np.searchsorted(inv[by_edge], np.arange(len(uniq) + 1))
    i0, i1 = _cell_x(np.minimum(a[:, 0], b[:, 0])), _cell_x(np.maximum(a[:, 0], b[:, 0]))
    j0, j1 = _cell_y(np.minimum(a[:, 1], b[:, 1])), _cell_y(np.maximum(a[:, 1], b[:, 1]))
    edge, cell = _expand(i0, i1, j0, j1)
    order = np.argsort(cell, kind="stable")
    count = np.bincount(cell, minlength=_NX * _NY)
    start = np.cumsum(count) - count
    occ = np.zeros(_NX * _NY, dtype=np.int32)
    occ[cell] = 1
    sat = np.zeros((_NX + 1, _NY + 1), dtype=np.int32)
    sat[1:, 1:] = occ.reshape(_NX, _NY).cumsum(0).cumsum(1)
    _, _, tb = shared_tiles(zones, key)  # the zones' small tiles, as the GEOS path uses
    _, tcell = _expand(_cell_x(tb[:, 0]), _cell_x(tb[:, 2]), _cell_y(tb[:, 1]), _cell_y(tb[:, 3]))
    occ = np.zeros(_NX * _NY, dtype=np.int32)
    occ[tcell] = 1
    cover = np.zeros((_NX + 1, _NY + 1), dtype=np.int32)
    cover[1:, 1:] = occ.reshape(_NX, _NY).cumsum(0).cumsum(1)
    box = shapely.bounds(geoms) if len(geoms) else np.zeros((0, 4))
    low, lcell = _expand(np.maximum(i0 - 1, 0), i1, np.maximum(j0 - 1, 0), j1)
    lcount = np.bincount(lcell, minlength=_NX * _NY)
    out = _Edges(
        a[:, 0].copy(), a[:, 1].copy(), b[:, 0].copy(), b[:, 1].copy(), zone, zone_start,
        start.astype(np.int32), count.astype(np.int32), edge[order], sat, cover, box,
        np.minimum(a[:, 0], b[:, 0]), np.maximum(a[:, 0], b[:, 0]),
        np.minimum(a[:, 1], b[:, 1]), np.maximum(a[:, 1], b[:, 1]),
        (np.cumsum(lcount) - lcount).astype(np.int64), lcount.astype(np.int64),
        low[np.argsort(lcell, kind="stable")],
        np.packbits(lcount > 0, bitorder="little"),
    )  # fmt: skip
    return out


@dataclass(frozen=True)
class Meetings:
    """How the parts of one batch of legs meet the zones valid on their first day.

    Parts are positions in the batch; ``hard`` parts are left to GEOS.  The
    stretches inside zones (one row each, sorted by part, zone and start)
    are ``stretches``, their zones ``zone``.
    """

    hard: npt.NDArray[np.bool_]
    nseg: IntArray  # segments per part
    zone: IntArray
    stretches: Stretches


def _chunk_boxes(xy: FloatArray) -> tuple[FloatArray, FloatArray]:
    """(lon, lat) box corners of chunks of ``_CHUNK`` segments of the flat vertex array.

    Chunk ``j`` holds vertices ``_CHUNK * j .. _CHUNK * (j + 1)``, whatever leg
    they belong to (a chunk across two legs is only larger): one reshape and
    a halving tree of minima and maxima, no per-leg bookkeeping.
    """
    full = (len(xy) - 1) // _CHUNK
    lo = hi = xy[: full * _CHUNK].reshape(full, _CHUNK, 2)
    width = _CHUNK
    while width > 1:
        width //= 2
        lo = np.minimum(lo[:, :width], lo[:, width : 2 * width])
        hi = np.maximum(hi[:, :width], hi[:, width : 2 * width])
    nxt = xy[_CHUNK : full * _CHUNK + 1 : _CHUNK]  # each chunk's last vertex
    lo, hi = np.minimum(lo[:, 0], nxt), np.maximum(hi[:, 0], nxt)
    rest = xy[full * _CHUNK :]
    if len(rest) > 1:
        lo = np.vstack([lo, rest.min(axis=0)])
        hi = np.vstack([hi, rest.max(axis=0)])
    return lo, hi


def _near_segments(xy: FloatArray, head: IntArray, nseg: IntArray, ed: _Edges) -> IntArray:
    """Segments ``k`` (vertex k to k + 1 of ``xy``) of some legs, whose box holds an edge cell.

    ``head``, ``nseg``: the first vertex and the segment count of each leg
    to search.  ``xy`` may hold other legs' vertices too (those of legs
    whose box meets no edge): their segments are not returned.
    """
    if len(xy) < 2:
        return np.zeros(0, dtype=np.int64)
    lo, hi = _chunk_boxes(xy)
    i0, i1 = _cell_x(lo[:, 0]), _cell_x(hi[:, 0])
    near = np.flatnonzero(_box_hits(ed.sat, i0, i1, _cell_y(lo[:, 1]), _cell_y(hi[:, 1])))
    first = near * _CHUNK
    k = _ranges(first, np.minimum(_CHUNK, len(xy) - 1 - first))
    is_seg = np.zeros(len(xy), dtype=bool)
    is_seg[_ranges(head, nseg)] = True  # not a leg's last vertex, nor another leg's
    return k[is_seg[k]]


def meetings(
    batch: ObjArray,
    s: IntArray,
    zones: gpd.GeoDataFrame,
    zf: IntArray,
    zt: IntArray,
    *,
    key: tuple[tuple[str, ...], int] | None = None,
) -> Meetings:
    """Stretches of each leg inside each zone valid on the leg's day ``s``.

    Parameters
    ----------
    batch
        Leg geometries (LineStrings in lon/lat; others are marked hard).
    s
        Each leg's first day (int day numbers, as ``_days``).
    zones, zf, zt
        The zones and their validity as day numbers.
    key
        The zones' :func:`geo.zones._common._zone_key`, if known.

    """
    n = len(batch)
    zgeom = np.asarray(zones.geometry.values, dtype=object)
    shapely.prepare(zgeom)
    ed = _edges(zones, key)
    easy = shapely.get_type_id(batch) == 1
    hard = ~easy
    nc = shapely.get_num_coordinates(batch)
    hard[easy & (nc < 2)] = True
    nseg = np.where(hard, 0, nc - 1).astype(np.int64)
    # Legs whose box holds no cell a zone covers meet no zone: no vertex needed.
    bb = shapely.bounds(batch[~hard])
    cells = _cell_x(bb[:, 0]), _cell_x(bb[:, 2]), _cell_y(bb[:, 1]), _cell_y(bb[:, 3])
    cand = np.zeros(n, dtype=bool)
    cand[~hard] = _box_hits(ed.cover, *cells)
    # ... and those whose box holds no cell with an edge cross no boundary.
    near = np.zeros(n, dtype=bool)
    near[~hard] = _box_hits(ed.sat, *cells)
    idx_easy = np.flatnonzero(cand)
    v = Vertices.of(batch, idx_easy, nseg)
    xy, h_e = v.xy, v.head[idx_easy]
    # --- crossings of leg segments with boundary edges -------------------------
    search = np.flatnonzero(cand & near)
    cl, cz, ck, ct, cxp, cyp = segment_crossings(
        xy, v.head, nseg, search, ed, s, zf, zt, hard,
        compiled=compiled(int(nseg[search].sum())),
    )
    # --- containment of the first and last vertex --------------------------------
    fxy, lxy = xy[h_e], xy[h_e + nseg[idx_easy]]
    nz = max(len(zgeom), 1)
    k_in0 = _inside(zgeom, ed.box, zf, zt, s[idx_easy], fxy, idx_easy, nz)
    k_in1 = _inside(zgeom, ed.box, zf, zt, s[idx_easy], lxy, idx_easy, nz)
    k_cross = cl * nz + cz
    # Parity: an odd number of crossings iff exactly one end is inside.
    uk, ncross = np.unique(k_cross, return_counts=True)
    allk = np.union1d(np.union1d(uk, k_in0), k_in1)
    odd = np.zeros(len(allk), dtype=bool)
    odd[np.searchsorted(allk, uk)] = ncross % 2 == 1
    e0 = np.isin(allk, k_in0)
    e1 = np.isin(allk, k_in1)
    bad = odd != (e0 ^ e1)
    hard[allk[bad] // nz] = True
    # --- stretches: start (if inside), crossings, end (if inside), paired up -----
    okl = ~hard
    s0 = allk[e0]
    s0 = s0[okl[s0 // nz]]
    s1 = allk[e1]
    s1 = s1[okl[s1 // nz]]
    cok = okl[cl]
    ev_key = np.concatenate([s0, k_cross[cok], s1])
    l0, l1 = s0 // nz, s1 // nz
    ev_p = np.concatenate([np.full(len(s0), -1.0), (ck + ct)[cok], nseg[l1].astype(float) + 1.0])
    ev_k = np.concatenate([np.zeros(len(s0), np.int64), ck[cok], nseg[l1] - 1])
    ev_t = np.concatenate([np.zeros(len(s0)), ct[cok], np.ones(len(s1))])
    ev_x = np.concatenate([xy[v.head[l0], 0], cxp[cok], xy[v.head[l1] + nseg[l1], 0]])
    ev_y = np.concatenate([xy[v.head[l0], 1], cyp[cok], xy[v.head[l1] + nseg[l1], 1]])
    order = np.lexsort((ev_p, ev_key))
    ev_key, ev_k, ev_t, ev_x, ev_y = (
        ev_key[order], ev_k[order], ev_t[order], ev_x[order], ev_y[order]
    )  # fmt: skip
    a, b = slice(0, None, 2), slice(1, None, 2)
    st = Stretches(
        ev_key[a] // nz, ev_k[a], ev_t[a], ev_x[a], ev_y[a], ev_k[b], ev_t[b], ev_x[b], ev_y[b]
    )
    return Meetings(hard=hard, nseg=nseg, zone=ev_key[a] % nz, stretches=st)


def segment_crossings(
    xy: FloatArray,
    head: IntArray,
    nseg: IntArray,
    legs: IntArray,
    ed: _Edges,
    s: IntArray,
    zf: IntArray,
    zt: IntArray,
    hard: npt.NDArray[np.bool_],
    *,
    compiled: bool = True,
) -> tuple[IntArray, IntArray, IntArray, FloatArray, FloatArray, FloatArray]:
    """Where the segments of batch legs ``legs`` cross the edges of zones valid on their day.

    ``xy``: the legs' vertices, leg ``i``'s from ``head[i]`` (``nseg[i]``
    segments).  Returns (leg, zone, segment index within the leg, fraction
    t along it, x, y), one row per crossing and zone; legs with a crossing
    too close to call (near a vertex, collinear with an edge) are marked
    ``hard``.  ``compiled=False``: the numpy version (same crossings, maybe
    in another order; tests compare them).
    """
    if compiled:
        from geo.zones._kernels import segment_crossings as kernel  # numba: imported lazily

        def run(part: IntArray) -> tuple[npt.NDArray[np.generic], ...]:
            return kernel(  # type: ignore[no-any-return]
                xy, head, nseg, part, s, zf, zt, ed.ax, ed.ay, ed.bx, ed.by,
                ed.ex0, ed.ex1, ed.ey0, ed.ey1, ed.zone, ed.zone_start, ed.cell_start,
                ed.cell_count, ed.edge_of, ed.low_start, ed.low_count, ed.low_edge,
                ed.sat.ravel(), _PER_DEG, _NX, _NY, _EPS, _CHUNK, hard, ed.low_bits,
            )  # fmt: skip

        # The kernel releases the GIL: the legs in ``_THREADS`` runs of equal
        # vertex counts, one per thread, each writing ``hard`` only for its
        # own legs; joined in order, the answer does not depend on timing.
        threads = thread_count(most=_THREADS)
        if threads == 1 or len(legs) < 1000:
            return run(legs)  # type: ignore[return-value]
        nv = np.cumsum(nseg[legs])
        runs = np.split(legs, np.searchsorted(nv, nv[-1] * np.arange(1, threads) / threads))
        with ThreadPoolExecutor(max_workers=len(runs)) as pool:
            got = list(pool.map(run, runs))
        return tuple(np.concatenate(col) for col in zip(*got, strict=True))  # type: ignore[return-value]
    h_e = head[legs]
    k = _near_segments(xy, h_e, nseg[legs], ed)
    kleg = legs[np.searchsorted(h_e, k, side="right") - 1]  # batch leg of segment k
    cl, cz, ck, ct, cxp, cyp = _crossings(xy, k, kleg, ed, s, zf, zt, hard)
    return cl, cz, ck - head[cl], ct, cxp, cyp


def _crossings(
    xy: FloatArray,
    k: IntArray,
    kleg: IntArray,
    ed: _Edges,
    s: IntArray,
    zf: IntArray,
    zt: IntArray,
    hard: npt.NDArray[np.bool_],
) -> tuple[IntArray, IntArray, IntArray, FloatArray, FloatArray, FloatArray]:
    """Where segments ``k`` of legs ``kleg`` cross the edges of zones valid on the leg's day.

    Returns (leg, zone, vertex index of the segment, fraction t along it,
    x, y), one row per crossing and zone; legs with a crossing too close to
    call (near a vertex, collinear with an edge) are marked ``hard``.
    """
    a, b = np.take(xy, k, axis=0), np.take(xy, k + 1, axis=0)  # rows: faster than xy[k, 0]
    sax, sbx, say, sby = a[:, 0], b[:, 0], a[:, 1], b[:, 1]
    sx0, sx1 = np.minimum(sax, sbx), np.maximum(sax, sbx)
    sy0, sy1 = np.minimum(say, sby), np.maximum(say, sby)
    i0, i1, j0, j1 = _cell_x(sx0), _cell_x(sx1), _cell_y(sy0), _cell_y(sy1)
    # Short segments (at most two cells each way, nearly all): the edges
    # listed at their low corner's cell, each once.
    short = np.flatnonzero((i1 - i0 <= 1) & (j1 - j0 <= 1))
    lcell = i0[short] * _NY + j0[short]
    cnt = ed.low_count[lcell]
    pair_s = short[np.repeat(np.arange(len(short)), cnt)]
    edge_s = ed.low_edge[_ranges(ed.low_start[lcell], cnt)]
    # Longer ones: the edges of every cell of their box holding one, each
    # (segment, edge) pair once, in the cell holding the low corner of the
    # overlap of their boxes.
    long_ = np.flatnonzero((i1 - i0 > 1) | (j1 - j0 > 1))
    near = long_[_box_hits(ed.sat, i0[long_], i1[long_], j0[long_], j1[long_])]
    sbox, cell = _expand(i0[near], i1[near], j0[near], j1[near])
    lo, cnt = ed.cell_start[cell], ed.cell_count[cell]
    pair_l = near[np.repeat(sbox, cnt)]
    edge_l = ed.edge_of[_ranges(lo, cnt)]
    rx = np.maximum(sx0[pair_l], ed.ex0[edge_l])
    ry = np.maximum(sy0[pair_l], ed.ey0[edge_l])
    once = _cell_x(rx) * _NY + _cell_y(ry) == np.repeat(cell, cnt)
    pair_box = np.concatenate([pair_s, pair_l[once]])
    edge = np.concatenate([edge_s, edge_l[once]])
    # Pairs whose boxes do not overlap cannot meet.
    keep = np.flatnonzero(
        (np.maximum(sx0[pair_box], ed.ex0[edge]) <= np.minimum(sx1[pair_box], ed.ex1[edge]))
        & (np.maximum(sy0[pair_box], ed.ey0[edge]) <= np.minimum(sy1[pair_box], ed.ey1[edge]))
    )
    pair_box, edge = pair_box[keep], edge[keep]
    seg, leg = k[pair_box], kleg[pair_box]
    ax, ay, bx, by = sax[pair_box], say[pair_box], sbx[pair_box], sby[pair_box]
    cx, cy, dx, dy = ed.ax[edge], ed.ay[edge], ed.bx[edge], ed.by[edge]
    rx_, ry_ = bx - ax, by - ay
    qx, qy = dx - cx, dy - cy
    wx, wy = cx - ax, cy - ay
    den = rx_ * qy - ry_ * qx
    scale = np.hypot(rx_, ry_) * np.hypot(qx, qy)
    parallel = np.abs(den) <= 1e-12 * scale
    with np.errstate(divide="ignore", invalid="ignore"):
        t = (wx * qy - wy * qx) / den
        u = (wx * ry_ - wy * rx_) / den
    hit = ~parallel & (t >= -_EPS) & (t <= 1 + _EPS) & (u >= -_EPS) & (u <= 1 + _EPS)
    touchy = hit & ((t < _EPS) | (t > 1 - _EPS) | (u < _EPS) | (u > 1 - _EPS))
    # Parallel pairs whose boxes overlap: collinear ones cannot be toggled.
    collinear = parallel & (np.abs(wx * ry_ - wy * rx_) <= 1e-12 * (scale + np.hypot(wx, wy)))
    # Each hit counts for every zone the edge bounds that is valid on the leg's day.
    nzh = ed.zone_start[edge + 1] - ed.zone_start[edge]
    rep = np.repeat(np.arange(len(edge)), nzh)
    z = ed.zone[_ranges(ed.zone_start[edge], nzh)]
    live = (zf[z] <= s[leg[rep]]) & (zt[z] >= s[leg[rep]])
    rep, z = rep[live], z[live]
    bad_pair = (touchy | collinear | (parallel & (scale == 0)))[rep]
    hard[leg[rep[bad_pair]]] = True
    hit_r = hit[rep]
    sel = rep[hit_r]
    cl, cz, cseg, ct = leg[sel], z[hit_r], seg[sel], t[sel]
    cxp = ax[sel] + ct * (bx[sel] - ax[sel])
    cyp = ay[sel] + ct * (by[sel] - ay[sel])
    return cl, cz, cseg, ct, cxp, cyp


def _inside(
    zgeom: ObjArray,
    box: FloatArray,
    zf: IntArray,
    zt: IntArray,
    s: IntArray,
    pxy: FloatArray,
    leg: IntArray,
    nz: int,
) -> IntArray:
    """Return ``leg * nz + zone`` for points ``pxy`` of legs ``leg`` in zones valid on ``s``.

    One prepared point-in-polygon test per zone for the points in its box.
    """
    px, py = pxy[:, 0], pxy[:, 1]
    keys = [np.zeros(0, dtype=np.int64)]
    for zi, (x0, y0, x1, y1) in enumerate(box):
        sel = np.flatnonzero(
            (zf[zi] <= s) & (zt[zi] >= s) & (px >= x0) & (px <= x1) & (py >= y0) & (py <= y1)
        )
        if len(sel):
            got = shapely.contains_xy(zgeom[zi], px[sel], py[sel])
            keys.append(leg[sel[got]] * nz + zi)
    return np.concatenate(keys)
