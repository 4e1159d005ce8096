"""Lines and zones for every leg, on this machine or on a dask cluster.

``engine="pandas"`` (the default) runs :func:`geo.routes.movement_lines`,
:func:`geo.zones.attribute_legs` and :func:`geo.zones.split_by_zone` in this
process.  ``engine="dask"`` runs the same three functions on partitions of
the legs with dask-geopandas, on whatever dask scheduler is current: a
``dask.distributed.Client`` connected to a cluster (``scheduler=
"tcp://host:8786"`` connects one for the call), else dask's local threads.
Every leg's lines, zones and segments depend on that leg alone, so the
result is the same row for row; partitions are put back in ledger order.

The dask packages are an optional extra: ``pip install 'movemap[scale]'``.
"""

from __future__ import annotations

from typing import Literal

import geopandas as gpd
import pandas as pd

__all__ = ["ENGINES", "lines_and_zones"]

#: Engines :func:`lines_and_zones` accepts.
ENGINES = ("pandas", "dask")

#: Legs per dask partition when none is asked for.
_PARTITION_LEGS = 100_000


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
        client if there is one, else local threads.
    partitions
        With ``engine="dask"``: number of partitions (default: one per
        100,000 legs, at least one per worker of the client).
    outside_geometry
        As for :func:`geo.zones.split_by_zone`.

    Returns
    -------
    legs, segments
        As :func:`geo.zones.attribute_legs` and :func:`geo.zones.split_by_zone`
        return them for ``movement_lines(legs)``.

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

    return movement_lines(part)


def _attributed(part: gpd.GeoDataFrame, zones: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    from geo.zones import attribute_legs

    return attribute_legs(part, zones)


def _split(
    part: gpd.GeoDataFrame, zones: gpd.GeoDataFrame, outside_geometry: bool
) -> gpd.GeoDataFrame:
    from geo.routes import counted_lines
    from geo.zones import split_by_zone

    return split_by_zone(counted_lines(part), zones, outside_geometry=outside_geometry)


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
        if partitions is None:
            workers = _workers(client)
            partitions = max(-(-len(legs) // _PARTITION_LEGS), workers)
        partitions = max(1, min(int(partitions), len(legs)))
        # Object columns (tuples of source ids) stay objects, as in pandas.
        with dask.config.set({"dataframe.convert-string": False}):
            ddf = dd.from_pandas(legs, npartitions=partitions, sort=False)
            head = legs.iloc[:1]
            meta_lines = _lines(head)
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
            out_legs, out_segments = dask.compute(attributed, segments)
    finally:
        if client is not None:
            client.close()
    out_segments = out_segments.reset_index(drop=True)
    return out_legs, out_segments


def _workers(client: object) -> int:
    """Workers of the given (or current) distributed client; 1 without one."""
    try:
        from distributed import get_client

        c = client or get_client()
    except (ImportError, ValueError):
        return 1
    return max(1, len(c.scheduler_info().get("workers", {})))  # type: ignore[attr-defined]
