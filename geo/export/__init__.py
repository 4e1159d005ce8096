"""Write a :class:`~geo.dataset.Dataset` to standard GIS formats.

One entry point, :func:`export`, for GeoJSON (RFC 7946), KML (Google
Earth), GeoPackage and CSV with WKT geometry. Every file is written
atomically (see :mod:`geo._io`) and the same inputs give the same bytes.

Tables are flattened before writing so every format holds the same
values: tuples become ``;``-joined strings, dates ISO 8601 strings,
missing values null. Each feature has a stable id: ``"<transfer_id>/<leg>"``
for legs, the place id for places, the zone id for zones.

One module per format: :mod:`~geo.export.geojson`, :mod:`~geo.export.kml`,
:mod:`~geo.export.gpkg`, :mod:`~geo.export.spreadsheet` (CSV),
:mod:`~geo.export.parquet`; the flat tables they share are in
:mod:`~geo.export.tables`.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

from geo._errors import MovemapError
from geo.export.geojson import to_geojson
from geo.export.gpkg import to_gpkg
from geo.export.kml import faction_colors, to_kml
from geo.export.parquet import to_geoparquet
from geo.export.spreadsheet import FORMULA_TRIGGERS, UTF8_BOM, csv_text, spreadsheet_safe, to_csv
from geo.export.tables import (
    FORMATS,
    LAYERS,
    DatasetLike,
    Format,
    Layer,
    legs_table,
    places_table,
    zones_table,
)

__all__ = [
    "FORMATS",
    "FORMULA_TRIGGERS",
    "LAYERS",
    "UTF8_BOM",
    "DatasetLike",
    "csv_text",
    "export",
    "faction_colors",
    "legs_table",
    "places_table",
    "spreadsheet_safe",
    "to_csv",
    "to_geojson",
    "to_geoparquet",
    "to_gpkg",
    "to_kml",
    "zones_table",
]


def export(
    dataset: DatasetLike,
    *,
    fmt: Format,
    out: str | Path,
    layer: Layer = "all",
    raw_csv: bool = False,
    colours: Mapping[str, str] | None = None,
) -> list[Path]:
    """Export a dataset in one format.

    Parameters
    ----------
    dataset
        A loaded dataset.
    fmt
        ``"geojson"``, ``"kml"``, ``"gpkg"``, ``"csv"`` or ``"parquet"``.
    out
        Output path. For GeoJSON, a path ending in ``.geojson``/``.json``
        gets one FeatureCollection (``layer``); any other path is a folder
        that gets ``legs.geojson``, ``places.geojson`` and ``zones.geojson``.
        CSV holds the legs only; KML and GeoPackage hold every layer.
        Parquet: a folder that gets ``legs.parquet`` and
        ``segments.parquet`` (see :func:`to_geoparquet`).
    layer
        GeoJSON only: which layer to put in a single file.
    raw_csv
        CSV only: write text exactly, without defusing formula-like cells.
    colours
        KML only: leg colours, see :func:`to_kml`.

    Returns
    -------
    list of pathlib.Path
        Files written.

    Raises
    ------
    MovemapError
        On an unknown format or layer.

    """
    out = Path(out)
    if fmt == "geojson":
        if out.suffix.lower() in (".geojson", ".json"):
            return [to_geojson(dataset, out, layer=layer)]
        return [to_geojson(dataset, out / f"{name}.geojson", layer=name) for name in LAYERS]  # type: ignore[arg-type]
    if fmt == "kml":
        return [to_kml(dataset, out, colours=colours)]
    if fmt == "gpkg":
        return [to_gpkg(dataset, out)]
    if fmt == "csv":
        return [to_csv(dataset, out, raw=raw_csv)]
    if fmt == "parquet":
        return to_geoparquet(dataset, out)
    msg = f"unknown export format {fmt!r}; use one of {', '.join(FORMATS)}"
    raise MovemapError(msg)
