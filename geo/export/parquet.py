"""GeoParquet 1.0 export of the zone-attributed legs and their zone segments, unflattened."""

from __future__ import annotations

from pathlib import Path

from geo._io import atomic_path
from geo.export.tables import DatasetLike

__all__ = ["to_geoparquet"]


def to_geoparquet(dataset: DatasetLike, folder: str | Path) -> list[Path]:
    """Write the zone-attributed legs and their zone segments as GeoParquet 1.0.

    Unlike the other formats the tables are not flattened: every leg and
    segment column is kept with its type (tuples as lists, dates as
    timestamps), geometry as WKB.  For a ledger too large to hold every
    line in memory, :func:`geo.pipeline.export_geoparquet` writes the same
    files a chunk of transfers at a time (``movemap export --format parquet``).

    Parameters
    ----------
    dataset
        A loaded dataset.
    folder
        Receives ``legs.parquet`` and ``segments.parquet``.

    Returns
    -------
    list of pathlib.Path

    """
    from geo.geoparquet import GeoParquetWriter
    from geo.pipeline import GEOPARQUET_FILES, LINE_TYPES

    paths = []
    for name, frame in zip(GEOPARQUET_FILES, (dataset.legs, dataset.segments), strict=True):
        path = Path(folder) / name
        with atomic_path(path) as tmp, GeoParquetWriter(tmp, geometry_types=LINE_TYPES) as out:
            out.write(frame.reset_index(drop=True))
        paths.append(path)
    return paths
