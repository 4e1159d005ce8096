"""GeoPackage export: layers legs, places and zones, byte-identical for the same inputs."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from pathlib import Path

import pandas as pd
import pyogrio

from geo._io import atomic_path
from geo.dates import latest_date
from geo.export.tables import _TABLES, LAYERS, DatasetLike

__all__ = ["to_gpkg"]


@contextlib.contextmanager
def _gdal_config(**options: str | None) -> Iterator[None]:
    previous = {k: pyogrio.get_gdal_config_option(k) for k in options}
    pyogrio.set_gdal_config_options(options)
    try:
        yield
    finally:
        pyogrio.set_gdal_config_options(previous)


def to_gpkg(dataset: DatasetLike, path: str | Path) -> Path:
    """Write a GeoPackage with layers ``legs``, ``places`` and ``zones``.

    Parameters
    ----------
    dataset
        A loaded dataset.
    path
        Output ``.gpkg`` file.

    Returns
    -------
    pathlib.Path
        ``path``.

    Notes
    -----
    The ``last_change`` timestamp GeoPackage records is pinned to the
    latest date in the ledger (GDAL's ``OGR_CURRENT_DATE``), so the same
    inputs give the same bytes.

    """
    stamp = _data_date(dataset).strftime("%Y-%m-%dT%H:%M:%S.000Z")
    with atomic_path(path) as tmp, _gdal_config(OGR_CURRENT_DATE=stamp):
        for name in LAYERS:
            table = _TABLES[name](dataset)
            # Legs with alternative ends are MultiLineStrings: one type per layer.
            kinds = set(table.geometry.dropna().geom_type)
            multi = len(kinds) > 1 and any(k.startswith("Multi") for k in kinds)
            pyogrio.write_dataframe(table, tmp, layer=name, driver="GPKG", promote_to_multi=multi)
    return Path(path)


def _data_date(dataset: DatasetLike) -> pd.Timestamp:
    latest = latest_date(dataset.legs)
    return pd.Timestamp("2000-01-01") if latest is None else latest
