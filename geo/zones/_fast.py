"""One batch of legs split by zone on segment arrays; the legs it cannot settle go to GEOS.

Same answer as :func:`geo.zones._geos._segments_batch` (the rows, zones,
order and notes; km and geometry to floating-point rounding): see
:mod:`geo.zones._crossings` for how the stretches inside zones are found.
:func:`geos_batch` and :func:`geos_met_batch` send every leg through GEOS
instead (the checks in tests and benchmarks).
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import numpy.typing as npt
import pandas as pd
import shapely

from geo.zones._common import IntArray, ObjArray, _empty_segments
from geo.zones._geos import _segments_batch
from geo.zones._outside_fast import outside_stretches
from geo.zones._pieces import _geodesic_km, _resolve_overlaps
from geo.zones._shared import Crossings
from geo.zones._stretches import Vertices, grouped_pieces, piece_km, pieces

FloatArray = npt.NDArray[np.float64]


def _easy(owner: IntArray, hard: npt.NDArray[np.bool_], n: int) -> npt.NDArray[np.bool_]:
    """Legs (of ``n``) all of whose parts (``owner``: leg of each part) were settled."""
    nparts = np.bincount(owner, minlength=n)
    return (nparts > 0) & (np.bincount(owner, weights=hard, minlength=n) == 0)


def met_batch(
    cr: Crossings, start: int, zones: gpd.GeoDataFrame, which: IntArray
) -> tuple[pd.DataFrame, IntArray]:
    """(row, z): the legs of a batch and the zones ``zones.iloc[which]`` they pass through.

    ``zones``: the zone set, or the calling thread's copy of it (the
    batch's crossings are found with it if not yet known).  ``z`` is a
    position in ``which``.  Also returns the rows the segment arrays do
    not settle (for :func:`geos_met`).
    """
    b = cr.batch(start, zones)
    mt = b.meet
    easy = _easy(b.owner, mt.hard, len(b.rows))
    pos = np.full(len(zones), -1, dtype=np.int64)
    pos[which] = np.arange(len(which))
    zp = pos[mt.zone]
    ok = easy[b.owner[mt.stretches.part]] & (zp >= 0)
    nw = max(len(which), 1)
    key = np.unique(b.owner[mt.stretches.part[ok]] * nw + zp[ok])
    return pd.DataFrame({"row": b.rows[key // nw], "z": key % nw}), b.rows[~easy]


def geos_met(cr: Crossings, rows: IntArray, zones: gpd.GeoDataFrame) -> pd.DataFrame:
    """(row, z) as :func:`met_batch` for the legs ``rows``, tested whole in GEOS."""
    scratch = np.zeros(len(cr.geoms), dtype=bool)  # changes of control: not asked here
    no_tiles = (np.zeros(0, dtype=object), np.zeros(0, np.int64))  # not used without geometry
    got = _segments_batch(
        cr.geoms, rows, cr.s, cr.s, zones, no_tiles, np.zeros(0), scratch,
        geometry=False, outside_geometry=False,
    )  # fmt: skip
    return got[["row", "z"]]


def geos_met_batch(
    cr: Crossings, start: int, zones: gpd.GeoDataFrame, which: IntArray
) -> tuple[pd.DataFrame, IntArray]:
    """As :func:`met_batch`, every leg left to GEOS."""
    empty = pd.DataFrame({"row": np.zeros(0, np.int64), "z": np.zeros(0, np.int64)})
    cr.wrap(start)
    return empty, cr.rows(start)


def geos_batch(
    cr: Crossings, start: int, *_: object, **__: object
) -> tuple[pd.DataFrame, IntArray]:
    """As :func:`segments_batch` (same arguments), every leg left to GEOS (chunks x zone tiles)."""
    cr.wrap(start)
    return _empty_segments(), cr.rows(start)


def segments_batch(
    cr: Crossings,
    start: int,
    e: IntArray,
    zones: gpd.GeoDataFrame,
    total: FloatArray,
    changed: npt.NDArray[np.bool_],
    *,
    outside_geometry: bool,
    on_geodesic: bool,
) -> tuple[pd.DataFrame, IntArray]:
    """Segments of the batch of ``cr.rows_ok`` from ``start`` (as ``_segments_batch``).

    Also returns the rows left to the GEOS path (legs the segment arrays do
    not settle).  ``on_geodesic``: the legs' vertices lie on one geodesic
    each (lines of :func:`geo.lines.geodesic_lines`), so a piece's km needs
    at most three inverse geodesic problems rather than one per vertex.
    """
    if not len(zones):
        return _empty_segments(), cr.rows(start)
    zs = cr.facts(zones)
    zgeom, zf, zt = zs.geoms, zs.zf, zs.zt
    b = cr.batch(start, zones)
    rows, parts, owner, mt = b.rows, b.parts, b.owner, b.meet
    s = cr.s
    batch = cr.geoms[rows]
    # Legs across the antimeridian are MultiLineStrings: their parts were
    # met one by one and are put back in order (``off``: position of each part).
    nparts = np.bincount(owner, minlength=len(batch))
    easy = _easy(owner, mt.hard, len(batch))
    size = mt.nseg + 1.0
    off = np.cumsum(size) - size
    off -= off[np.searchsorted(owner, owner)]
    _flag_changes(changed, batch, rows, easy, s, e, zgeom, zf, zt)
    ok = easy[owner[mt.stretches.part]]
    st, z = mt.stretches.take(ok), mt.zone[ok]
    leg = owner[st.part]
    whole = (
        (st.k0 == 0) & (st.t0 == 0.0) & (st.k1 == mt.nseg[st.part] - 1) & (st.t1 == 1.0)
        & (nparts[leg] == 1)
    )  # fmt: skip
    pos = off[st.part] + st.k0 + st.t0
    # One row per (leg, zone): the stretches of a leg in one zone are
    # disjoint (the zone's boundary lies between them): their MultiLineString.
    order = np.lexsort((pos, z, leg))
    st, z, leg, pos, whole = st.take(order), z[order], leg[order], pos[order], whole[order]
    key = leg * len(zgeom) + z
    new_group = np.r_[True, key[1:] != key[:-1]] if len(key) else np.zeros(0, bool)
    group = np.cumsum(new_group) - 1
    cut = ~whole
    v = Vertices.of(parts, np.unique(st.part), mt.nseg)  # only the parts met are read
    sc = st.take(cut)
    km = np.empty(len(st))
    km[whole] = total[rows[leg[whole]]] if on_geodesic else _geodesic_km(batch[leg[whole]])
    gc = group[cut]
    gcut = np.cumsum(np.r_[True, gc[1:] != gc[:-1]]) - 1 if len(gc) else gc
    geom_cut = grouped_pieces(v, gcut, sc)
    if on_geodesic:
        km[cut] = piece_km(v, sc)
    elif cut.any():
        km[cut] = _geodesic_km(pieces(v, sc))
    firsts = np.flatnonzero(new_group)
    geom = np.empty(len(firsts), dtype=object)
    gw = whole[firsts]
    geom[gw] = batch[leg[firsts][gw]]
    geom[~gw] = geom_cut
    seg = pd.DataFrame(
        {
            "row": rows[leg[firsts]],
            "z": z[firsts],
            "km": np.bincount(group, weights=km, minlength=len(firsts)),
            "pos": pos[firsts],
            "geom": geom,
        }
    )
    seg = _resolve_overlaps(seg, total, zs.area, zs.ids)
    seg["z"] = seg["z"].astype("Int64")
    outside = outside_stretches(
        v, st, parts, owner, off, seg, batch, rows, easy, total, outside_geometry
    )
    return pd.concat([seg, outside], ignore_index=True), rows[~easy]


def _flag_changes(
    changed: npt.NDArray[np.bool_],
    batch: ObjArray,
    rows: IntArray,
    easy: npt.NDArray[np.bool_],
    s: IntArray,
    e: IntArray,
    zgeom: ObjArray,
    zf: IntArray,
    zt: IntArray,
) -> None:
    """Mark legs meeting a zone that starts or ends inside their [s, e]."""
    r = rows[easy]
    sr, er = s[r][None, :], e[r][None, :]
    flip = ((zf[:, None] > sr) & (zf[:, None] <= er)) | ((zt[:, None] >= sr) & (zt[:, None] < er))
    zi, li = np.nonzero(flip)
    if not len(zi):
        return
    lines = batch[easy][li]
    hit = shapely.intersects(zgeom[zi], lines)
    changed[r[li[hit]]] = True
