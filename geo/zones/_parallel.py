"""Batches of legs on threads, each thread with its own copy of the zones.

The work per batch of legs (where they meet zone boundaries, the segments
cut out of them) is numpy, shapely and a compiled loop, all of which release
the GIL, so batches run side by side on :func:`geo.threads.thread_count`
threads.  GEOS prepared geometries are not thread-safe (libgeos/geos#825):
two threads testing points or lines against one prepared zone at once can
crash the interpreter.  Every worker thread therefore works on its own deep
copy of the zones (new GEOS objects, made once per thread and zone set), and
the prepared tiles (:data:`geo.zones._common._TILE_CACHE`) are a dict per
thread.  What holds no GEOS object is built once and shared read-only: the
edge grids (:data:`geo.zones._crossings._EDGE_CACHE`) and the tiles as WKB
(:data:`geo.zones._common._SHARED_TILES`), from which each thread makes its
own tiles.  The threads are kept between calls (their copies and caches
with them).

Results are joined in the order of the batches: the answer does not depend
on the number of threads or on timing.  Inside :func:`geo.threads.limited`
(1) (the pipeline's forked workers, dask tasks) every batch runs in the
calling thread, on the zones it was given.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import TypeVar

import geopandas as gpd
import numpy as np
import shapely

from geo.threads import limited, thread_count

__all__ = ["map_batches", "own_zones", "start"]

T = TypeVar("T")
U = TypeVar("U")

_THREAD = threading.local()
_POOL: tuple[int, int, ThreadPoolExecutor] | None = None  # (pid, workers, pool)
_POOL_LOCK = threading.Lock()


def own_zones(zones: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Return the calling thread's deep copy of ``zones`` (made once per thread and zone set)."""
    held = getattr(_THREAD, "zones", None)
    if held is None or held[0] is not zones:
        geoms = np.asarray(zones.geometry.array, dtype=object)
        copy = zones.copy()
        copy[zones.geometry.name] = gpd.GeoSeries(
            shapely.from_wkb(shapely.to_wkb(geoms, include_srid=True)),
            index=zones.index,
            crs=zones.crs,
        )
        held = _THREAD.zones = (zones, copy)  # the original kept: its id stays unique
    return held[1]  # type: ignore[no-any-return]


def _pool(workers: int) -> ThreadPoolExecutor:
    """Return the module's worker threads (a new pool after a fork or for another count)."""
    global _POOL
    with _POOL_LOCK:
        if _POOL is None or _POOL[0] != os.getpid() or _POOL[1] != workers:
            if _POOL is not None and _POOL[0] == os.getpid():
                _POOL[2].shutdown(wait=False)
            _POOL = (os.getpid(), workers, ThreadPoolExecutor(workers, "movemap-zones"))
        return _POOL[2]


def map_batches(
    fn: Callable[[T, gpd.GeoDataFrame], U],
    items: Sequence[T],
    zones: gpd.GeoDataFrame,
) -> list[U]:
    """Return ``[fn(item, zones) for item in items]``, the items on threads.

    Parameters
    ----------
    fn
        The work for one item; called with the item and the zones to use
        (the worker thread's own copy of ``zones``).  Inside it, steps run
        on one thread each (the batches are the parallelism).
    items
        The items (batches), answered in this order.
    zones
        From :func:`geo.zones.read_zones`.

    """
    workers = thread_count()
    if workers <= 1 or len(items) <= 1:
        return [fn(item, zones) for item in items]

    def work(item: T) -> U:
        with limited(1):
            return fn(item, own_zones(zones))

    return list(_pool(workers).map(work, items))


def start(fn: Callable[[gpd.GeoDataFrame], U], zones: gpd.GeoDataFrame) -> Callable[[], U]:
    """Start ``fn(zones)`` on a worker thread, on its own zone copy; return a getter of the answer.

    The calling thread goes on meanwhile (e.g. with :func:`map_batches`,
    whose items the other workers take).  Inside
    :func:`geo.threads.limited` (1) ``fn`` runs at once, here.
    """
    workers = thread_count()
    if workers <= 1:
        value = fn(zones)
        return lambda: value

    def work() -> U:
        with limited(1):
            return fn(own_zones(zones))

    return _pool(workers).submit(work).result
