"""Stretches along legs, given as positions on their vertex arrays: geometry and km.

A stretch runs along one part of a leg from (``k0``, ``t0``), the point
``(x0, y0)`` at fraction ``t0`` of segment ``k0``, to (``k1``, ``t1``) at
``(x1, y1)``; the part's vertices ``k0 + 1 .. k1`` lie between.  The
geometry of many stretches is cut out of one coordinate array with one
gather and one GeoArrow build (:func:`shapely.from_ragged_array`).
"""

from __future__ import annotations

from dataclasses import dataclass, fields

import numpy as np
import numpy.typing as npt
import shapely

from geo.zones._common import IntArray, ObjArray
from geo.zones._geodesic import geodesic_m

FloatArray = npt.NDArray[np.float64]


@dataclass(frozen=True)
class Vertices:
    """Vertices of some parts of legs: part ``p`` is ``xy[head[p] : head[p] + nseg[p] + 1]``.

    ``head`` is -1 for parts whose vertices were not read.
    """

    xy: FloatArray
    head: IntArray
    nseg: IntArray

    @classmethod
    def of(cls, parts: ObjArray, which: IntArray, nseg: IntArray) -> Vertices:
        """Read the vertices of ``parts[which]`` (``nseg``: segments of every part)."""
        head = np.full(len(parts), -1, dtype=np.int64)
        size = nseg[which] + 1
        head[which] = np.cumsum(size) - size
        xy = shapely.get_coordinates(parts[which]) if len(which) else np.zeros((0, 2))
        return cls(xy, head, nseg)


@dataclass(frozen=True)
class Stretches:
    """Stretches along parts of legs, one per row (see the module docstring)."""

    part: IntArray
    k0: IntArray
    t0: FloatArray
    x0: FloatArray
    y0: FloatArray
    k1: IntArray
    t1: FloatArray
    x1: FloatArray
    y1: FloatArray

    def __len__(self) -> int:
        return len(self.part)

    def take(self, idx: npt.ArrayLike) -> Stretches:
        """Return the stretches ``idx`` (an index or boolean array)."""
        return Stretches(*(getattr(self, f.name)[idx] for f in fields(self)))

    @classmethod
    def concat(cls, items: list[Stretches]) -> Stretches:
        return cls(*(np.concatenate([getattr(s, f.name) for s in items]) for f in fields(cls)))


def _coords(v: Vertices, st: Stretches) -> tuple[FloatArray, IntArray]:
    """Coordinates of the stretches (start point, vertices k0 + 1 .. k1, end point), sizes."""
    from geo.zones._compiled import compiled

    inner = np.maximum(st.k1 - st.k0, 0)
    size = inner + 2
    first = np.cumsum(size) - size
    coords = np.empty((int(size.sum()), 2))
    # the at-th coordinate of a stretch is vertex k0 + at (at = 1 .. inner)
    start = v.head[st.part] + st.k0 + 1
    if compiled(len(coords)):
        from geo.zones._kernels import gather_stretches  # numba: imported lazily

        ends = np.column_stack([st.x0, st.y0, st.x1, st.y1])
        xy = np.ascontiguousarray(v.xy, dtype=float)
        gather_stretches(xy, start, inner, first, ends, coords)
    else:  # the same copies, with index arrays
        coords[first, 0], coords[first, 1] = st.x0, st.y0
        coords[_ranges(first + 1, inner)] = v.xy[_ranges(start, inner)]
        last = first + inner + 1
        coords[last, 0], coords[last, 1] = st.x1, st.y1
    return coords, size


def pieces(v: Vertices, st: Stretches) -> ObjArray:
    """One LineString per stretch."""
    if not len(st):
        return np.array([], dtype=object)
    coords, size = _coords(v, st)
    return shapely.from_ragged_array(
        shapely.GeometryType.LINESTRING, coords, (np.r_[0, np.cumsum(size)],)
    )


def grouped_pieces(v: Vertices, group: IntArray, st: Stretches) -> ObjArray:
    """One geometry per group of stretches (``group``: 0, 1, ... in order, stretches in order).

    A LineString for a group of one stretch, else the MultiLineString of its
    stretches, built straight from the coordinates (GeoArrow offsets).
    """
    n_groups = int(group.max()) + 1 if len(group) else 0
    out = np.empty(n_groups, dtype=object)
    if not n_groups:
        return out
    cnt = np.bincount(group, minlength=n_groups)
    one = cnt[group] == 1
    sel = np.flatnonzero(one)
    out[group[sel]] = pieces(v, st.take(sel))
    sel = np.flatnonzero(~one)
    if len(sel):
        coords, size = _coords(v, st.take(sel))
        ug, per = np.unique(group[sel], return_counts=True)
        out[ug] = shapely.from_ragged_array(
            shapely.GeometryType.MULTILINESTRING,
            coords,
            (np.r_[0, np.cumsum(size)], np.r_[0, np.cumsum(per)]),
        )
    return out


def piece_km(v: Vertices, st: Stretches) -> FloatArray:
    """Geodesic km of stretches of legs whose vertices lie on one geodesic.

    Start point to the first inner vertex, that vertex to the last inner
    vertex (one geodesic: the vertices lie on it), and on to the end point.
    A start or end point that is a vertex itself (``t0`` 0, ``t1`` 1) lies
    on that geodesic too and needs no step of its own; a stretch within
    one segment is a single step.
    """
    n = len(st)
    if not n:
        return np.zeros(0)
    h = v.head[st.part]
    has = st.k1 >= st.k0 + 1
    b = v.xy[h + np.where(has, st.k0 + 1, 0)]
    c = v.xy[h + np.where(has, st.k1, 0)]
    # the points A (start), B, C (inner vertices), D (end), in order; B and
    # C are left out where they add nothing (and C where it is B)
    pts = np.empty((n, 4, 2))
    pts[:, 0, 0], pts[:, 0, 1] = st.x0, st.y0
    pts[:, 1] = b
    pts[:, 2] = c
    pts[:, 3, 0], pts[:, 3, 1] = st.x1, st.y1
    keep = np.ones((n, 4), dtype=bool)
    keep[:, 1] = has & (st.t0 != 0.0)
    keep[:, 2] = has & (st.t1 != 1.0) & ((st.k1 > st.k0 + 1) | ~keep[:, 1])
    flat = pts[keep]
    owner = np.repeat(np.arange(n), keep.sum(axis=1))
    same = np.flatnonzero(owner[1:] == owner[:-1])
    d = geodesic_m(flat[same, 0], flat[same, 1], flat[same + 1, 0], flat[same + 1, 1])
    return np.bincount(owner[same], weights=d, minlength=n) / 1000.0


def longer_than(v: Vertices, st: Stretches, limit: float) -> npt.NDArray[np.bool_]:
    """Whether the planar length along each part from (k0, t0) to (k1, t1) exceeds ``limit``.

    The partial end segments plus the first full one settle almost every
    stretch; only the rest are summed segment by segment.
    """
    h = v.head[st.part]
    xy = v.xy
    k0, k1 = st.k0, st.k1

    def seglen(g: IntArray) -> FloatArray:
        return np.hypot(xy[g + 1, 0] - xy[g, 0], xy[g + 1, 1] - xy[g, 1])

    l0, l1 = seglen(h + k0), seglen(h + k1)
    out = np.where(k0 == k1, (st.t1 - st.t0) * l0, (1.0 - st.t0) * l0 + st.t1 * l1)
    span = np.maximum(k1 - k0 - 1, 0)  # full segments k0 + 1 .. k1 - 1
    has = span > 0
    out[has] += seglen((h + k0 + 1)[has])
    more = np.flatnonzero((out <= limit) & (span > 1))
    if len(more):
        rest = span[more] - 1
        idx = _ranges((h + k0 + 2)[more], rest)
        out[more] += np.bincount(np.repeat(np.arange(len(more)), rest), seglen(idx), len(more))
    return out > limit


def _ranges(start: IntArray, count: IntArray) -> IntArray:
    """Concatenated ranges start[i] .. start[i] + count[i] - 1."""
    return np.repeat(start - (np.cumsum(count) - count), count) + np.arange(int(count.sum()))
