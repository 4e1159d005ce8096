"""The stretches of legs that lie in no zone, cut out of the legs' chunks."""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
import pandas as pd
import shapely

from geo.zones._common import (
    IntArray,
    ObjArray,
    _empty_segments,
)

#: Shortest gap (degrees along a chunk) between zone pieces kept as "outside".
_SLIVER_DEG = 1.2e-6


def _gaps(
    parts: ObjArray, pci: IntArray, chunks: ObjArray
) -> tuple[IntArray, npt.NDArray[np.float64], npt.NDArray[np.float64]]:
    """Stretches of the touched chunks covered by no part: (chunk, from, to).

    Positions are planar distances along the chunk (as
    ``shapely.line_locate_point``); parts may overlap (contested zones).
    """
    if not len(parts):
        empty = np.array([], dtype=float)
        return np.array([], dtype=np.int64), empty, empty
    a = shapely.line_locate_point(chunks[pci], shapely.get_point(parts, 0))
    b = shapely.line_locate_point(chunks[pci], shapely.get_point(parts, -1))
    lo, hi = np.minimum(a, b), np.maximum(a, b)
    order = np.lexsort((lo, pci))
    c, lo, hi = pci[order], lo[order], hi[order]
    first = np.r_[True, c[1:] != c[:-1]]
    last = np.r_[c[1:] != c[:-1], True]
    # Furthest point covered so far within each chunk (running max per chunk).
    reach = pd.Series(hi).groupby(np.cumsum(first)).cummax().to_numpy()
    prev = np.r_[0.0, reach[:-1]]
    prev[first] = 0.0
    clen = shapely.length(chunks[c[last]])
    gap_c = np.concatenate([c, c[last]])
    gap_0 = np.concatenate([prev, reach[last]])
    gap_1 = np.concatenate([lo, clen])
    # Gaps this short are where two zones meet (1:50m boundaries digitized
    # apart by ~10 cm), not stretches outside every zone.
    keep = gap_1 - gap_0 > _SLIVER_DEG
    order = np.lexsort((gap_0[keep], gap_c[keep]))
    return gap_c[keep][order], gap_0[keep][order], gap_1[keep][order]


def _substrings(
    lines: ObjArray, which: IntArray, d0: npt.NDArray[np.float64], d1: npt.NDArray[np.float64]
) -> ObjArray:
    """Pieces of ``lines[which]`` between planar distances ``d0`` and ``d1``."""
    if not len(which):
        return np.array([], dtype=object)
    src = lines[which]
    xy, vidx = shapely.get_coordinates(src, return_index=True)
    seg = np.sqrt((np.diff(xy, axis=0) ** 2).sum(axis=1))
    seg[vidx[1:] != vidx[:-1]] = 0.0
    along = np.r_[0.0, np.cumsum(seg)]
    m = np.bincount(vidx, minlength=len(src))
    along -= np.repeat(along[np.cumsum(m) - m], m)  # distance from each line's start
    inner = (along > d0[vidx]) & (along < d1[vidx])
    p0 = shapely.get_coordinates(shapely.line_interpolate_point(src, d0))
    p1 = shapely.get_coordinates(shapely.line_interpolate_point(src, d1))
    # At the very ends take the vertices themselves, so that pieces of
    # consecutive chunks share end points exactly and line_merge joins them.
    head = np.cumsum(m) - m
    tail = head + m - 1
    p0[d0 <= 0.0] = xy[head][d0 <= 0.0]
    p1[d1 >= along[tail]] = xy[tail][d1 >= along[tail]]
    k = len(src)
    owner = np.concatenate([np.arange(k), vidx[inner], np.arange(k)])
    rank = np.concatenate([np.full(k, -1.0), along[inner], np.full(k, np.inf)])
    coords = np.concatenate([p0, xy[inner], p1])
    order = np.lexsort((rank, owner))
    return shapely.linestrings(coords[order], indices=owner[order])


def _outside(
    seg: pd.DataFrame,
    parts: ObjArray,
    pci: IntArray,
    chunks: ObjArray,
    crow: IntArray,
    corder: IntArray,
    geoms: ObjArray,
    rows: IntArray,
    total: npt.NDArray[np.float64],
    geometry: bool,
) -> pd.DataFrame:
    """Return the stretches of each leg in no zone (one row per leg).

    Their km is the leg's length less its km in zones; with ``geometry``
    False the geometry is left None (only the position along the leg).
    """
    inside = pd.Series(seg["km"].to_numpy(float)).groupby(seg["row"].to_numpy()).sum()
    rest = total[rows] - inside.reindex(rows, fill_value=0.0).to_numpy()
    # Chunks meeting no zone are outside whole.  In the others, the pieces
    # inside zones are stretches [lo, hi] along the chunk (linear
    # referencing); the outside pieces are the gaps between them, cut out
    # of the chunk's own vertices: no buffer/difference overlay needed.
    n_ch = len(chunks)
    touched = np.zeros(n_ch, dtype=bool)
    touched[pci] = True
    # Legs meeting no zone are outside whole: their line is the geometry
    # (no need to glue their chunks back together).
    met_rows = np.unique(crow[pci])
    free = np.flatnonzero(~touched & np.isin(crow, met_rows))
    gap_chunk, g0, g1 = _gaps(parts, pci, chunks)
    ochunk = np.concatenate([free, gap_chunk])
    clen = shapely.length(chunks[ochunk])
    start_at = np.concatenate([np.zeros(len(free)), g0])
    span = np.concatenate([clen[: len(free)], g1 - g0])
    real = span > 1e-6  # drop slivers left where zones meet
    ochunk, clen, start_at = ochunk[real], clen[real], start_at[real]
    pos = corder[ochunk] + np.divide(start_at, clen, out=np.zeros(len(clen)), where=clen > 0)
    keep = rest > 1e-3  # km; less is rounding where zones meet
    if not keep.any():
        return _empty_segments()
    orow = crow[ochunk]
    start = pd.Series(pos).groupby(orow).min().reindex(rows[keep]).fillna(0.0)
    geom = np.full(int(keep.sum()), None, dtype=object)
    if geometry:
        gaps = _substrings(chunks, gap_chunk, g0, g1)
        oparts = np.concatenate([chunks[free], gaps])[real]
        order = np.lexsort((pos, orow))
        urow, code = np.unique(orow[order], return_inverse=True)
        merged = shapely.line_merge(shapely.multilinestrings(oparts[order], indices=code))
        geom[:] = pd.Series(merged, index=urow, dtype=object).reindex(rows[keep]).to_numpy()
        # Lines that met no zone: outside whole.
        whole_line = ~np.isin(rows[keep], met_rows)
        geom[whole_line] = geoms[rows[keep][whole_line]]
    return pd.DataFrame(
        {
            "row": rows[keep],
            "z": pd.array([pd.NA] * int(keep.sum()), dtype="Int64"),
            "km": rest[keep],
            "geom": geom,
            "pos": start.to_numpy(float),
        }
    )
