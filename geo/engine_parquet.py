"""GeoParquet export on dask, streamed: each chunk written as soon as it is done.

``movemap export --format parquet --engine dask`` writes what
:func:`geo.pipeline.export_geoparquet` writes (the same bytes: the same
chunks of transfers, one row group each), but the chunks' lines and zones
come from a dask cluster (:func:`geo.engine.zoned_chunks`): while the
workers compute the next pieces, this process encodes and writes the
chunk before, so nothing but the pieces in flight is ever held here.
"""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace
from typing import Any

from geo.columns import TRANSFER_ID

__all__ = ["export_geoparquet_dask"]


def export_geoparquet_dask(
    data_dir: str | Path | None,
    out: str | Path,
    *,
    legfilter: Any = None,
    scheduler: str | None = None,
    chunk_legs: int | None = None,
) -> tuple[list[Path], list[Any]]:
    """Load a data folder and write its legs and segments as GeoParquet, chunks computed on dask.

    Parameters
    ----------
    data_dir
        The input folder (``None``: the bundled data).
    out
        Folder that receives :data:`geo.pipeline.GEOPARQUET_FILES`.
    legfilter
        Optional :class:`geo.filters.LegFilter`.
    scheduler
        A dask.distributed scheduler address; ``None``: the current client,
        else one chunk after another here (see :func:`geo.engine.lines_and_zones`).
    chunk_legs
        Legs per chunk (row group); default :data:`geo.pipeline.CHUNK_LEGS`,
        as :func:`geo.pipeline.export_geoparquet`, for the same bytes.

    Returns
    -------
    paths, warnings
        As :func:`geo.pipeline.export_geoparquet`.

    Raises
    ------
    InputError
        With every problem of every input file, or of the filter.

    """
    from geo._io import atomic_path
    from geo.dataset import _warnings, read_inputs, unplaced_legs
    from geo.engine import zoned_chunks
    from geo.filters import filter_legs
    from geo.geoparquet import GeoParquetWriter, geoparquet_table
    from geo.pipeline import (
        CHUNK_LEGS,
        GEOPARQUET_FILES,
        LINE_TYPES,
        kept_of_chunk,
        transfer_chunks,
    )

    folder, places, ledger, zones = read_inputs(data_dir)
    legs = ledger.legs
    keep = filter_legs(legs, legfilter) if legfilter else None
    warnings = [*_warnings(places), *ledger.warnings, *_warnings(zones)]
    chunks = list(transfer_chunks(legs[TRANSFER_ID], chunk_legs=chunk_legs or CHUNK_LEGS))
    chunks = chunks or [slice(0, 0)]
    paths = [Path(out) / name for name in GEOPARQUET_FILES]
    schemas: dict[str, Any] = {}
    with (
        atomic_path(paths[0]) as legs_tmp,
        atomic_path(paths[1]) as segments_tmp,
        GeoParquetWriter(legs_tmp, geometry_types=LINE_TYPES) as leg_out,
        GeoParquetWriter(segments_tmp, geometry_types=LINE_TYPES) as segment_out,
    ):
        done = zoned_chunks(legs, zones, chunks, scheduler=scheduler)
        for chunk, (attributed, segments) in zip(chunks, done, strict=True):
            attributed, segments = kept_of_chunk(attributed, segments, keep, chunk)
            warnings.extend(unplaced_legs(SimpleNamespace(legs=attributed, folder=folder)))  # type: ignore[arg-type]
            for name, frame, writer in (
                ("legs", attributed, leg_out),
                ("segments", segments, segment_out),
            ):
                table = geoparquet_table(
                    frame.reset_index(drop=True),
                    geometry_types=LINE_TYPES,
                    schema=schemas.get(name),
                )
                schemas.setdefault(name, table.schema)
                writer.write_table(table)
    return paths, warnings
