"""Write GeoParquet (1.0.0) with pyarrow, one row group per frame written.

:class:`GeoParquetWriter` appends GeoDataFrames to one file as row groups,
so a table larger than memory can be written a chunk at a time: geometries
become WKB with one vectorized :func:`shapely.to_wkb` call, the other
columns go through :meth:`pyarrow.Table.from_pandas` with a schema fixed by
the first frame, whose ``geo`` metadata (CRS as PROJJSON, the geometry
types declared when the writer is made, checked on every frame) is in the
Arrow schema and the Parquet footer, where GDAL, geopandas and pyarrow
readers look.  Tuples (source ids,
categories, via points) become Arrow lists.  Same frames, same bytes.
"""

from __future__ import annotations

import json
from pathlib import Path
from types import TracebackType
from typing import Any

import numpy as np
import pandas as pd

from geo import columns as col

__all__ = ["GEOPARQUET_VERSION", "GeoParquetWriter", "geoparquet_table", "write_geoparquet"]

#: The GeoParquet specification version written in the ``geo`` metadata.
GEOPARQUET_VERSION = "1.0.0"

_TEXT_LISTS = (
    col.SOURCE_IDS,
    col.CATEGORY_LIST,
    col.FROM_ALTERNATIVES,
    col.FROM_ALT_NAMES,
    col.TO_ALTERNATIVES,
    col.TO_ALT_NAMES,
    col.VIA_IDS,
    col.VIA_NAMES,
)
_POINT_LISTS = (col.FROM_ALT_POINTS, col.TO_ALT_POINTS, col.VIA_POINTS)
_NUMBER_LISTS = (col.CANDIDATE_KM,)

#: shapely type ids -> GeoParquet geometry type names.
_TYPE_NAMES = {
    0: "Point",
    1: "LineString",
    3: "Polygon",
    4: "MultiPoint",
    5: "MultiLineString",
    6: "MultiPolygon",
    7: "GeometryCollection",
}


def _known_types() -> dict[str, Any]:
    """Arrow types of the tuple columns, which a chunk of empty tuples cannot show."""
    import pyarrow as pa

    types: dict[str, Any] = dict.fromkeys(_TEXT_LISTS, pa.list_(pa.string()))
    types.update(dict.fromkeys(_POINT_LISTS, pa.list_(pa.list_(pa.float64()))))
    types.update(dict.fromkeys(_NUMBER_LISTS, pa.list_(pa.float64())))
    return types


class GeoParquetWriter:
    """Append GeoDataFrames with the same columns to one GeoParquet file.

    Parameters
    ----------
    path
        The file to write (replaced).
    geometry_types
        GeoParquet geometry type names every geometry will have (e.g.
        ``("LineString", "MultiLineString")``); a frame with another type
        raises ValueError.  Empty: any type (the metadata says so).
    compression
        Parquet compression codec.

    Examples
    --------
    >>> with GeoParquetWriter("legs.parquet") as out:  # doctest: +SKIP
    ...     for chunk in chunks:
    ...         out.write(chunk)

    """

    def __init__(
        self,
        path: str | Path,
        *,
        geometry_types: tuple[str, ...] = (),
        compression: str = "snappy",
    ) -> None:
        unknown = set(geometry_types) - set(_TYPE_NAMES.values())
        if unknown:
            msg = f"unknown geometry types {sorted(unknown)}; use {sorted(_TYPE_NAMES.values())}"
            raise ValueError(msg)
        self.path = Path(path)
        self.compression = compression
        self.geometry_types = tuple(sorted(set(geometry_types)))
        self.rows = 0
        self._writer: Any = None
        self._schema: Any = None

    def write(self, frame: Any) -> None:
        """Append ``frame`` (a GeoDataFrame) as one row group."""
        self.write_table(
            geoparquet_table(frame, geometry_types=self.geometry_types, schema=self._schema)
        )

    def write_table(self, table: Any) -> None:
        """Append a table made by :func:`geoparquet_table` (e.g. in another process)."""
        import pyarrow.parquet as pq

        if self._schema is None:
            self._schema = table.schema
            self._writer = pq.ParquetWriter(self.path, self._schema, compression=self.compression)
        elif table.schema != self._schema:
            if table.schema.names != self._schema.names:
                msg = f"frame columns differ from the first frame written to {self.path}"
                raise ValueError(msg)
            # e.g. a column with nothing in it in this frame: cast to the file's types
            table = table.cast(self._schema)
        self._writer.write_table(table, row_group_size=max(len(table), 1))
        self.rows += len(table)

    def close(self) -> None:
        """Close the file."""
        if self._writer is not None:
            self._writer.close()
            self._writer = None

    def __enter__(self) -> GeoParquetWriter:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()


def geoparquet_table(
    frame: Any, *, geometry_types: tuple[str, ...] = (), schema: Any = None
) -> Any:
    """Convert a GeoDataFrame to the Arrow table :class:`GeoParquetWriter` writes.

    Parameters
    ----------
    frame
        A GeoDataFrame; its active geometry becomes the last column, as WKB.
    geometry_types
        As for :class:`GeoParquetWriter` (checked here).
    schema
        The schema of an earlier table of the same file, to skip inferring it.

    Returns
    -------
    pyarrow.Table
        With the GeoParquet ``geo`` metadata.

    Raises
    ------
    ValueError
        On a geometry type not in ``geometry_types``, or columns other
        than ``schema``'s.

    """
    import pyarrow as pa
    import shapely

    name = frame.geometry.name
    geoms = np.asarray(frame.geometry.array, dtype=object)
    columns = [c for c in frame.columns if c != name]
    if geometry_types:
        # Type ids of all (missing: -1) without gathering the present ones first.
        types = shapely.get_type_id(geoms)
        present = (types >= 0) & ~shapely.is_empty(geoms)
        found = {_TYPE_NAMES[int(i)] for i in np.unique(types[present])}
        if not found <= set(geometry_types):
            msg = (
                f"geometry types {sorted(found - set(geometry_types))} not among "
                f"those declared: {sorted(geometry_types)}"
            )
            raise ValueError(msg)
    if schema is None:
        known = _known_types()
        fields = []
        attrs = pd.DataFrame({c: frame[c] for c in columns})
        for field in pa.Schema.from_pandas(attrs, preserve_index=False):
            t = known.get(field.name, field.type)
            if pa.types.is_null(t):  # a column with nothing in it yet: text
                t = pa.string()
            fields.append(pa.field(field.name, t))
        fields.append(pa.field(name, pa.binary()))
        schema = pa.schema(fields, metadata={"geo": _geo(name, frame.crs, geometry_types)})
    elif schema.names != [*columns, name]:
        msg = "frame columns differ from the first frame written"
        raise ValueError(msg)
    # Column by column with the schema's types: nothing inferred again.
    arrays = [_arrow(frame[c], schema.field(c).type) for c in columns]
    # One vectorized GEOS call (a numpy encoder of the same bytes was 2-3x slower).
    arrays.append(pa.array(shapely.to_wkb(geoms, flavor="iso"), type=pa.binary()))
    return pa.Table.from_arrays(arrays, schema=schema)


def _arrow(values: pd.Series, kind: Any) -> Any:
    """One column as an Arrow array of type ``kind``; a column of empty tuples in one step."""
    import pyarrow as pa

    if pa.types.is_list(kind) and values.dtype == object:
        cells = values.to_numpy()
        try:
            empty = not any(map(len, cells))
        except TypeError:  # a None among the tuples
            empty = False
        if empty:
            offsets = pa.array(np.zeros(len(cells) + 1, dtype=np.int32))
            return pa.ListArray.from_arrays(offsets, pa.array([], type=kind.value_type), type=kind)
    return pa.array(values, type=kind, from_pandas=True)


def _geo(name: str, crs: Any, geometry_types: tuple[str, ...]) -> str:
    """Return the GeoParquet ``geo`` metadata of one WKB geometry column."""
    column: dict[str, Any] = {"encoding": "WKB", "geometry_types": sorted(geometry_types)}
    if crs is not None:
        column["crs"] = crs.to_json_dict()
    meta = {"version": GEOPARQUET_VERSION, "primary_column": name, "columns": {name: column}}
    return json.dumps(meta, sort_keys=True)


def write_geoparquet(
    frame: Any,
    path: str | Path,
    *,
    geometry_types: tuple[str, ...] = (),
    compression: str = "snappy",
) -> Path:
    """Write one GeoDataFrame as GeoParquet (see :class:`GeoParquetWriter`).

    Parameters
    ----------
    frame
        A GeoDataFrame.
    path
        The file to write.
    geometry_types, compression
        As for :class:`GeoParquetWriter`.

    Returns
    -------
    pathlib.Path

    """
    with GeoParquetWriter(path, geometry_types=geometry_types, compression=compression) as out:
        out.write(frame)
    return Path(path)
