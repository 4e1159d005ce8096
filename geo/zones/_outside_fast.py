"""The stretches of legs in no zone, on segment arrays (the fast path of the split).

The gaps between the stretches inside zones (see :mod:`geo.zones._crossings`)
along each part of a leg, cut out of the part's vertex array; a leg that
meets no zone keeps its own line object (no copy).
"""

from __future__ import annotations

from dataclasses import fields

import numpy as np
import numpy.typing as npt
import pandas as pd
import shapely

from geo.zones._common import IntArray, ObjArray, _empty_segments
from geo.zones._outside import _SLIVER_DEG
from geo.zones._stretches import Stretches, Vertices, grouped_pieces, longer_than, pieces

FloatArray = npt.NDArray[np.float64]


def _gaps(v: Vertices, st: Stretches) -> tuple[Stretches, FloatArray]:
    """Stretches of the parts met covered by no stretch in ``st``, and their start positions.

    Stretches inside zones may overlap (contested zones); the gaps run from
    the furthest point reached so far (or the part's start) to the next
    stretch's start, and from the last reach to the part's end.  Gaps no
    longer than ``_SLIVER_DEG`` are dropped.  One compiled pass
    (:func:`geo.zones._kernels.gaps`); :func:`_gaps_numpy` is the same in
    numpy (tests compare them).
    """
    from geo.zones._compiled import compiled

    if not compiled(len(st)):
        return _gaps_numpy(v, st)
    from geo.zones._kernels import gaps  # numba: imported lazily

    order = np.lexsort((st.k0 + st.t0, st.part))
    st = st.take(order)
    xy = np.ascontiguousarray(v.xy, dtype=float)
    cols = [getattr(st, f.name) for f in fields(st)]
    *got, g_p0, keep = gaps(*cols, v.head, v.nseg, xy, _SLIVER_DEG)
    return Stretches(*got).take(keep), g_p0[keep]


def _gaps_numpy(v: Vertices, st: Stretches) -> tuple[Stretches, FloatArray]:
    """As :func:`_gaps`, in numpy."""
    p0 = st.k0 + st.t0
    order = np.lexsort((p0, st.part))
    st, p0 = st.take(order), p0[order]
    part = st.part
    p1 = st.k1 + st.t1
    n = len(part)
    start = np.r_[True, part[1:] != part[:-1]] if n else np.zeros(0, bool)
    end = np.r_[part[1:] != part[:-1], True] if n else np.zeros(0, bool)
    reach = pd.Series(p1).groupby(part).cummax().to_numpy() if n else np.zeros(0)
    # the stretch whose end is the furthest reached so far (its own at a part's start)
    holder = np.maximum.accumulate(np.where(p1 >= reach, np.arange(n), 0)) if n else part
    prev = np.r_[0, holder[:-1]] if n else part
    head = v.head[part]
    nseg = v.nseg[part]
    first_xy = v.xy[head] if n else np.zeros((0, 2))
    last_xy = v.xy[head + nseg] if n else np.zeros((0, 2))
    gaps = Stretches(
        np.concatenate([part, part[end]]),
        np.concatenate([np.where(start, 0, st.k1[prev]), st.k1[holder][end]]),
        np.concatenate([np.where(start, 0.0, st.t1[prev]), st.t1[holder][end]]),
        np.concatenate([np.where(start, first_xy[:, 0], st.x1[prev]), st.x1[holder][end]]),
        np.concatenate([np.where(start, first_xy[:, 1], st.y1[prev]), st.y1[holder][end]]),
        np.concatenate([st.k0, (nseg - 1)[end]]),
        np.concatenate([st.t0, np.ones(int(end.sum()))]),
        np.concatenate([st.x0, last_xy[end, 0]]),
        np.concatenate([st.y0, last_xy[end, 1]]),
    )
    g_p0 = np.concatenate([np.where(start, 0.0, reach[prev]), reach[end]])
    g_p1 = np.concatenate([p0, nseg[end].astype(float)])
    ok = g_p1 > g_p0
    ok[ok] = longer_than(v, gaps.take(ok), _SLIVER_DEG)
    return gaps.take(ok), g_p0[ok]


def outside_stretches(
    v: Vertices,
    st: Stretches,
    parts: ObjArray,
    owner: IntArray,
    off: FloatArray,
    seg: pd.DataFrame,
    batch: ObjArray,
    rows: IntArray,
    easy: npt.NDArray[np.bool_],
    total: FloatArray,
    geometry: bool,
) -> pd.DataFrame:
    """Stretches of each easy leg in no zone: one row per leg (as ``_outside``).

    ``st``: the stretches inside zones of the easy legs; ``seg`` their rows.
    """
    leg_rows = rows[easy]
    inside = pd.Series(seg["km"].to_numpy(float)).groupby(seg["row"].to_numpy()).sum()
    rest = total[leg_rows] - inside.reindex(leg_rows, fill_value=0.0).to_numpy()
    keep = rest > 1e-3  # km; less is rounding where zones meet
    if not keep.any():
        return _empty_segments()
    gaps, g_p0 = _gaps(v, st)
    g_part = gaps.part
    # Parts met by no zone of a leg that met one: outside whole.
    met_part = np.zeros(len(parts), dtype=bool)
    met_part[st.part] = True
    met_leg = np.zeros(len(batch), dtype=bool)
    met_leg[owner[st.part]] = True
    free = np.flatnonzero(~met_part & met_leg[owner] & easy[owner])
    g_leg = np.concatenate([owner[g_part], owner[free]])
    g_pos = np.concatenate([off[g_part] + g_p0, off[free]])
    out_rows = leg_rows[keep]
    bpos = np.flatnonzero(easy)[keep]  # batch positions of the kept legs
    first = np.full(len(batch), np.inf)  # each leg's first gap (0 where it has none)
    np.minimum.at(first, g_leg, g_pos)
    pos = np.where(np.isfinite(first[bpos]), first[bpos], 0.0)
    geom = np.full(len(out_rows), None, dtype=object)
    if geometry:
        geom[:] = _geometry(v, gaps, g_p0, parts, owner, off, free, bpos)
        free_leg = ~met_leg[bpos]  # legs that met no zone: outside whole, their own line
        geom[free_leg] = batch[bpos[free_leg]]
    return pd.DataFrame(
        {
            "row": out_rows,
            "z": pd.arrays.IntegerArray(
                np.zeros(len(out_rows), np.int64), np.ones(len(out_rows), dtype=bool)
            ),  # all missing
            "km": rest[keep],
            "geom": geom,
            "pos": pos,
        }
    )


def _geometry(
    v: Vertices,
    gaps: Stretches,
    g_p0: FloatArray,
    parts: ObjArray,
    owner: IntArray,
    off: FloatArray,
    free: IntArray,
    bpos: IntArray,
) -> ObjArray:
    """One geometry per leg ``bpos``: its gaps and free parts in order along it (None: none)."""
    g_part = gaps.part
    order = np.lexsort((g_p0, off[g_part], owner[g_part]))
    gl = owner[g_part][order]
    mixed = np.isin(gl, owner[free])  # legs with free parts: assembled from pieces
    new_leg = np.r_[True, gl[1:] != gl[:-1]] if len(gl) else np.zeros(0, bool)
    sel = order[~mixed]
    grp = np.cumsum(new_leg[~mixed]) - 1
    merged = grouped_pieces(v, grp, gaps.take(sel))
    by_leg = pd.Series(merged, index=gl[~mixed][new_leg[~mixed]], dtype=object)
    if len(free):
        sel = order[mixed]
        gp = np.concatenate([pieces(v, gaps.take(sel)), parts[free]])
        ml = np.concatenate([gl[mixed], owner[free]])
        mp = np.concatenate([off[g_part[sel]] + g_p0[sel], off[free]])
        o2 = np.lexsort((mp, ml))
        um, code = np.unique(ml[o2], return_inverse=True)
        by_leg = pd.concat(
            [by_leg, pd.Series(shapely.multilinestrings(gp[o2], indices=code), index=um)]
        )
    return by_leg.reindex(bpos).to_numpy()
