"""Splitting legs at zone boundaries into segments with km per zone."""

from __future__ import annotations

from typing import Any

import geopandas as gpd
import numpy as np
import numpy.typing as npt
import pandas as pd
import shapely

from geo import columns as C  # noqa: N812
from geo.zones._common import (
    _CRS,
    _GEOD,
    _NAT,
    CHANGED,
    IntArray,
    ObjArray,
    _days,
    _empty_segments,
    _objects,
    _tiles,
)
from geo.zones._legs import (
    _crosses_front,
    _ends,
    _from_outside,
    _leg_days,
)
from geo.zones._outside import _outside

__all__ = ["split_by_zone"]


def _geodesic_km(parts: ObjArray) -> npt.NDArray[np.float64]:
    """Geodesic length (km) of each LineString, on arrays."""
    xy, idx = shapely.get_coordinates(parts, return_index=True)
    same = idx[1:] == idx[:-1]
    if not same.any():
        return np.zeros(len(parts))
    a, b = xy[:-1][same], xy[1:][same]
    _, _, dist = _GEOD.inv(a[:, 0], a[:, 1], b[:, 0], b[:, 1])
    return np.bincount(idx[1:][same], weights=dist, minlength=len(parts)) / 1000.0


def _line_parts(geoms: ObjArray) -> tuple[ObjArray, IntArray]:
    parts, idx = shapely.get_parts(geoms, return_index=True)
    while (shapely.get_type_id(parts) == 7).any():
        parts, sub = shapely.get_parts(parts, return_index=True)
        idx = idx[sub]
    parts, sub = shapely.get_parts(parts, return_index=True)
    idx = idx[sub]
    keep = (shapely.get_type_id(parts) == 1) & (shapely.get_num_coordinates(parts) > 1)
    return parts[keep], idx[keep]


def _normalized(lines: gpd.GeoDataFrame) -> ObjArray:
    """Geometries with longitudes wrapped into [-180, 180] (RFC 7946)."""
    geoms = np.asarray(lines.geometry.values, dtype=object)
    ok = ~(shapely.is_missing(geoms) | shapely.is_empty(geoms))
    b = np.full((len(geoms), 4), np.nan)
    b[ok] = shapely.bounds(geoms[ok])
    wide = ok & ((b[:, 0] < -180) | (b[:, 2] > 180))
    if wide.any():
        from geo.lines import split_antimeridian

        sub = gpd.GeoDataFrame(geometry=gpd.GeoSeries(geoms[wide], crs=_CRS))
        geoms = geoms.copy()
        geoms[wide] = split_antimeridian(sub).geometry.to_numpy()
    return geoms


#: Lines are cut into chunks of this many segments before the join, so each
#: line/tile intersection handles a short line and bounding boxes are tight.
_CHUNK_SEGMENTS = 8
#: Legs per batch: bounds the memory of the chunked geometries (~0.5 GB
#: of temporaries for 20,000 legs of a few thousand km).
_BATCH_LEGS = 20_000


def _chunks(geoms: ObjArray) -> tuple[ObjArray, IntArray, IntArray]:
    """Cut lines into chunks; return (chunks, line position, order along the line)."""
    parts, pidx = _line_parts(geoms)
    xy, vidx = shapely.get_coordinates(parts, return_index=True)
    m = np.bincount(vidx, minlength=len(parts))
    start = np.cumsum(m) - m
    nseg = m - 1
    k = _CHUNK_SEGMENTS
    nch = np.maximum(-(-nseg // k), 1)
    cpart = np.repeat(np.arange(len(parts)), nch)
    c = np.arange(nch.sum()) - np.repeat(np.cumsum(nch) - nch, nch)
    size = np.minimum(k, nseg[cpart] - c * k) + 1
    first = np.repeat(start[cpart] + c * k, size)
    vid = first + (np.arange(size.sum()) - np.repeat(np.cumsum(size) - size, size))
    chunks = shapely.linestrings(xy[vid], indices=np.repeat(np.arange(len(size)), size))
    # parts come in order along each line, chunks in order along each part
    return chunks, pidx[cpart], np.arange(len(chunks), dtype=np.int64)


def _segments(
    lines: gpd.GeoDataFrame,
    zones: gpd.GeoDataFrame,
    tiles: tuple[ObjArray, IntArray],
    *,
    geometry: bool = True,
    outside_geometry: bool = True,
) -> pd.DataFrame:
    """Segments (one row per leg and zone, plus outside stretches), positional rows.

    With ``geometry=False`` only the (leg, zone) pairs met are returned
    (enough for ``CROSSES_FRONT``), without cutting any line.  With
    ``outside_geometry=False`` the outside stretches get no geometry.
    """
    n = len(lines)
    geoms = _normalized(lines)
    s, e = _leg_days(lines)
    usable = ~(shapely.is_missing(geoms) | shapely.is_empty(geoms)) & (s != _NAT)
    rows_ok = np.flatnonzero(usable)
    if C.LENGTH_KM in lines:
        # Vertices of geodesic_lines lie on the geodesic: its length is the sum.
        total = pd.to_numeric(lines[C.LENGTH_KM], errors="coerce").to_numpy(float).copy()
    else:
        total = np.full(n, np.nan)
        lparts, lidx = _line_parts(geoms[rows_ok])
        total[rows_ok] = np.bincount(lidx, weights=_geodesic_km(lparts), minlength=len(rows_ok))
    changed = np.zeros(n, dtype=bool)
    batches = [
        _segments_batch(
            geoms,
            rows_ok[b : b + _BATCH_LEGS],
            s,
            e,
            zones,
            tiles,
            total,
            changed,
            geometry=geometry,
            outside_geometry=outside_geometry,
        )
        for b in range(0, len(rows_ok), _BATCH_LEGS)  # a few batches, each vectorized
    ]
    seg = pd.concat(batches, ignore_index=True) if batches else _empty_segments()
    if not geometry:
        return _label(seg, zones, changed)
    bad = np.setdiff1d(np.arange(n), rows_ok)
    if len(bad):
        no_geom = shapely.is_missing(geoms[bad]) | shapely.is_empty(geoms[bad])
        seg = pd.concat(
            [
                seg,
                pd.DataFrame(
                    {
                        "row": bad,
                        "z": pd.array([pd.NA] * len(bad), dtype="Int64"),
                        "km": np.nan,
                        "geom": np.full(len(bad), None, dtype=object),
                        "pos": 0.0,
                        "note": np.where(no_geom, "no geometry", "no date"),
                    }
                ),
            ],
            ignore_index=True,
        )
    seg = seg.sort_values(["row", "pos"], kind="stable").reset_index(drop=True)
    return _label(seg, zones, changed)


def _flag_changes(
    changed: npt.NDArray[np.bool_],
    z: IntArray,
    r: IntArray,
    s: IntArray,
    e: IntArray,
    zf: IntArray,
    zt: IntArray,
) -> None:
    """Mark legs (``r``) whose zone ``z`` starts or ends inside [s, e]."""
    flip = ((zf[z] > s[r]) & (zf[z] <= e[r])) | ((zt[z] >= s[r]) & (zt[z] < e[r]))
    changed[r[flip]] = True


def _segments_batch(
    geoms: ObjArray,
    rows: IntArray,
    s: IntArray,
    e: IntArray,
    zones: gpd.GeoDataFrame,
    tiles: tuple[ObjArray, IntArray],
    total: npt.NDArray[np.float64],
    changed: npt.NDArray[np.bool_],
    *,
    geometry: bool,
    outside_geometry: bool,
) -> pd.DataFrame:
    tile_geoms, owner = tiles
    zgeom = np.asarray(zones.geometry.values, dtype=object)
    shapely.prepare(zgeom)  # no-op once prepared
    zf = _days(zones[C.VALID_FROM], open_end=False)
    zt = _days(zones[C.VALID_TO], open_end=True)
    batch = geoms[rows]
    if not geometry:
        # Whole lines against whole (prepared) zones: one test per pair.
        if len(zgeom) and len(rows):
            z, li = shapely.STRtree(batch).query(zgeom, predicate="intersects")
        else:
            z = li = np.array([], dtype=np.int64)
        r = rows[li]
        _flag_changes(changed, z, r, s, e, zf, zt)
        live = (zf[z] <= s[r]) & (zt[z] >= s[r])
        met_pairs = pd.DataFrame({"row": r[live], "z": z[live]})
        return met_pairs.assign(km=np.nan, geom=None, pos=0.0)
    # Lines cut into short chunks against small tiles: tight boxes, cheap tests.
    chunks, cline, corder = _chunks(batch)
    crow = rows[cline]
    if len(tile_geoms) and len(chunks):
        ti, ci = shapely.STRtree(chunks).query(tile_geoms, predicate="intersects")
    else:
        ti = ci = np.array([], dtype=np.int64)
    z = owner[ti]
    rc = crow[ci]
    _flag_changes(changed, z, rc, s, e, zf, zt)
    live = (zf[z] <= s[rc]) & (zt[z] >= s[rc])
    ti, ci, z = ti[live], ci[live], z[live]
    # Most chunks lie inside their zone (often across the cuts between its
    # tiles): test each (chunk, zone) pair once against the prepared zone
    # and keep such chunks whole; only chunks crossing a zone's boundary
    # are intersected, with that zone's small tiles.
    pair = z.astype(np.int64) * max(len(chunks), 1) + ci
    _, first, inv = np.unique(pair, return_index=True, return_inverse=True)
    in_zone = shapely.contains_properly(zgeom[z[first]], chunks[ci[first]])
    cut = ~in_zone[inv]
    tc, cc = ti[cut], ci[cut]
    cut_pieces = shapely.intersection(chunks[cc], tile_geoms[tc])
    n_in = int(in_zone.sum())
    ci = np.concatenate([ci[first][in_zone], cc])
    z = np.concatenate([z[first][in_zone], z[cut]])
    pieces = np.concatenate([chunks[ci[:n_in]], cut_pieces])
    parts, pidx = _line_parts(pieces)
    pci = ci[pidx]
    pos = corder[pci].astype(float)
    at_start = pidx < n_in  # whole chunks start where the chunk does
    pos[~at_start] += shapely.line_locate_point(
        chunks[pci[~at_start]], shapely.get_point(parts[~at_start], 0), normalized=True
    )
    df = pd.DataFrame({"row": crow[pci], "z": z[pidx], "km": _geodesic_km(parts), "pos": pos})
    df["geom"] = parts
    area = shapely.area(zgeom)
    ids = zones[C.ZONE_ID].to_numpy()
    seg = _resolve_overlaps(_merge_parts(df), total, area, ids)
    seg["z"] = seg["z"].astype("Int64")
    outside = _outside(seg, parts, pci, chunks, crow, corder, geoms, rows, total, outside_geometry)
    return pd.concat([seg, outside], ignore_index=True)


def _label(
    seg: pd.DataFrame, zones: gpd.GeoDataFrame, changed: npt.NDArray[np.bool_]
) -> pd.DataFrame:
    """Add zone id, faction, country, contested and note columns."""
    seg["row"] = seg["row"].astype(np.int64)
    zz = pd.array(seg["z"].to_numpy(), dtype="Int64")
    has = ~np.asarray(pd.isna(zz), dtype=bool)
    zi = np.asarray(zz.fillna(0), dtype=np.int64)
    ids = zones[C.ZONE_ID].to_numpy(dtype=object)
    fac = zones[C.FACTION].to_numpy(dtype=object)
    if not len(ids):  # no zones at all: every stretch is outside
        has = np.zeros(len(seg), dtype=bool)
        zi = np.zeros(len(seg), dtype=np.int64)
        ids = fac = np.array([None], dtype=object)
        country, contested = ids, np.array([False])
    else:
        country = zones[C.ZONE_COUNTRY].to_numpy(dtype=object)
        contested = zones[C.CONTESTED].to_numpy(bool)
    none = np.full(len(seg), None, dtype=object)
    seg[C.ZONE_ID] = _objects(np.where(has, ids[zi], none))
    seg[C.FACTION] = _objects(np.where(has, fac[zi], C.OUTSIDE_ZONES))
    seg.loc[seg["km"].isna().to_numpy() & ~has, C.FACTION] = None
    seg[C.ZONE_COUNTRY] = _objects(np.where(has, country[zi], none))
    seg[C.CONTESTED] = np.where(has, contested[zi], False)
    note = seg["note"].fillna("").to_numpy(dtype=object) if "note" in seg else np.full(len(seg), "")
    chg = changed[seg["row"].to_numpy()]
    seg[C.CONTROL_NOTE] = np.where(
        chg, np.where(note == "", CHANGED + " (zones as of date_start)", note), note
    )
    return seg


def _merge_parts(df: pd.DataFrame) -> pd.DataFrame:
    """One row per (leg, zone): parts joined, km summed, first position."""
    if df.empty:
        return pd.DataFrame({"row": [], "z": [], "km": [], "geom": [], "pos": []})
    df = df.sort_values(["row", "z", "pos"], kind="stable")
    grp = df.groupby(["row", "z"], sort=False)
    code = grp.ngroup().to_numpy()
    agg = grp.agg(km=("km", "sum"), pos=("pos", "min")).reset_index()
    multi = shapely.multilinestrings(df["geom"].to_numpy(), indices=code)
    agg["geom"] = shapely.line_merge(multi)
    return agg


def _resolve_overlaps(
    seg: pd.DataFrame, total: npt.NDArray[np.float64], area: Any, ids: ObjArray
) -> pd.DataFrame:
    """Where zones overlap (contested), keep each stretch in the smallest zone only."""
    if seg.empty:
        return seg
    sums = seg.groupby("row")["km"].sum()
    over = sums.index[(sums.to_numpy() > total[sums.index] * (1 + 1e-9) + 1e-6)].to_numpy()
    if not len(over):
        return seg
    sel = seg["row"].isin(over).to_numpy()
    sub = seg[sel].copy()
    zi = sub["z"].to_numpy(np.int64)
    sub["_area"], sub["_id"] = area[zi], ids[zi]
    sub = sub.sort_values(["row", "_area", "_id"], kind="stable")
    sub["_rank"] = sub.groupby("row").cumcount()
    covered = np.full(len(over), None, dtype=object)
    geoms = sub["geom"].to_numpy(dtype=object).copy()
    rank = sub["_rank"].to_numpy()
    slot = np.searchsorted(over, sub["row"].to_numpy())
    for r in range(int(rank.max()) + 1):  # a few ranks, each vectorized
        at = rank == r
        cov = covered[slot[at]]
        orig = geoms[at]
        has = ~shapely.is_missing(cov)
        newg = orig.copy()
        newg[has] = shapely.difference(orig[has], shapely.buffer(cov[has], 1e-7))
        geoms[at] = newg
        merged = orig.copy()
        merged[has] = shapely.union(cov[has], orig[has])
        covered[slot[at]] = merged
    sub["geom"] = geoms
    parts, idx = _line_parts(geoms)
    sub["km"] = np.bincount(idx, weights=_geodesic_km(parts), minlength=len(sub))
    sub = sub[sub["km"] > 0].drop(columns=["_area", "_id", "_rank"])
    return pd.concat([seg[~sel], sub]).sort_index(kind="stable")


def split_by_zone(
    lines: gpd.GeoDataFrame, zones: gpd.GeoDataFrame, *, outside_geometry: bool = True
) -> gpd.GeoDataFrame:
    """Split every leg at zone boundaries into segments with km per zone.

    Zones are taken as they stood on each leg's ``DATE_START``; when a zone
    the leg meets changed during [``DATE_START``, ``DATE_END``] the
    segment's ``CONTROL_NOTE`` says so.  Overlapping (contested) zones do
    not double-count: a stretch belongs to the smallest zone holding it.

    Parameters
    ----------
    lines
        Output of :func:`geo.lines.geodesic_lines` (LineStrings in lon/lat,
        ``DATE_START``, ``DATE_END``; ``TRANSFER_ID``, ``LEG`` carried over).
    zones
        From :func:`read_zones`.
    outside_geometry
        Build the geometry of the stretches in no zone (a copy of most of
        every line).  With False those rows keep their km and order but
        their geometry is None: much less memory for large ledgers.

    Returns
    -------
    geopandas.GeoDataFrame
        One row per leg and zone it passes through, in order along the leg
        (``SEGMENT_ORDER``), plus one row per leg for the stretches in no
        zone (``ZONE_ID`` None, ``FACTION`` ``OUTSIDE_ZONES``): columns
        ``TRANSFER_ID, LEG`` (when present), ``SEGMENT_ORDER, ZONE_ID,
        FACTION, ZONE_COUNTRY, CONTESTED, SEGMENT_KM`` (geodesic, WGS84),
        ``CONTROL_NOTE, CROSSES_FRONT, FROM_OUTSIDE`` (the leg's flags)
        and geometry.  Every leg appears: a leg without geometry or date
        gets one row with ``SEGMENT_KM`` NaN and a note.  The km of a
        leg's segments add up to its geodesic length (up to the vertices
        added where the leg is cut, negligible for densified lines).

    """
    n = len(lines)
    seg = _segments(lines, zones, _tiles(zones), outside_geometry=outside_geometry)
    rows = seg["row"].to_numpy(np.int64)
    out = pd.DataFrame(index=pd.RangeIndex(len(seg)))
    for col in (C.TRANSFER_ID, C.LEG):
        if col in lines:
            out[col] = lines[col].to_numpy()[rows]
    out[C.SEGMENT_ORDER] = seg.groupby("row").cumcount().to_numpy()
    for col in (C.ZONE_ID, C.FACTION, C.ZONE_COUNTRY):
        out[col] = _objects(seg[col])
    out[C.CONTESTED] = seg[C.CONTESTED].to_numpy(bool)
    out[C.SEGMENT_KM] = seg["km"].to_numpy(float)
    out[C.CONTROL_NOTE] = seg[C.CONTROL_NOTE].to_numpy()
    out[C.CROSSES_FRONT] = _crosses_front(seg, n)[rows]
    x0, y0, x1, y1 = _ends(lines)
    out[C.FROM_OUTSIDE] = _from_outside(x0, y0, x1, y1)[rows]
    return gpd.GeoDataFrame(out, geometry=gpd.GeoSeries(seg["geom"].to_numpy(), crs=_CRS))
