"""Splitting legs at zone boundaries into segments with km per zone."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import numpy.typing as npt
import pandas as pd
import shapely

from geo import columns as C  # noqa: N812
from geo.threads import thread_count
from geo.zones._common import (
    _CRS,
    CHANGED,
    IntArray,
    ObjArray,
    _empty_segments,
    _objects,
    _tiles,
    no_gc,
)
from geo.zones._distinct import broadcast_segments, leg_classes
from geo.zones._fast import geos_met, met_batch, segments_batch
from geo.zones._geos import _segments_batch
from geo.zones._legs import _crosses_front, _ends, _from_outside, _leg_days
from geo.zones._parallel import map_batches
from geo.zones._pieces import _geodesic_km, _line_parts
from geo.zones._shared import BATCH_LEGS, crossings

__all__ = ["split_by_zone"]

#: Fewest legs left to GEOS per thread (fewer run in one call).
_MIN_GEOS_LEGS = 16


def _segments(
    lines: gpd.GeoDataFrame,
    zones: gpd.GeoDataFrame,
    tiles: tuple[ObjArray, IntArray],
    *,
    outside_geometry: bool = True,
) -> pd.DataFrame:
    """Segments (one row per leg and zone, plus outside stretches), positional rows.

    With ``outside_geometry=False`` the outside stretches get no geometry.
    """
    n = len(lines)
    cr = crossings(lines, zones)
    geoms, rows_ok = cr.geoms, cr.rows_ok
    _, e = _leg_days(lines)
    if C.LENGTH_KM in lines:
        # Vertices of geodesic_lines lie on the geodesic: its length is the sum.
        total = pd.to_numeric(lines[C.LENGTH_KM], errors="coerce").to_numpy(float).copy()
    else:
        total = np.full(n, np.nan)
        cr.wrap_all()
        lparts, lidx = _line_parts(geoms[rows_ok])
        total[rows_ok] = np.bincount(lidx, weights=_geodesic_km(lparts), minlength=len(rows_ok))
    changed = np.zeros(n, dtype=bool)  # each batch writes its own legs only

    def one(start: int, own: gpd.GeoDataFrame) -> tuple[pd.DataFrame, IntArray]:
        got = segments_batch(
            cr, start, e, own, total, changed,
            outside_geometry=outside_geometry, on_geodesic=C.LENGTH_KM in lines,
        )  # fmt: skip
        cr.release(start)
        return got

    # A few batches, each vectorized, side by side on threads.
    done = map_batches(one, cr.starts(), zones)
    batches = [got for got, _ in done]
    left = [np.zeros(0, dtype=np.int64)] + [rest for _, rest in done]
    # The legs left to GEOS (a few per thousand, ~1 ms each), together: in
    # as many pieces as threads (of at least _MIN_GEOS_LEGS legs; the cost
    # is partly per call), each on a thread's own zones and tiles.
    rest = np.concatenate(left)
    cr.wrap_all()  # done by the batches (a no-op unless a batch step was replaced)
    k = max(min(thread_count(), len(rest) // _MIN_GEOS_LEGS), -(-len(rest) // BATCH_LEGS), 1)

    def slow(part: IntArray, own: gpd.GeoDataFrame) -> pd.DataFrame:
        return _segments_batch(
            geoms, part, cr.s, e, own, tiles if own is zones else _tiles(own), total, changed,
            geometry=True, outside_geometry=outside_geometry,
        )  # fmt: skip

    if len(rest):
        batches += map_batches(slow, np.array_split(rest, k), zones)
    usable = np.zeros(n, dtype=bool)
    usable[rows_ok] = True
    bad = np.flatnonzero(~usable)
    if len(bad):
        no_geom = shapely.is_missing(geoms[bad]) | shapely.is_empty(geoms[bad])
        batches.append(
            pd.DataFrame(
                {
                    "row": bad,
                    "z": pd.array([pd.NA] * len(bad), dtype="Int64"),
                    "km": np.nan,
                    "geom": np.full(len(bad), None, dtype=object),
                    "pos": 0.0,
                    "note": np.where(no_geom, "no geometry", "no date"),
                }
            )
        )
    seg = pd.concat(batches, ignore_index=True) if batches else _empty_segments()
    # by row, then position along the leg (a stable sort, as sort_values)
    order = np.lexsort((seg["pos"].to_numpy(float), seg["row"].to_numpy(np.int64)))
    seg = seg.take(order).reset_index(drop=True)
    return _label(seg, zones, changed)


def met_pairs(
    lines: gpd.GeoDataFrame,
    zones: gpd.GeoDataFrame,
    which: IntArray,
    *,
    also: gpd.GeoDataFrame | None = None,
) -> pd.DataFrame:
    """(row, zone) pairs: each usable leg and the zones ``zones.iloc[which]`` it passes through.

    ``zone`` is a position in ``zones``; the crossings found are remembered
    for :func:`split_by_zone` on the same lines (``also``: a copy of
    ``lines`` the caller returns).
    """
    cr = crossings(lines, zones, also=also)
    if not len(which):
        return pd.DataFrame({"row": np.zeros(0, np.int64), "z": np.zeros(0, np.int64)})
    done = map_batches(lambda start, own: met_batch(cr, start, own, which), cr.starts(), zones)
    got = [met for met, _ in done]
    rest = np.concatenate([np.zeros(0, dtype=np.int64)] + [r for _, r in done])
    front = zones.iloc[which]
    got += [geos_met(cr, rest[i : i + BATCH_LEGS], front) for i in range(0, len(rest), BATCH_LEGS)]
    if not got:
        return pd.DataFrame({"row": np.zeros(0, np.int64), "z": np.zeros(0, np.int64)})
    met = pd.concat(got, ignore_index=True)
    return pd.DataFrame(
        {"row": met["row"].to_numpy(np.int64), "z": which[met["z"].to_numpy(np.int64)]}
    )


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
    # One take per column from the zones' values plus a last slot for "in no zone".
    slot = np.where(has, zi, len(ids))

    def per_row(values: npt.NDArray[np.generic], outside: object) -> ObjArray:
        return _objects(np.append(values, np.array([outside], dtype=object))).to_numpy()[slot]

    seg[C.ZONE_ID] = pd.Series(per_row(ids, None), dtype=object)
    faction = per_row(fac, C.OUTSIDE_ZONES)
    faction[np.isnan(seg["km"].to_numpy(float)) & ~has] = None
    seg[C.FACTION] = pd.Series(faction, dtype=object)
    seg[C.ZONE_COUNTRY] = pd.Series(per_row(country, None), dtype=object)
    seg[C.CONTESTED] = np.append(contested, False)[slot]
    note = np.full(len(seg), "", dtype=object)
    if "note" in seg:
        raw = seg["note"].to_numpy(dtype=object)
        given = np.flatnonzero(~pd.isna(raw))
        note[given] = raw[given]
    at = np.flatnonzero(changed[seg["row"].to_numpy()])
    note[at[note[at] == ""]] = CHANGED + " (zones as of date_start)"
    seg[C.CONTROL_NOTE] = pd.Series(note, dtype=object)  # made a str column once, by the caller
    return seg


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
    with no_gc():
        grouped = leg_classes(lines, zones)
        if grouped is None:
            return _split_by_zone(lines, zones, outside_geometry)
        first, cls = grouped
        answered = _split_by_zone(lines.iloc[first], zones, outside_geometry)
        return broadcast_segments(lines, answered, cls)


def _split_by_zone(
    lines: gpd.GeoDataFrame, zones: gpd.GeoDataFrame, outside_geometry: bool
) -> gpd.GeoDataFrame:
    n = len(lines)
    seg = _segments(lines, zones, _tiles(zones), outside_geometry=outside_geometry)
    rows = seg["row"].to_numpy(np.int64)
    out = pd.DataFrame(index=pd.RangeIndex(len(seg)))
    for col in (C.TRANSFER_ID, C.LEG):
        if col in lines:
            out[col] = lines[col].array.take(rows)  # the column's own dtype, no round trip
    # rows are sorted: the order within a leg counts from the leg's first row
    at = np.arange(len(rows))
    first = np.r_[True, rows[1:] != rows[:-1]] if len(rows) else np.zeros(0, bool)
    out[C.SEGMENT_ORDER] = at - np.maximum.accumulate(np.where(first, at, 0))
    for col in (C.ZONE_ID, C.FACTION, C.ZONE_COUNTRY):  # None where missing (_label)
        out[col] = pd.Series(seg[col].to_numpy(dtype=object), dtype=object)
    out[C.CONTESTED] = seg[C.CONTESTED].to_numpy(bool)
    out[C.SEGMENT_KM] = seg["km"].to_numpy(float)
    out[C.CONTROL_NOTE] = seg[C.CONTROL_NOTE].to_numpy()
    zz = np.asarray(seg["z"].astype("Int64").to_numpy(dtype=np.int64, na_value=-1), np.int64)
    has = zz >= 0
    out[C.CROSSES_FRONT] = _crosses_front(rows[has], zz[has], zones, n)[rows]
    x0, y0, x1, y1 = _ends(lines)
    cr = crossings(lines, zones)
    fo = cr.remember("from_outside", (x0, y0, x1, y1), lambda: _from_outside(x0, y0, x1, y1))
    out[C.FROM_OUTSIDE] = fo[rows]
    geoms = gpd.GeoSeries(seg["geom"].to_numpy(), crs=_CRS)
    return gpd.GeoDataFrame(out, geometry=geoms, copy=False)  # out is this call's own
