"""GeoJSON export (RFC 7946): one FeatureCollection per layer, or all three in one."""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import shapely

from geo import columns as col
from geo._errors import MovemapError
from geo._io import write_text
from geo.export.tables import _TABLES, LAYERS, DatasetLike, Layer, _records, _rounded

__all__ = ["to_geojson"]


def to_geojson(dataset: DatasetLike, path: str | Path, *, layer: Layer = "legs") -> Path:
    """Write one layer (or all three) as an RFC 7946 FeatureCollection.

    Parameters
    ----------
    dataset
        A loaded dataset.
    path
        Output file.
    layer
        ``"legs"``, ``"places"``, ``"zones"``, or ``"all"`` for one
        collection holding every layer; there each feature has a ``layer``
        property and its id is prefixed with the layer (``"legs/T01/1"``)
        so ids stay unique.

    Returns
    -------
    pathlib.Path
        ``path``.

    Notes
    -----
    (lon, lat) order, WGS 84, no ``crs`` member, exterior rings
    counter-clockwise and holes clockwise, legs crossing the antimeridian
    split into MultiLineStrings, ``settings.COORDINATE_PRECISION``
    decimals, one feature per line, UTF-8.

    """
    if layer not in (*LAYERS, "all"):
        msg = f"unknown GeoJSON layer {layer!r}; use one of {', '.join((*LAYERS, 'all'))}"
        raise MovemapError(msg)
    wanted = LAYERS if layer == "all" else (layer,)
    return write_text(path, _geojson_text(dataset, wanted, prefixed=layer == "all"))


def _geojson_text(dataset: DatasetLike, layers: Sequence[str], *, prefixed: bool) -> str:
    lines: list[str] = []
    for name in layers:
        table = _TABLES[name](dataset)
        ids = table[col.FEATURE_ID].astype(str)
        if prefixed:
            ids = name + "/" + ids
        props = table.drop(columns=[col.FEATURE_ID, table.geometry.name])
        if prefixed:
            props.insert(0, col.LAYER, name)
        geoms = _rounded(table.geometry)
        gtext = shapely.to_geojson(geoms)
        for fid, rec, g in zip(ids, _records(props), gtext, strict=True):
            lines.append(
                '{"type":"Feature","id":'
                + _dumps(fid)
                + ',"properties":'
                + _dumps(rec)
                + ',"geometry":'
                + ("null" if g is None else g)
                + "}"
            )
    body = ",\n".join(lines)
    return '{"type":"FeatureCollection","features":[\n' + body + "\n]}\n"


def _dumps(obj: Any) -> str:
    return json.dumps(obj, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
