"""Lines and zones for every leg, on this machine or on a dask cluster.

``engine="pandas"`` (the default) runs :func:`geo.routes.movement_lines`,
:func:`geo.zones.attribute_legs` and :func:`geo.zones.split_by_zone` in this
process.  ``engine="dask"`` runs the same three functions on partitions of
the legs with dask-geopandas, on a ``dask.distributed`` cluster: the
current ``Client``, or the scheduler at ``scheduler="tcp://host:8786"``
(connected for the call).  Without either (and no ``scheduler`` set in
dask's config), the partitions run one after another in this process
(dask's synchronous scheduler): the same result, but no parallel work.

Same rows as pandas
    A leg's line, zones and segments depend on that leg alone, except
    ``TRANSFER_KM``, the sum over a transfer's legs.  Partitions are cut
    only between transfers (each transfer's legs in one partition), and
    the sum is made again over the whole result, in the legs' order (a
    float sum over a partition can differ from pandas' in the last bit);
    results are put back in the legs' order.

One GEOS task per process at a time
    GEOS prepared geometries are not thread-safe (libgeos/geos#825): the
    zone geometries, their cached tiles and the land mask are prepared once
    per process (``shapely.prepare``) and their indexes are built lazily on
    first use, so two threads using them at once can crash the interpreter.
    Every partition task holds one per-process lock while it works, so
    worker threads of one process take turns; parallel work comes from
    worker *processes* (``dask worker --nthreads 1``, one per core, or a
    ``LocalCluster(processes=True)``), each with its own copy of the zones
    and caches.  dask's local thread pool would only take turns on the
    lock, and a local process pool would rebuild the caches for every
    call and pickle every result back (unpickling densified lines costs
    more than computing them: README, "Past one machine"), hence the
    synchronous default.  Thread-local caches in ``geo.zones`` would let
    one process's threads work at once.

The dask packages are an optional extra: ``pip install 'movemap[scale]'``.
"""

from __future__ import annotations

import itertools
import threading
from typing import Literal

import geopandas as gpd
import numpy as np
import pandas as pd

from geo import columns as col

__all__ = ["ENGINES", "lines_and_zones"]

#: Engines :func:`lines_and_zones` accepts.
ENGINES = ("pandas", "dask")

#: Legs per dask partition when none is asked for.
_PARTITION_LEGS = 100_000

#: Held by every task that runs GEOS on the shared, prepared zone geometries.
_GEOS_LOCK = threading.Lock()


def lines_and_zones(
    legs: pd.DataFrame,
    zones: gpd.GeoDataFrame,
    *,
    engine: Literal["pandas", "dask"] = "pandas",
    scheduler: str | None = None,
    partitions: int | None = None,
    outside_geometry: bool = True,
) -> tuple[gpd.GeoDataFrame, gpd.GeoDataFrame]:
    """Draw every leg, attribute it to zones and split it at zone boundaries.

    Parameters
    ----------
    legs
        ``LedgerResult.legs``.
    zones
        From :func:`geo.zones.read_zones`.
    engine
        ``"pandas"``: in this process; ``"dask"``: on dask-geopandas partitions.
    scheduler
        With ``engine="dask"``: address of a dask.distributed scheduler
        (``"tcp://10.0.0.5:8786"``) to run on; ``None`` uses the current
        client if there is one, else runs the partitions one by one here.
    partitions
        With ``engine="dask"``: number of partitions (default: one per
        100,000 legs, at least one per worker of the client); partitions
        are cut between transfers, so there may be fewer.
    outside_geometry
        As for :func:`geo.zones.split_by_zone`.

    Returns
    -------
    legs, segments
        As :func:`geo.zones.attribute_legs` and :func:`geo.zones.split_by_zone`
        return them for ``movement_lines(legs)``; the same with either engine.

    Raises
    ------
    ValueError
        For an unknown engine.
    ImportError
        For ``engine="dask"`` without the dask packages (with the command
        that installs them).

    """
    if engine not in ENGINES:
        msg = f"unknown engine {engine!r}; use one of {', '.join(ENGINES)}"
        raise ValueError(msg)
    if engine == "pandas" or len(legs) == 0:
        with _GEOS_LOCK:
            return _one(legs, zones, outside_geometry)
    return _dask(legs, zones, scheduler, partitions, outside_geometry)


def _one(
    legs: pd.DataFrame, zones: gpd.GeoDataFrame, outside_geometry: bool
) -> tuple[gpd.GeoDataFrame, gpd.GeoDataFrame]:
    from geo.routes import counted_lines, movement_lines
    from geo.zones import attribute_legs, split_by_zone

    lines = movement_lines(legs)  # sea routes, tracks, via points, alternatives
    return (
        attribute_legs(lines, zones),
        # alternatives: segments follow the counted candidate
        split_by_zone(counted_lines(lines), zones, outside_geometry=outside_geometry),
    )


def _lines(part: pd.DataFrame) -> gpd.GeoDataFrame:
    from geo.routes import movement_lines

    with _GEOS_LOCK:  # the land mask of sea routes is prepared and shared
        return movement_lines(part)


def _attributed(part: gpd.GeoDataFrame, zones: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    from geo.zones import attribute_legs

    with _GEOS_LOCK:
        return attribute_legs(part, zones)


def _split(
    part: gpd.GeoDataFrame, zones: gpd.GeoDataFrame, outside_geometry: bool
) -> gpd.GeoDataFrame:
    from geo.routes import counted_lines
    from geo.zones import split_by_zone

    with _GEOS_LOCK:
        return split_by_zone(counted_lines(part), zones, outside_geometry=outside_geometry)


def _transfer_order(legs: pd.DataFrame) -> tuple[np.ndarray | None, np.ndarray]:
    """Rows grouped by transfer, and the positions where a transfer starts.

    Returns ``(order, starts)``: ``order`` (None when the legs already come
    transfer by transfer, as the ledger gives them) is a stable permutation
    putting each transfer's legs together in order of first appearance;
    ``starts`` are the positions, in that order, where a transfer begins.
    """
    n = len(legs)
    if col.TRANSFER_ID not in legs:
        return None, np.arange(n)
    codes, _ = pd.factorize(legs[col.TRANSFER_ID], use_na_sentinel=False)
    order = None
    if np.any(np.diff(codes) < 0):
        order = np.argsort(codes, kind="stable")
        codes = codes[order]
    starts = np.flatnonzero(np.r_[True, codes[1:] != codes[:-1]])
    return order, starts


def _pieces(legs: pd.DataFrame, partitions: int) -> tuple[list[pd.DataFrame], np.ndarray | None]:
    """About ``partitions`` slices of the legs, each holding whole transfers."""
    order, starts = _transfer_order(legs)
    grouped = legs if order is None else legs.iloc[order]
    edges = np.r_[starts, len(legs)]  # a cut may fall only on these
    want = np.arange(1, partitions) * len(legs) / partitions
    bounds = np.unique(np.r_[0, edges[np.searchsorted(edges, want)], len(legs)])
    return [grouped.iloc[a:b] for a, b in itertools.pairwise(bounds)], order


def _dask(
    legs: pd.DataFrame,
    zones: gpd.GeoDataFrame,
    scheduler: str | None,
    partitions: int | None,
    outside_geometry: bool,
) -> tuple[gpd.GeoDataFrame, gpd.GeoDataFrame]:
    try:
        import dask
        import dask.dataframe as dd
        import dask_geopandas  # noqa: F401  (registers GeoDataFrame partitions)
    except ImportError as exc:
        msg = "engine 'dask' needs dask-geopandas: pip install 'movemap[scale]'"
        raise ImportError(msg) from exc
    client = None
    if scheduler is not None:
        from distributed import Client

        client = Client(scheduler)
    try:
        current = client or _current_client()
        if partitions is None:
            workers = _workers(current)
            partitions = max(-(-len(legs) // _PARTITION_LEGS), workers)
        partitions = max(1, min(int(partitions), len(legs)))
        pieces, order = _pieces(legs, partitions)
        # Object columns (tuples of source ids) stay objects, as in pandas.
        with dask.config.set({"dataframe.convert-string": False}):
            ddf = dd.from_map(_same, pieces, meta=legs.iloc[:0], enforce_metadata=False)
            meta_lines = _lines(legs.iloc[:1])
            lines = ddf.map_partitions(_lines, meta=meta_lines.iloc[:0])
            attributed = lines.map_partitions(
                _attributed, zones, meta=_attributed(meta_lines, zones).iloc[:0]
            )
            segments = lines.map_partitions(
                _split,
                zones,
                outside_geometry,
                meta=_split(meta_lines, zones, outside_geometry).iloc[:0],
            )
            # Without a cluster (and no scheduler set in dask's config): one
            # partition after another, here (see above).
            run_on = current or dask.config.get("scheduler", None) or "synchronous"
            # Partition by partition, each straight from its worker to this
            # process (computing the frames would first gather every
            # partition on one worker, then send them on).
            done = dask.compute(
                *attributed.to_delayed(optimize_graph=False),
                *segments.to_delayed(optimize_graph=False),
                scheduler=run_on,
            )
    finally:
        if client is not None:
            client.close()
    k = attributed.npartitions
    out_legs, out_segments = pd.concat(done[:k]), pd.concat(done[k:])
    if order is not None:
        out_legs, out_segments = _unsorted(out_legs, out_segments, order)
    if col.TRANSFER_KM in out_legs:
        from geo.routes import transfer_km

        # Each partition summed its own transfers; the sum over the whole
        # table (pandas' grouped sum) can differ in the last bit.
        out_legs[col.TRANSFER_KM] = transfer_km(out_legs)
    return out_legs, out_segments.reset_index(drop=True)


def _same(piece: pd.DataFrame) -> pd.DataFrame:
    return piece


def _unsorted(
    out_legs: gpd.GeoDataFrame, segments: gpd.GeoDataFrame, order: np.ndarray
) -> tuple[gpd.GeoDataFrame, gpd.GeoDataFrame]:
    """Put legs and segments computed in ``order`` back in the legs' order."""
    back = np.argsort(order, kind="stable")
    # Every leg has segments, the first with SEGMENT_ORDER 0: number them.
    leg_of = np.cumsum(segments[col.SEGMENT_ORDER].to_numpy() == 0) - 1
    if len(segments) and leg_of[-1] != len(order) - 1:
        msg = f"{leg_of[-1] + 1} legs have segments, expected {len(order)}: cannot reorder"
        raise RuntimeError(msg)
    by_leg = np.argsort(order[leg_of], kind="stable")
    return out_legs.iloc[back], segments.iloc[by_leg]


def _current_client() -> object | None:
    try:
        from distributed import get_client

        return get_client()
    except (ImportError, ValueError):
        return None


def _workers(client: object | None) -> int:
    """Workers of the given distributed client; 1 without one."""
    if client is None:
        return 1
    return max(1, len(client.scheduler_info().get("workers", {})))  # type: ignore[attr-defined]
