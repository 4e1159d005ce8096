"""Load every input in a data folder into one validated :class:`Dataset`.

This is the one place the pipeline is wired: gazetteer -> ledger ->
geodesic lines -> zone attribution. Maps and exports consume a Dataset.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

import geopandas as gpd
import pandas as pd

from geo import settings
from geo._errors import InputError, Problem
from geo.paths import data_dir as _data_dir

__all__ = ["Dataset", "load_dataset", "validate_data"]


@dataclass(frozen=True)
class Dataset:
    """Everything movemap knows, validated and joined.

    Attributes
    ----------
    folder
        The data folder the inputs were read from.
    places
        Gazetteer points (EPSG:4326), indexed by place id.
    sources
        sources.csv rows.
    legs
        One row per leg: ledger fields, geodesic LineString, length,
        bearing, flags, and origin/destination faction as of its date.
    zones
        Faction-controlled zones over time.
    segments
        Each leg split at zone boundaries, with km per zone.
    warnings
        Problems that did not stop the load (e.g. unused sources).

    """

    folder: Path
    places: gpd.GeoDataFrame
    sources: pd.DataFrame
    legs: gpd.GeoDataFrame
    zones: gpd.GeoDataFrame
    segments: gpd.GeoDataFrame
    warnings: list[Problem] = field(default_factory=list)


def load_dataset(
    data_dir: str | Path | None = None,
    *,
    engine: Literal["pandas", "dask"] = "pandas",
    scheduler: str | None = None,
) -> Dataset:
    """Read, validate and join every input file in ``data_dir``.

    Parameters
    ----------
    data_dir
        Folder holding the inputs; ``None`` for the bundled ones.
    engine, scheduler
        Where lines and zones are computed: ``"pandas"`` here, ``"dask"``
        on dask-geopandas partitions (``scheduler``: a dask.distributed
        address); see :func:`geo.engine.lines_and_zones`.

    Returns
    -------
    Dataset

    Raises
    ------
    InputError
        With every problem found in every file, each with file and line.

    """
    # Imported here so `movemap geocode` need not import zones/lines.
    from geo._parquet import transfers_file
    from geo.engine import lines_and_zones
    from geo.gazetteer import read_gazetteer
    from geo.geocode import PlaceIndex
    from geo.ledger import read_ledger
    from geo.zones import read_zones

    folder = _data_dir(data_dir)
    problems: list[Problem] = []
    places = read_gazetteer(folder / settings.GAZETTEER_FILE)
    index = PlaceIndex(places)
    ledger = zones = None
    try:
        ledger = read_ledger(transfers_file(folder), folder / settings.SOURCES_FILE, index)
    except InputError as exc:
        problems.extend(exc.problems)
    try:
        zones = read_zones(folder / settings.ZONES_FILE)
    except InputError as exc:
        problems.extend(exc.problems)
    if ledger is None or zones is None:
        raise InputError(problems)
    legs, segments = lines_and_zones(ledger.legs, zones, engine=engine, scheduler=scheduler)
    return Dataset(
        folder=folder,
        places=places,
        sources=ledger.sources,
        legs=legs,
        zones=zones,
        segments=segments,
        warnings=[*_warnings(places), *ledger.warnings, *_warnings(zones)],
    )


def validate_data(data_dir: str | Path | None = None) -> list[Problem]:
    """Check every input file; return every problem (errors and warnings).

    Unlike :func:`load_dataset` this never raises for bad input: a
    gazetteer with errors still lets the ledger and zones be checked.
    """
    from geo._parquet import transfers_file
    from geo.gazetteer import read_gazetteer
    from geo.geocode import PlaceIndex
    from geo.ledger import read_ledger
    from geo.zones import read_zones

    folder = _data_dir(data_dir)
    problems: list[Problem] = []
    # A bad gazetteer row must not hide the ledger's problems: check the
    # ledger against every place whose id is usable.
    try:
        places = read_gazetteer(folder / settings.GAZETTEER_FILE, errors="collect")
        problems.extend(places.attrs["problems"])
        problems.extend(
            read_ledger(
                transfers_file(folder), folder / settings.SOURCES_FILE, PlaceIndex(places)
            ).warnings
        )
    except InputError as exc:  # an unreadable gazetteer header, or the ledger's problems
        problems.extend(exc.problems)
    try:
        problems.extend(_warnings(read_zones(folder / settings.ZONES_FILE)))
    except InputError as exc:
        problems.extend(exc.problems)
    return problems


def _warnings(frame: pd.DataFrame) -> list[Problem]:
    """Warnings a reader left in ``frame.attrs`` (repairs, unmapped codes)."""
    return list(frame.attrs.get("warnings", []))
