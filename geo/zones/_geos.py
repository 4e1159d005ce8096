"""The GEOS path of the split: legs cut into chunks and intersected with zone tiles.

Used for the legs :mod:`geo.zones._crossings` leaves to it (see there).
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import numpy.typing as npt
import pandas as pd
import shapely

from geo import columns as C  # noqa: N812
from geo.zones._common import IntArray, ObjArray, _days
from geo.zones._outside import _outside
from geo.zones._pieces import _geodesic_km, _line_parts, _merge_parts, _resolve_overlaps

#: Lines are cut into chunks of this many segments before the join, so each
#: line/tile intersection handles a short line and bounding boxes are tight.
_CHUNK_SEGMENTS = 8


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
