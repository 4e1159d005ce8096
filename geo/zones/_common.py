"""Pieces shared by the zone modules: day numbers, array types, tiles, frame helpers."""

from __future__ import annotations

import contextlib
import gc
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import geopandas as gpd
import numpy as np
import numpy.typing as npt
import pandas as pd
import shapely
from pyproj import Geod

from geo import columns as C  # noqa: N812
from geo import settings
from geo._threadcache import PerThreadCache, SharedCache
from geo.countries import subdivide

#: Start of the ``control_note`` when control changed during a leg's dates.
CHANGED = "changed during interval"

_GEOD = Geod(ellps=settings.ELLPS)
_CRS = "EPSG:4326"
# Open-ended zones end at the largest day numpy's datetime64[D] can hold.
_FOREVER = np.iinfo(np.int64).max // 2
_NAT = np.iinfo(np.int64).min

IntArray = npt.NDArray[np.int64]
ObjArray = npt.NDArray[np.object_]


@contextlib.contextmanager
def no_gc() -> Iterator[None]:
    """Pause Python's cyclic garbage collector for the block.

    Shapely geometries are objects the collector tracks, and building
    hundreds of thousands of them triggers collections that each walk
    every geometry alive (the ledger's lines included): about a tenth of
    the time of a split.  The geometries hold no reference cycles;
    anything cyclic made in the block is collected once it ends.
    """
    was = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was:
            gc.enable()


def _days(values: Any, *, open_end: bool) -> IntArray:
    """Dates as int64 day numbers; NaT -> far future (open_end) or _NAT."""
    arr = np.asarray(pd.to_datetime(values), dtype="datetime64[D]")
    out = arr.astype(np.int64)
    out[np.isnat(arr)] = _FOREVER if open_end else _NAT
    return out


@dataclass(frozen=True)
class ZoneFacts:
    """What the batches of one call read from a zone set, computed once per call and copy.

    ``key``: :func:`_zone_key`; ``geoms``: the zones' geometries (of the copy
    given: its GEOS objects); ``zf``, ``zt``: first and last valid day
    numbers (``_days``); ``ids``: the zone ids as objects; ``area``: planar
    area (degrees²).
    """

    key: tuple[tuple[str, ...], int]
    geoms: ObjArray
    zf: IntArray
    zt: IntArray
    ids: ObjArray
    area: npt.NDArray[np.float64]

    @classmethod
    def of(cls, zones: gpd.GeoDataFrame) -> ZoneFacts:
        """Read the facts of ``zones``."""
        geoms = np.asarray(zones.geometry.values, dtype=object)
        return cls(
            _zone_key(zones),
            geoms,
            _days(zones[C.VALID_FROM], open_end=False),
            _days(zones[C.VALID_TO], open_end=True),
            zones[C.ZONE_ID].to_numpy(dtype=object),
            shapely.area(geoms) if len(geoms) else np.zeros(0),
        )


# --- tiles ----------------------------------------------------------------------


def _zone_key(zones: gpd.GeoDataFrame) -> tuple[tuple[str, ...], int]:
    """Return a key for a set of zones: their ids and a hash of their geometries."""
    geoms = np.asarray(zones.geometry.values, dtype=object)
    return (tuple(zones[C.ZONE_ID].astype(str)), hash(tuple(shapely.to_wkb(geoms))))


def _tiles(zones: gpd.GeoDataFrame) -> tuple[ObjArray, IntArray]:
    """Cut every zone into small tiles; return (tile geometries, zone position).

    See :func:`geo.countries.subdivide`.  The tiles are cut once per zone
    set for every thread (:func:`shared_tiles`, kept as WKB); each thread
    makes and prepares its own geometries from them, once per zone set.
    """
    key = _zone_key(zones)
    if key in _TILE_CACHE:
        return _TILE_CACHE[key]
    wkb, owners, _ = shared_tiles(zones, key)
    tiles = shapely.from_wkb(wkb)  # new GEOS objects, this thread's own
    shapely.prepare(tiles)
    if len(_TILE_CACHE) >= 8:
        _TILE_CACHE.pop(next(iter(_TILE_CACHE)))
    _TILE_CACHE[key] = (tiles, owners)
    return tiles, owners


def shared_tiles(
    zones: gpd.GeoDataFrame, key: tuple[tuple[str, ...], int] | None = None
) -> tuple[ObjArray, IntArray, npt.NDArray[np.float64]]:
    """Return the zones' tiles for every thread: (WKB, zone position, bounds), read-only.

    Cut once per zone set (``key``: its :func:`_zone_key`) in the first
    thread that asks; no GEOS object is shared.
    """

    def cut() -> tuple[ObjArray, IntArray, npt.NDArray[np.float64]]:
        geoms = np.asarray(zones.geometry.values, dtype=object)
        tiles, owners = subdivide(
            geoms, max_vertices=_TILE_VERTICES, min_size=settings.ZONE_TILE_DEG
        )
        bounds = shapely.bounds(tiles) if len(tiles) else np.zeros((0, 4))
        return np.asarray(shapely.to_wkb(tiles), dtype=object), owners, bounds

    return _SHARED_TILES.get(_zone_key(zones) if key is None else key, cut)


_TILE_VERTICES = 64
#: Prepared tiles per zone set, a dict per thread: GEOS prepared geometry is not thread-safe.
_TILE_CACHE: PerThreadCache = PerThreadCache()
#: The tiles as WKB (and their zones and bounds), cut once for every thread.
_SHARED_TILES: SharedCache = SharedCache()


def _objects(values: Any) -> pd.Series:
    """Object Series with None (not NaN) for missing values."""
    arr = np.array(values, dtype=object)  # a copy: inputs may be read-only views
    arr[pd.isna(arr)] = None
    return pd.Series(arr, dtype=object)


def _col(df: pd.DataFrame, col: str) -> ObjArray:
    if col in df:
        return df[col].to_numpy(dtype=object)
    return np.full(len(df), None, dtype=object)


def _xy(df: pd.DataFrame, xcol: str, ycol: str) -> tuple[npt.NDArray[np.float64], ...]:
    if xcol in df and ycol in df:
        return (
            pd.to_numeric(df[xcol], errors="coerce").to_numpy(float),
            pd.to_numeric(df[ycol], errors="coerce").to_numpy(float),
        )
    geoms = df.geometry.values
    return shapely.get_x(geoms), shapely.get_y(geoms)


def _empty_segments() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "row": np.array([], dtype=np.int64),
            "z": pd.array([], dtype="Int64"),
            "km": np.array([], dtype=float),
            "geom": np.array([], dtype=object),
            "pos": np.array([], dtype=float),
        }
    )
