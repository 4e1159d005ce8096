"""One batch of legs split by zone on segment arrays; the legs it cannot settle go to GEOS.

Same answer as :func:`geo.zones._geos._segments_batch` (the rows, zones,
order and notes; km and geometry to floating-point rounding): see
:mod:`geo.zones._crossings` for how the stretches inside zones are found.
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import numpy.typing as npt
import pandas as pd
import shapely

from geo import columns as C  # noqa: N812
from geo.zones._common import IntArray, ObjArray, _days, _empty_segments
from geo.zones._crossings import (
    Meetings,
    grouped_pieces,
    longer_than,
    meetings,
    piece_km,
    pieces,
)
from geo.zones._geos import _segments_batch
from geo.zones._outside import _SLIVER_DEG
from geo.zones._pieces import _geodesic_km, _resolve_overlaps

FloatArray = npt.NDArray[np.float64]


def segments_batch(
    geoms: ObjArray,
    rows: IntArray,
    s: IntArray,
    e: IntArray,
    zones: gpd.GeoDataFrame,
    tiles: tuple[ObjArray, IntArray],
    total: FloatArray,
    changed: npt.NDArray[np.bool_],
    *,
    geometry: bool,
    outside_geometry: bool,
    on_geodesic: bool,
) -> pd.DataFrame:
    """Segments of the legs ``rows`` (as ``_segments_batch``), crossings found in numpy.

    ``on_geodesic``: the legs' vertices lie on one geodesic each (lines of
    :func:`geo.lines.geodesic_lines`), so a piece's km needs three inverse
    geodesic problems rather than one per vertex.
    """
    zgeom = np.asarray(zones.geometry.values, dtype=object)
    zf = _days(zones[C.VALID_FROM], open_end=False)
    zt = _days(zones[C.VALID_TO], open_end=True)
    batch = geoms[rows]
    if not len(rows) or not len(zgeom):
        return _segments_batch(
            geoms, rows, s, e, zones, tiles, total, changed,
            geometry=geometry, outside_geometry=outside_geometry,
        )  # fmt: skip
    # Legs across the antimeridian are MultiLineStrings: their parts are
    # met one by one and put back in order (``off``: position of each part).
    parts, owner = _parts(batch)
    mt = meetings(parts, s[rows][owner], zones, zf, zt)
    nparts = np.bincount(owner, minlength=len(batch))
    easy = (nparts > 0) & (np.bincount(owner, weights=mt.hard, minlength=len(batch)) == 0)
    size = mt.nseg + 1.0
    off = np.cumsum(size) - size
    off -= off[np.searchsorted(owner, owner)]
    _flag_changes(changed, batch, rows, easy, s, e, zgeom, zf, zt)
    slow = _segments_batch(
        geoms, rows[~easy], s, e, zones, tiles, total, changed,
        geometry=geometry, outside_geometry=outside_geometry,
    )  # fmt: skip
    ok = easy[owner[mt.leg]]
    part, z = mt.leg[ok], mt.z[ok]
    leg = owner[part]
    if not geometry:
        key = np.unique(leg * len(zgeom) + z)
        met = pd.DataFrame({"row": rows[key // len(zgeom)], "z": key % len(zgeom)})
        return pd.concat([met.assign(km=np.nan, geom=None, pos=0.0), slow], ignore_index=True)
    k0, t0, x0, y0 = mt.k0[ok], mt.t0[ok], mt.x0[ok], mt.y0[ok]
    k1, t1, x1, y1 = mt.k1[ok], mt.t1[ok], mt.x1[ok], mt.y1[ok]
    whole = (k0 == 0) & (t0 == 0.0) & (k1 == mt.nseg[part] - 1) & (t1 == 1.0) & (nparts[leg] == 1)
    pos = off[part] + k0 + t0
    # One row per (leg, zone): the stretches of a leg in one zone are
    # disjoint (the zone's boundary lies between them): their MultiLineString.
    order = np.lexsort((pos, z, leg))
    part, z, leg, pos, whole = part[order], z[order], leg[order], pos[order], whole[order]
    k0, t0, x0, y0 = k0[order], t0[order], x0[order], y0[order]
    k1, t1, x1, y1 = k1[order], t1[order], x1[order], y1[order]
    key = leg * len(zgeom) + z
    new_group = np.r_[True, key[1:] != key[:-1]] if len(key) else np.zeros(0, bool)
    group = np.cumsum(new_group) - 1
    cut = ~whole
    args = (mt, part[cut], k0[cut], x0[cut], y0[cut], k1[cut], x1[cut], y1[cut])
    km = np.empty(len(part))
    km[whole] = total[rows[leg[whole]]] if on_geodesic else _geodesic_km(batch[leg[whole]])
    gcut = (
        np.cumsum(np.r_[True, group[cut][1:] != group[cut][:-1]]) - 1 if cut.any() else group[cut]
    )
    geom_cut = grouped_pieces(mt, gcut, *args[1:]) if cut.any() else np.zeros(0, object)
    if on_geodesic:
        km[cut] = piece_km(*args)
    elif cut.any():
        km[cut] = _geodesic_km(pieces(*args))
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
    seg = _resolve_overlaps(seg, total, shapely.area(zgeom), zones[C.ZONE_ID].to_numpy())
    seg["z"] = seg["z"].astype("Int64")
    iv = (part, k0, t0, x0, y0, k1, t1, x1, y1)
    outside = _outside(mt, iv, parts, owner, off, seg, batch, rows, easy, total, outside_geometry)
    return pd.concat([seg, outside, slow], ignore_index=True)


def _parts(batch: ObjArray) -> tuple[ObjArray, IntArray]:
    """Parts of multi-part legs, in order; single lines as they are (no copies)."""
    multi = shapely.get_type_id(batch) != 1
    count = np.where(multi, shapely.get_num_geometries(batch), 1)
    owner = np.repeat(np.arange(len(batch)), count)
    first = np.cumsum(count) - count
    parts = np.empty(int(count.sum()), dtype=object)
    parts[first[~multi]] = batch[~multi]
    if multi.any():
        mp, mi = shapely.get_parts(batch[multi], return_index=True)
        rank = np.arange(len(mp)) - np.searchsorted(mi, mi)
        parts[first[multi][mi] + rank] = mp
    return parts, owner


def _collect(df: pd.DataFrame) -> pd.DataFrame:
    """One row per (leg, zone) met in several stretches: km summed, first position.

    The stretches are disjoint (a zone's boundary lies between them), so
    the geometry is their MultiLineString in order along the leg.
    """
    if df.empty:
        return df
    df = df.sort_values(["row", "z", "pos"], kind="stable")
    grp = df.groupby(["row", "z"], sort=False)
    code = grp.ngroup().to_numpy()
    agg = grp.agg(km=("km", "sum"), pos=("pos", "min")).reset_index()
    agg["geom"] = shapely.multilinestrings(df["geom"].to_numpy(), indices=code)
    return agg


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


def _outside(
    mt: Meetings,
    iv: tuple[npt.NDArray[np.generic], ...],
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

    ``iv``: the stretches inside zones (part, k0, t0, x0, y0, k1, t1, x1, y1).
    """
    leg_rows = rows[easy]
    inside = pd.Series(seg["km"].to_numpy(float)).groupby(seg["row"].to_numpy()).sum()
    rest = total[leg_rows] - inside.reindex(leg_rows, fill_value=0.0).to_numpy()
    keep = rest > 1e-3  # km; less is rounding where zones meet
    if not keep.any():
        return _empty_segments()
    # Union of the stretches inside zones along each part; the gaps are outside.
    part, k0, t0, x0, y0, k1, t1, x1, y1 = iv
    p0 = k0 + t0
    p1 = k1 + t1
    order = np.lexsort((p0, part))
    part, p0, p1 = part[order], p0[order], p1[order]  # type: ignore[index]
    k0, t0, x0, y0 = k0[order], t0[order], x0[order], y0[order]  # type: ignore[index]
    k1, t1, x1, y1 = k1[order], t1[order], x1[order], y1[order]  # type: ignore[index]
    n = len(part)
    start = np.r_[True, part[1:] != part[:-1]] if n else np.zeros(0, bool)
    end = np.r_[part[1:] != part[:-1], True] if n else np.zeros(0, bool)
    reach = pd.Series(p1).groupby(part).cummax().to_numpy() if n else np.zeros(0)
    # the stretch whose end is the furthest reached so far (its own at a part's start)
    holder = np.maximum.accumulate(np.where(p1 >= reach, np.arange(n), 0)) if n else part
    prev = np.r_[0, holder[:-1]] if n else part
    head = mt.head[part]
    nseg = mt.nseg[part]
    first_xy = mt.xy[head] if n else np.zeros((0, 2))
    last_xy = mt.xy[head + nseg] if n else np.zeros((0, 2))
    # gap before each stretch, from the previous reach (or the part's start),
    # and after the last one
    g_part = np.concatenate([part, part[end]])
    g_k0 = np.concatenate([np.where(start, 0, k1[prev]), k1[holder][end]])
    g_t0 = np.concatenate([np.where(start, 0.0, t1[prev]), t1[holder][end]])
    g_x0 = np.concatenate([np.where(start, first_xy[:, 0], x1[prev]), x1[holder][end]])
    g_y0 = np.concatenate([np.where(start, first_xy[:, 1], y1[prev]), y1[holder][end]])
    g_p0 = np.concatenate([np.where(start, 0.0, reach[prev]), reach[end]])
    g_k1 = np.concatenate([k0, (nseg - 1)[end]])
    g_t1 = np.concatenate([t0, np.ones(int(end.sum()))])
    g_x1 = np.concatenate([x0, last_xy[end, 0]])
    g_y1 = np.concatenate([y0, last_xy[end, 1]])
    g_p1 = np.concatenate([p0, nseg[end].astype(float)])
    ok = g_p1 > g_p0
    ok[ok] = longer_than(mt, g_part[ok], g_k0[ok], g_t0[ok], g_k1[ok], g_t1[ok], _SLIVER_DEG)
    g_part, g_p0 = g_part[ok], g_p0[ok]
    g_k0, g_x0, g_y0, g_k1, g_x1, g_y1 = g_k0[ok], g_x0[ok], g_y0[ok], g_k1[ok], g_x1[ok], g_y1[ok]
    # Parts met by no zone of a leg that met one: outside whole.
    met_part = np.zeros(len(parts), dtype=bool)
    met_part[part] = True
    met_leg = np.zeros(len(batch), dtype=bool)
    met_leg[owner[part]] = True
    free = np.flatnonzero(~met_part & met_leg[owner] & easy[owner])
    g_leg = np.concatenate([owner[g_part], owner[free]])
    g_pos = np.concatenate([off[g_part] + g_p0, off[free]])
    out_rows = leg_rows[keep]
    bpos = np.flatnonzero(easy)[keep]  # batch positions of the kept legs
    pos = pd.Series(g_pos).groupby(g_leg).min().reindex(bpos).fillna(0.0).to_numpy(float)
    geom = np.full(len(out_rows), None, dtype=object)
    if geometry:
        # gaps (in order along each leg) and whole free parts, one geometry per leg
        order = np.lexsort((g_p0, off[g_part], owner[g_part]))
        gl = owner[g_part][order]
        mixed = np.isin(gl, owner[free])  # legs with free parts: assembled from pieces
        new_leg = np.r_[True, gl[1:] != gl[:-1]] if len(gl) else np.zeros(0, bool)
        sel = order[~mixed]
        grp = np.cumsum(new_leg[~mixed]) - 1
        merged = grouped_pieces(
            mt, grp, g_part[sel], g_k0[sel], g_x0[sel], g_y0[sel], g_k1[sel], g_x1[sel], g_y1[sel]
        )
        by_leg = pd.Series(merged, index=gl[~mixed][new_leg[~mixed]], dtype=object)
        if len(free):
            sel = order[mixed]
            gp = np.concatenate(
                [
                    pieces(mt, g_part[sel], g_k0[sel], g_x0[sel], g_y0[sel], g_k1[sel],
                           g_x1[sel], g_y1[sel]),
                    parts[free],
                ]
            )  # fmt: skip
            ml = np.concatenate([gl[mixed], owner[free]])
            mp = np.concatenate([off[g_part[sel]] + g_p0[sel], off[free]])
            o2 = np.lexsort((mp, ml))
            um, code = np.unique(ml[o2], return_inverse=True)
            by_leg = pd.concat(
                [by_leg, pd.Series(shapely.multilinestrings(gp[o2], indices=code), index=um)]
            )
        geom[:] = by_leg.reindex(bpos).to_numpy()
        free_leg = ~met_leg[bpos]  # legs that met no zone: outside whole
        geom[free_leg] = batch[bpos[free_leg]]
    return pd.DataFrame(
        {
            "row": out_rows,
            "z": pd.array([pd.NA] * len(out_rows), dtype="Int64"),
            "km": rest[keep],
            "geom": geom,
            "pos": pos,
        }
    )
