"""Lines and polygons with continuous longitudes cut at the antimeridian (RFC 7946)."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import numpy.typing as npt
import shapely

__all__ = ["drop_cut_edges", "shift_near", "split_antimeridian"]

FloatArray = npt.NDArray[np.float64]

#: Vertices this close (degrees) to a cut meridian are snapped onto it.
_SNAP_DEG = 1e-9


def split_antimeridian(gdf: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Normalize geometries into [-180, 180], cutting lines at the antimeridian.

    Parameters
    ----------
    gdf
        Lines with continuous longitudes, e.g. from :func:`geodesic_lines`
        (LineString or MultiLineString; polygons such as
        :func:`arrowheads` are accepted too).

    Returns
    -------
    geopandas.GeoDataFrame
        A copy with the same rows. A line crossing +-180 becomes a
        MultiLineString cut exactly at +-180 (RFC 7946 section 3.1.9), the
        crossing latitude interpolated linearly between the two vertices
        around it (at most ``spacing_km`` apart); other lines are shifted by
        a multiple of 360 degrees into range. Polygons are cut with boxes and
        clamped. Missing geometries stay missing.

    """
    geoms = gdf.geometry.to_numpy()
    out = np.full(len(geoms), None, dtype=object)
    kind = shapely.get_type_id(geoms)
    is_line = np.isin(kind, [1, 5])  # LineString, MultiLineString
    if is_line.any():
        out[is_line] = _split_lines(geoms[is_line])
    other = ~is_line & (kind >= 0)
    if other.any():
        out[other] = _split_other(geoms[other])
    res = gdf.copy()
    return res.set_geometry(gpd.GeoSeries(out, index=gdf.index, crs=gdf.crs))


def _split_lines(geoms: npt.NDArray[np.object_]) -> npt.NDArray[np.object_]:
    parts, row = shapely.get_parts(geoms, return_index=True)
    xy, vidx = shapely.get_coordinates(parts, return_index=True)
    x, y = xy[:, 0], xy[:, 1]
    # 0. Snap vertices within ~0.1 mm of a cut meridian onto it, so a leg
    #    running along 180 deg (e.g. over a pole) is not shredded by rounding.
    near = np.round((x - 180.0) / 360.0) * 360.0 + 180.0
    x = np.where(np.abs(x - near) < _SNAP_DEG, near, x)
    # 1. Insert a vertex wherever a segment strictly crosses 180 + 360 m.
    same = vidx[1:] == vidx[:-1]
    cell0 = np.floor((x[:-1] - 180.0) / 360.0)
    cell1 = np.floor((x[1:] - 180.0) / 360.0)
    bnd = 180.0 + 360.0 * np.maximum(cell0, cell1)
    cross = same & (cell0 != cell1) & (x[:-1] != bnd) & (x[1:] != bnd)
    j = np.flatnonzero(cross)
    if j.size:
        w = (bnd[j] - x[j]) / (x[j + 1] - x[j])
        yi = y[j] + w * (y[j + 1] - y[j])
        x = np.insert(x, j + 1, bnd[j])
        y = np.insert(y, j + 1, yi)
        vidx = np.insert(vidx, j + 1, vidx[j])
    # 2. Each segment belongs to one 360-degree cell (by its midpoint); a new
    #    piece starts where the cell changes. Shift each piece into range.
    seg = np.flatnonzero(vidx[1:] == vidx[:-1])
    mid = 0.5 * (x[seg] + x[seg + 1])
    cell = np.ceil((mid - 180.0) / 360.0)  # (-180, 180] -> 0
    first = np.ones(len(seg), bool)
    first[1:] = (vidx[seg[1:]] != vidx[seg[:-1]]) | (cell[1:] != cell[:-1])
    piece = np.cumsum(first) - 1
    last = np.ones(len(seg), bool)
    last[:-1] = first[1:]
    # Vertices: every segment's start, plus the end of each piece's last
    # segment, in order (piece by piece): segment i lands at i + piece[i]
    # (one end vertex per piece before it), a piece's end right after it.
    n_out = len(seg) + int(last.sum())
    at_seg = np.arange(len(seg)) + piece
    at_end = at_seg[last] + 1
    src = np.empty(n_out, dtype=np.int64)
    pid = np.empty(n_out, dtype=np.int64)
    shift = np.empty(n_out)
    src[at_seg], src[at_end] = seg, seg[last] + 1
    pid[at_seg], pid[at_end] = piece, piece[last]
    shift[at_seg], shift[at_end] = 360.0 * cell, 360.0 * cell[last]
    px = np.clip(x[src] - shift, -180.0, 180.0)
    pieces = shapely.linestrings(px, y[src], indices=pid)
    piece_row = row[vidx[seg[first]]]
    counts = np.bincount(piece_row, minlength=len(geoms))
    res = np.full(len(geoms), None, dtype=object)
    shapely.multilinestrings(pieces, indices=piece_row, out=res)
    single = counts == 1
    if single.any():
        res[single] = pieces[np.searchsorted(piece_row, np.flatnonzero(single))]
    return res


def _split_other(geoms: npt.NDArray[np.object_]) -> npt.NDArray[np.object_]:
    """Polygons: clip to each 360-degree cell, shift, reassemble; points: shift."""
    out = np.full(len(geoms), None, dtype=object)
    kind = shapely.get_type_id(geoms)
    poly = np.isin(kind, [3, 6])  # Polygon, MultiPolygon
    if poly.any():
        # clip_by_rect (not an overlay) so that a degenerate arrow near a pole
        # cannot raise a TopologyException.
        parts, rows = [], []
        for k in (-1, 0, 1):
            piece = shapely.clip_by_rect(
                geoms[poly], 360.0 * k - 180.0, -90.0, 360.0 * k + 180.0, 90.0
            )
            piece = shapely.transform(piece, lambda c, k=k: _shift_clamp(c, 360.0 * k))
            p, r = shapely.get_parts(piece, return_index=True)
            p, r = p[shapely.get_type_id(p) == 3], r[shapely.get_type_id(p) == 3]
            parts.append(p)
            rows.append(r)
        p, r = np.concatenate(parts), np.concatenate(rows)
        order = np.argsort(r, kind="stable")
        p, r = p[order], r[order]
        res = np.full(int(poly.sum()), None, dtype=object)
        shapely.multipolygons(p, indices=r, out=res)
        counts = np.bincount(r, minlength=len(res))
        single = np.flatnonzero(counts == 1)
        res[single] = p[np.searchsorted(r, single)]
        out[poly] = res
    rest = ~poly
    if rest.any():
        out[rest] = shapely.transform(
            geoms[rest], lambda c: _shift_clamp(c, 360.0 * np.ceil((c[:, 0] - 180.0) / 360.0))
        )
    return out


def _shift_clamp(c: FloatArray, shift: FloatArray | float) -> FloatArray:
    return np.column_stack([np.clip(c[:, 0] - shift, -180.0, 180.0), c[:, 1]])


def drop_cut_edges(lines: shapely.Geometry) -> shapely.Geometry:
    """Remove the edges that run along the antimeridian from lines or rings.

    Natural Earth cuts Russia, Fiji and Antarctica at +-180: their rings
    have an edge along the meridian that is no border.  Drawn as a border
    it splits Chukotka with a straight line on every map across 180.

    Parameters
    ----------
    lines
        A LineString, MultiLineString or polygon boundary (e.g.
        ``shapely.boundary`` of countries), in [-180, 180].

    Returns
    -------
    shapely.Geometry
        ``lines`` itself when no edge has both ends on the same +-180
        meridian; otherwise a MultiLineString of the remaining runs, in
        order (a line broken by a cut edge becomes two).

    """
    parts = shapely.get_parts(lines)
    xy, part = shapely.get_coordinates(parts, return_index=True)
    if len(xy) < 2:
        return lines
    x = xy[:, 0]
    same = part[1:] == part[:-1]
    cut = same & (x[1:] == x[:-1]) & (np.abs(x[:-1]) == 180.0)
    if not cut.any():
        return lines
    keep = same & ~cut
    seg = np.flatnonzero(keep)
    # A kept edge starts a new run unless the edge before it was kept too.
    starts = np.r_[True, np.diff(seg) != 1]
    run = np.cumsum(starts) - 1
    last = np.r_[starts[1:], True]
    verts = np.concatenate([seg, seg[last] + 1])
    owner = np.concatenate([run, run[last]])
    order = np.lexsort((verts, owner))
    return shapely.multilinestrings(shapely.linestrings(xy[verts[order]], indices=owner[order]))


def shift_near(geoms: np.ndarray, centre: float) -> np.ndarray:
    """Move each geometry by the multiple of 360 degrees that brings it nearest ``centre``.

    Nearest by its centroid's longitude; missing and empty geometries stay.
    A place stored at -165.4 (Nome) lands at 194.6 beside legs drawn with
    continuous longitudes from Anadyr (177.7).
    """
    out = np.array(geoms, dtype=object)
    ok = ~shapely.is_missing(out) & ~shapely.is_empty(out)
    if not ok.any():
        return out
    cx = shapely.get_x(shapely.centroid(out[ok]))
    shift = 360.0 * np.round((centre - cx) / 360.0)
    moved = out[ok]
    for d in np.unique(shift[shift != 0]):
        sel = shift == d
        moved[sel] = shapely.transform(moved[sel], lambda xy, d=d: xy + np.array([d, 0.0]))
    out[ok] = moved
    return out
