"""Where legs enter and leave zones, found on segment arrays (the fast path of the split).

Most legs cross no zone boundary, and those that do cross it at a few of
their segments.  Instead of cutting every line into chunks and intersecting
them with zone tiles in GEOS, the zone boundaries are cut into edges (each
kept once, with the zones it bounds) binned in a grid (``_GRID_DEG``).
Legs whose box holds no cell a zone may cover are settled without reading
their vertices; summed-area tables of the cells holding an edge then pick
the chunks of ``_CHUNK`` segments, and the segments, that come near a
boundary; only those are paired with the edges in their cells and
intersected in numpy.  Whether a leg starts inside a zone is one prepared
point-in-polygon test per (leg, zone); every crossing toggles it.  A leg's
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

from dataclasses import dataclass

import geopandas as gpd
import numpy as np
import numpy.typing as npt
import shapely

from geo import columns as C  # noqa: N812
from geo.zones._common import _GEOD, IntArray, ObjArray, _tiles

FloatArray = npt.NDArray[np.float64]

#: Grid cell (degrees) in which boundary edges and leg segments are binned.
_GRID_DEG = 0.25
_NX = round(360 / _GRID_DEG) + 1
_NY = round(180 / _GRID_DEG) + 1
#: Crossings this close (in segment/edge fractions) to a vertex are left to GEOS.
_EPS = 1e-9
#: Segments per chunk in the first, coarse test against the grid.
_CHUNK = 8


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


_EDGE_CACHE: dict[tuple[tuple[str, ...], int], _Edges] = {}


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


def _ranges(start: IntArray, count: IntArray) -> IntArray:
    """Concatenated ranges start[i] .. start[i] + count[i] - 1."""
    return np.repeat(start - (np.cumsum(count) - count), count) + np.arange(int(count.sum()))


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


def _edges(zones: gpd.GeoDataFrame) -> _Edges:
    """Boundary edges of every zone, binned; cached per zone set."""
    geoms = np.asarray(zones.geometry.values, dtype=object)
    key = (tuple(zones[C.ZONE_ID].astype(str)), hash(tuple(shapely.to_wkb(geoms))))
    if key in _EDGE_CACHE:
        return _EDGE_CACHE[key]
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
    tiles, _ = _tiles(zones)  # the zones' small tiles, as the GEOS path uses
    tb = shapely.bounds(tiles) if len(tiles) else np.zeros((0, 4))
    _, tcell = _expand(_cell_x(tb[:, 0]), _cell_x(tb[:, 2]), _cell_y(tb[:, 1]), _cell_y(tb[:, 3]))
    occ = np.zeros(_NX * _NY, dtype=np.int32)
    occ[tcell] = 1
    cover = np.zeros((_NX + 1, _NY + 1), dtype=np.int32)
    cover[1:, 1:] = occ.reshape(_NX, _NY).cumsum(0).cumsum(1)
    box = shapely.bounds(geoms) if len(geoms) else np.zeros((0, 4))
    out = _Edges(
        a[:, 0].copy(), a[:, 1].copy(), b[:, 0].copy(), b[:, 1].copy(), zone, zone_start,
        start.astype(np.int32), count.astype(np.int32), edge[order], sat, cover, box,
        np.minimum(a[:, 0], b[:, 0]), np.maximum(a[:, 0], b[:, 0]),
        np.minimum(a[:, 1], b[:, 1]), np.maximum(a[:, 1], b[:, 1]),
    )  # fmt: skip
    if len(_EDGE_CACHE) >= 8:
        _EDGE_CACHE.pop(next(iter(_EDGE_CACHE)))
    _EDGE_CACHE[key] = out
    return out


@dataclass
class Meetings:
    """How the legs of one batch meet the zones valid on their first day.

    ``leg`` indices are positions in the batch; ``hard`` legs are left to GEOS.
    """

    xy: FloatArray  # vertices of the batch's easy legs
    head: IntArray  # first vertex of each leg in xy (-1: not an easy leg)
    nseg: IntArray  # segments per leg
    hard: npt.NDArray[np.bool_]
    # intervals inside zones, one row each, sorted by (leg, z, start)
    leg: IntArray
    z: IntArray
    k0: IntArray
    t0: FloatArray
    x0: FloatArray
    y0: FloatArray
    k1: IntArray
    t1: FloatArray
    x1: FloatArray
    y1: FloatArray


def meetings(
    batch: ObjArray, s: IntArray, zones: gpd.GeoDataFrame, zf: IntArray, zt: IntArray
) -> Meetings:
    """Intervals of each leg inside each zone valid on the leg's day ``s``.

    Parameters
    ----------
    batch
        Leg geometries (LineStrings in lon/lat; others are marked hard).
    s
        Each leg's first day (int day numbers, as ``_days``).
    zones, zf, zt
        The zones and their validity as day numbers.

    """
    n = len(batch)
    zgeom = np.asarray(zones.geometry.values, dtype=object)
    shapely.prepare(zgeom)
    ed = _edges(zones)
    easy = shapely.get_type_id(batch) == 1
    hard = ~easy
    nc = shapely.get_num_coordinates(batch)
    hard[easy & (nc < 2)] = True
    # Legs whose box holds no cell a zone covers meet no zone: no vertex needed.
    bb = shapely.bounds(batch[~hard])
    i0, i1 = _cell_x(bb[:, 0]), _cell_x(bb[:, 2])
    j0, j1 = _cell_y(bb[:, 1]), _cell_y(bb[:, 3])
    cov = ed.cover
    cand = np.zeros(n, dtype=bool)
    cand[~hard] = _box_hits(cov, i0, i1, j0, j1)
    idx_easy = np.flatnonzero(cand)
    m = nc[idx_easy]
    xy = shapely.get_coordinates(batch[idx_easy])
    head = np.full(n, -1, dtype=np.int64)
    nseg = np.zeros(n, dtype=np.int64)
    h_e = np.cumsum(m) - m
    head[idx_easy] = h_e
    nseg[idx_easy] = m - 1
    # --- crossings of leg segments with boundary edges -------------------------
    # Chunks of _CHUNK segments: their boxes (reduceat over the vertices)
    # against the summed-area table of cells holding a boundary edge.
    nch = -(-(m - 1) // _CHUNK)
    cleg = np.repeat(np.arange(len(m)), nch)
    cs = np.repeat(h_e, nch) + _CHUNK * _ranges(np.zeros(len(nch), np.int64), nch)
    ce = np.minimum(cs + _CHUNK, (h_e + m - 1)[cleg])  # last vertex of each chunk
    x, y = np.ascontiguousarray(xy[:, 0]), np.ascontiguousarray(xy[:, 1])
    if len(cs):
        cx0 = np.minimum(np.minimum.reduceat(x, cs), x[ce])
        cx1 = np.maximum(np.maximum.reduceat(x, cs), x[ce])
        cy0 = np.minimum(np.minimum.reduceat(y, cs), y[ce])
        cy1 = np.maximum(np.maximum.reduceat(y, cs), y[ce])
        i0, i1, j0, j1 = _cell_x(cx0), _cell_x(cx1), _cell_y(cy0), _cell_y(cy1)
        sat = ed.sat
        near = _box_hits(sat, i0, i1, j0, j1)
    else:
        near = np.zeros(0, dtype=bool)
    cs, ce, cleg = cs[near], ce[near], cleg[near]
    span = ce - cs
    k = _ranges(cs, span)  # segment k: vertex k -> k + 1
    kleg = idx_easy[np.repeat(cleg, span)]  # batch leg of each segment k
    sax, sbx, say, sby = x[k], x[k + 1], y[k], y[k + 1]
    sx0, sx1 = np.minimum(sax, sbx), np.maximum(sax, sbx)
    sy0, sy1 = np.minimum(say, sby), np.maximum(say, sby)
    i0, i1, j0, j1 = _cell_x(sx0), _cell_x(sx1), _cell_y(sy0), _cell_y(sy1)
    sat = ed.sat
    near = np.flatnonzero(_box_hits(sat, i0, i1, j0, j1))
    i0, i1, j0, j1 = i0[near], i1[near], j0[near], j1[near]
    sbox, cell = _expand(i0, i1, j0, j1)
    lo, cnt = ed.cell_start[cell], ed.cell_count[cell]
    pair_box = near[np.repeat(sbox, cnt)]  # the near segment of each (segment, edge) pair
    pair_cell = np.repeat(cell, cnt)
    edge = ed.edge_of[_ranges(lo, cnt)]
    # Each (segment, edge) pair once: in the cell holding the low corner of
    # the overlap of their boxes (pairs whose boxes do not overlap go).
    ex0, ex1 = ed.ex0[edge], ed.ex1[edge]
    ey0, ey1 = ed.ey0[edge], ed.ey1[edge]
    rx = np.maximum(sx0[pair_box], ex0)
    ry = np.maximum(sy0[pair_box], ey0)
    keep = np.flatnonzero(
        (rx <= np.minimum(sx1[pair_box], ex1))
        & (ry <= np.minimum(sy1[pair_box], ey1))
        & (_cell_x(rx) * _NY + _cell_y(ry) == pair_cell)
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
    cl, cz, cseg, ct = leg[rep[hit_r]], z[hit_r], seg[rep[hit_r]], t[rep[hit_r]]
    cxp = xy[cseg, 0] + ct * (xy[cseg + 1, 0] - xy[cseg, 0])
    cyp = xy[cseg, 1] + ct * (xy[cseg + 1, 1] - xy[cseg, 1])
    ck = cseg - head[cl]
    # --- containment of the first and last vertex --------------------------------
    first = h_e
    last = h_e + m - 1
    fx, fy, lx, ly = xy[first, 0], xy[first, 1], xy[last, 0], xy[last, 1]
    s_easy = s[idx_easy]
    in0: list[tuple[IntArray, IntArray]] = []
    in1: list[tuple[IntArray, IntArray]] = []
    for zi, (x0, y0, x1, y1) in enumerate(ed.box):
        valid = (zf[zi] <= s_easy) & (zt[zi] >= s_easy)
        for px, py, acc in ((fx, fy, in0), (lx, ly, in1)):
            sel = np.flatnonzero(valid & (px >= x0) & (px <= x1) & (py >= y0) & (py <= y1))
            if len(sel):
                got = shapely.contains_xy(zgeom[zi], px[sel], py[sel])
                acc.append((idx_easy[sel[got]], np.full(int(got.sum()), zi, dtype=np.int64)))
    nz = max(len(zgeom), 1)

    def keys(acc: list[tuple[IntArray, IntArray]]) -> IntArray:
        if not acc:
            return np.array([], dtype=np.int64)
        return np.concatenate([a * nz + b for a, b in acc])

    k_in0, k_in1 = keys(in0), keys(in1)
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
    # --- intervals: start (if inside), crossings, end (if inside), paired up -----
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
    ev_x = np.concatenate([xy[head[l0], 0], cxp[cok], xy[head[l1] + nseg[l1], 0]])
    ev_y = np.concatenate([xy[head[l0], 1], cyp[cok], xy[head[l1] + nseg[l1], 1]])
    order = np.lexsort((ev_p, ev_key))
    ev_key, ev_k, ev_t, ev_x, ev_y = (
        ev_key[order], ev_k[order], ev_t[order], ev_x[order], ev_y[order]
    )  # fmt: skip
    a, b = slice(0, None, 2), slice(1, None, 2)
    return Meetings(
        xy=xy,
        head=head,
        nseg=nseg,
        hard=hard,
        leg=ev_key[a] // nz,
        z=ev_key[a] % nz,
        k0=ev_k[a],
        t0=ev_t[a],
        x0=ev_x[a],
        y0=ev_y[a],
        k1=ev_k[b],
        t1=ev_t[b],
        x1=ev_x[b],
        y1=ev_y[b],
    )


def _coords(
    mt: Meetings,
    leg: IntArray,
    k0: IntArray,
    x0: FloatArray,
    y0: FloatArray,
    k1: IntArray,
    x1: FloatArray,
    y1: FloatArray,
) -> tuple[FloatArray, IntArray]:
    """Coordinates of the pieces (start point, vertices k0 + 1 .. k1, end point), sizes."""
    inner = np.maximum(k1 - k0, 0)
    size = inner + 2
    first = np.cumsum(size) - size
    last = first + size - 1
    # the at-th coordinate of a piece is vertex k0 + at (at = 1 .. inner)
    vtx = np.arange(int(size.sum())) + np.repeat(mt.head[leg] + k0 - first, size)
    np.clip(vtx, 0, max(len(mt.xy) - 1, 0), out=vtx)
    coords = np.take(mt.xy, vtx, axis=0) if len(mt.xy) else np.zeros((len(vtx), 2))
    coords[first, 0], coords[first, 1] = x0, y0
    coords[last, 0], coords[last, 1] = x1, y1
    return coords, size


def pieces(
    mt: Meetings,
    leg: IntArray,
    k0: IntArray,
    x0: FloatArray,
    y0: FloatArray,
    k1: IntArray,
    x1: FloatArray,
    y1: FloatArray,
) -> ObjArray:
    """LineStrings from (k0, start point) to (k1, end point) along each leg.

    The leg's vertices ``k0 + 1 .. k1`` lie between the two points.
    """
    if not len(leg):
        return np.array([], dtype=object)
    coords, size = _coords(mt, leg, k0, x0, y0, k1, x1, y1)
    return shapely.from_ragged_array(
        shapely.GeometryType.LINESTRING, coords, (np.r_[0, np.cumsum(size)],)
    )


def grouped_pieces(
    mt: Meetings,
    group: IntArray,
    leg: IntArray,
    k0: IntArray,
    x0: FloatArray,
    y0: FloatArray,
    k1: IntArray,
    x1: FloatArray,
    y1: FloatArray,
) -> ObjArray:
    """One geometry per group of pieces (``group``: 0, 1, ... in order, pieces in order).

    A LineString for a group of one piece, else the MultiLineString of its
    pieces, built straight from the coordinates (GeoArrow offsets).
    """
    n_groups = int(group.max()) + 1 if len(group) else 0
    out = np.empty(n_groups, dtype=object)
    if not n_groups:
        return out
    cnt = np.bincount(group, minlength=n_groups)
    one = cnt[group] == 1
    sel = np.flatnonzero(one)
    out[group[sel]] = pieces(mt, leg[sel], k0[sel], x0[sel], y0[sel], k1[sel], x1[sel], y1[sel])
    sel = np.flatnonzero(~one)
    if len(sel):
        coords, size = _coords(mt, leg[sel], k0[sel], x0[sel], y0[sel], k1[sel], x1[sel], y1[sel])
        ug, per = np.unique(group[sel], return_counts=True)
        out[ug] = shapely.from_ragged_array(
            shapely.GeometryType.MULTILINESTRING,
            coords,
            (np.r_[0, np.cumsum(size)], np.r_[0, np.cumsum(per)]),
        )
    return out


def piece_km(
    mt: Meetings,
    leg: IntArray,
    k0: IntArray,
    x0: FloatArray,
    y0: FloatArray,
    k1: IntArray,
    x1: FloatArray,
    y1: FloatArray,
) -> FloatArray:
    """Geodesic km of pieces of legs whose vertices lie on one geodesic.

    Start point to the first inner vertex, that vertex to the last inner
    vertex (one geodesic: the vertices lie on it), and on to the end point.
    """
    if not len(leg):
        return np.zeros(0)
    h = mt.head[leg]
    has = k1 >= k0 + 1
    v0 = mt.xy[h + np.where(has, k0 + 1, 0)]
    v1 = mt.xy[h + np.where(has, k1, 0)]
    px = np.concatenate([x0, v0[:, 0], v1[:, 0]])
    py = np.concatenate([y0, v0[:, 1], v1[:, 1]])
    qx = np.concatenate([np.where(has, v0[:, 0], x1), v1[:, 0], x1])
    qy = np.concatenate([np.where(has, v0[:, 1], y1), v1[:, 1], y1])
    _, _, d = _GEOD.inv(px, py, qx, qy)
    n = len(leg)
    return (d[:n] + np.where(has, d[n : 2 * n] + d[2 * n :], 0.0)) / 1000.0


def longer_than(
    mt: Meetings,
    leg: IntArray,
    k0: IntArray,
    t0: FloatArray,
    k1: IntArray,
    t1: FloatArray,
    limit: float,
) -> npt.NDArray[np.bool_]:
    """Whether the planar length along each leg from (k0, t0) to (k1, t1) exceeds ``limit``.

    The partial end segments plus the first full one settle almost every
    stretch; only the rest are summed segment by segment.
    """
    h = mt.head[leg]
    xy = mt.xy

    def seglen(g: IntArray) -> FloatArray:
        return np.hypot(xy[g + 1, 0] - xy[g, 0], xy[g + 1, 1] - xy[g, 1])

    l0, l1 = seglen(h + k0), seglen(h + k1)
    out = np.where(k0 == k1, (t1 - t0) * l0, (1.0 - t0) * l0 + t1 * l1)
    span = np.maximum(k1 - k0 - 1, 0)  # full segments k0 + 1 .. k1 - 1
    has = span > 0
    out[has] += seglen((h + k0 + 1)[has])
    more = np.flatnonzero((out <= limit) & (span > 1))
    if len(more):
        rest = span[more] - 1
        idx = _ranges((h + k0 + 2)[more], rest)
        out[more] += np.bincount(np.repeat(np.arange(len(more)), rest), seglen(idx), len(more))
    return out > limit
