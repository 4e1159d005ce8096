"""Load every input in a data folder into one validated :class:`Dataset`.

This is the one place the pipeline is wired: gazetteer -> ledger ->
geodesic lines -> zone attribution. Maps and exports consume a Dataset.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Literal

import geopandas as gpd
import pandas as pd

from geo import settings
from geo._errors import InputError, Problem
from geo.paths import data_dir as _data_dir

if TYPE_CHECKING:
    from geo.ledger import LedgerResult

__all__ = ["Dataset", "load_dataset", "read_inputs", "unplaced_legs", "validate_data"]


@dataclass(frozen=True)
class Dataset:
    """Everything movemap knows, validated and joined.

    Attributes
    ----------
    folder
        The data folder the inputs were read from.
    places
        Gazetteer points (EPSG:4326), indexed by place id, followed by the
        world-table places the ledger names (``geo.ledger_places.with_world_places``).
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
        on partitions of the legs run by dask.distributed (``scheduler``:
        a scheduler's address); see :func:`geo.engine.lines_and_zones`.

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
    from geo.ledger_places import with_world_places

    warming = None
    try:
        big = transfers_file(_data_dir(data_dir)).stat().st_size >= _WARM_UP_BYTES
    except OSError:  # missing: read_inputs says so
        big = False
    if engine == "pandas" and big:
        from geo.countries import warm_up

        # The land mask and country tiles (~1 s of GEOS) are computed in a
        # thread while the ledger is read; the lines and zones need them.
        warming = warm_up()
    try:
        folder, places, ledger, zones = read_inputs(data_dir)
        # The world-table places the ledger names are places of the dataset too.
        places = with_world_places(places, ledger.legs)
    finally:
        if warming is not None:
            warming.join()  # no thread left running: the lines and zones may fork
    # On this machine: forked over every core from geo.engine.FORK_MIN_LEGS distinct routes.
    legs, segments = lines_and_zones(
        ledger.legs, zones, engine=engine, scheduler=scheduler, workers=None
    )
    return Dataset(
        folder=folder,
        places=places,
        sources=ledger.sources,
        legs=legs,
        zones=zones,
        segments=segments,
        warnings=[*_warnings(places), *ledger.warnings, *_warnings(zones)],
    )


#: A ledger file this large (~10,000 legs) takes longer to read than the
#: land mask and country tiles take to compute in a thread beside it.
_WARM_UP_BYTES = 1_000_000


def read_inputs(
    data_dir: str | Path | None = None,
) -> tuple[Path, gpd.GeoDataFrame, LedgerResult, gpd.GeoDataFrame]:
    """Read and check the gazetteer, ledger and zones of ``data_dir``, all or nothing.

    Returns
    -------
    tuple
        The folder, the gazetteer (GeoDataFrame), the :class:`geo.ledger.LedgerResult`
        and the zones (GeoDataFrame).

    Raises
    ------
    InputError
        With every problem found in every file, each with file and line.

    """
    from geo._parquet import transfers_file
    from geo.gazetteer import read_gazetteer
    from geo.geocode import PlaceIndex
    from geo.ledger import read_ledger
    from geo.zones import read_zones

    folder = _data_dir(data_dir)
    problems: list[Problem] = []
    try:
        places = read_gazetteer(folder / settings.GAZETTEER_FILE)
    except InputError:
        # Name the other files' problems too, not only the gazetteer's.
        raise InputError(validate_data(folder)) from None
    ledger = zones = None
    try:
        ledger = read_ledger(transfers_file(folder), folder / settings.SOURCES_FILE,
                             PlaceIndex(places))
    except InputError as exc:
        problems.extend(exc.problems)
    try:
        zones = read_zones(folder / settings.ZONES_FILE)
    except InputError as exc:
        problems.extend(exc.problems)
    if ledger is None or zones is None:
        raise InputError(problems)
    return folder, places, ledger, zones


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
    transfers, sources = transfers_file(folder), folder / settings.SOURCES_FILE
    # A bad gazetteer row must not hide the ledger's problems: check the
    # ledger against every place whose id is usable.
    places = None
    try:
        places = read_gazetteer(folder / settings.GAZETTEER_FILE, errors="collect")
        problems.extend(places.attrs["problems"])
    except InputError as exc:  # an unreadable gazetteer (missing, bad header, delimiter)
        problems.extend(exc.problems)
    try:
        if places is not None:
            problems.extend(read_ledger(transfers, sources, PlaceIndex(places)).warnings)
        else:
            problems.extend(_ledger_without_places(transfers, sources))
    except InputError as exc:  # the ledger's problems
        problems.extend(exc.problems)
    try:
        problems.extend(_warnings(read_zones(folder / settings.ZONES_FILE)))
    except InputError as exc:
        problems.extend(exc.problems)
    return problems


#: Ledger messages that only mean "not in the gazetteer" (dropped when it is unreadable).
_PLACE_MESSAGES = ("unknown place", "ambiguous place", "unknown area", "ambiguous area")


def _ledger_without_places(transfers: Path, sources: Path) -> list[Problem]:
    """Check the ledger when the gazetteer cannot be read: everything but the places."""
    from geo.columns import FROM, TO
    from geo.geocode import PlaceIndex
    from geo.ledger import check_ledger

    result = check_ledger(transfers, sources, PlaceIndex(_no_places()))
    kept = [
        p
        for p in (*result.problems, *result.warnings)
        if not (p.column in (FROM, TO) and p.message.startswith(_PLACE_MESSAGES))
    ]
    note = Problem(
        str(transfers),
        None,
        None,
        "",
        "place names were not checked: the gazetteer could not be read",
        "fix gazetteer.csv and run validate again",
        "warning",
    )
    return [*kept, note]


def _no_places() -> gpd.GeoDataFrame:
    """Return an empty gazetteer with every column, for checking a ledger without places."""
    from geo.gazetteer import OPTIONAL_COLUMNS, REQUIRED_COLUMNS

    columns = {c: pd.Series([], dtype=object) for c in (*REQUIRED_COLUMNS, *OPTIONAL_COLUMNS)}
    frame = gpd.GeoDataFrame(columns, geometry=gpd.GeoSeries([], crs="EPSG:4326"))
    from geo.columns import LAT, LON

    return frame.astype({LAT: float, LON: float})


def unplaced_legs(dataset: Dataset) -> list[Problem]:
    """Name every leg that has no line, as warnings on its transfers.csv line.

    A leg whose end is an unnamed stop with nothing to place it by (no
    area, no placed neighbour leg) has no geometry: it stays in the ledger
    and exports with a null geometry. Exports print these so it is never
    silent.

    Parameters
    ----------
    dataset
        A loaded dataset.

    Returns
    -------
    list of Problem
        One warning per leg without geometry, in ledger order.

    """
    from geo.columns import FROM, FROM_LAT, SOURCE_LINE, TO, TO_LAT, TRANSFER_ID

    legs = dataset.legs
    missing = legs.geometry.isna().to_numpy() | legs.geometry.is_empty.to_numpy()
    file = str(dataset.folder / settings.TRANSFERS_FILE)
    out = []
    for _, row in legs[missing].sort_values(SOURCE_LINE).iterrows():
        ends = [row[c] for c, lat in ((FROM, FROM_LAT), (TO, TO_LAT)) if pd.isna(row[lat])]
        what = " and ".join(repr(e) for e in ends) or "an end"
        out.append(
            Problem(
                file,
                int(row[SOURCE_LINE]),
                FROM if ends and ends[0] == row[FROM] else TO,
                f"{row[FROM]} -> {row[TO]}",
                f"leg of {row[TRANSFER_ID]!r} has no line: {what} cannot be placed "
                "(an unnamed stop with no area and no placed neighbour leg)",
                "it is exported with a null geometry; add '@ place' to the stop to draw it",
                "warning",
            )
        )
    return out


def _warnings(frame: pd.DataFrame) -> list[Problem]:
    """Warnings a reader left in ``frame.attrs`` (repairs, unmapped codes)."""
    return list(frame.attrs.get("warnings", []))
