"""Read and validate the gazetteer (``gazetteer.csv``).

Every place a report names is one row: id, name, aliases, kind, country,
(lat, lon), how precise the point is and where the coordinates come from.
Validation gathers every problem in the file and raises one
:class:`~geo._errors.GazetteerError`, each problem naming its line. The
row checks are in :mod:`geo.gazetteer_checks`, the checks of each point
against its country's polygon in :mod:`geo.gazetteer_countries`.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

import geopandas as gpd
import numpy as np
import pandas as pd

from geo._csv import empty_file_problem, header_problems, read_records, wrong_width_problem
from geo._errors import GazetteerError, Problem
from geo.columns import (
    COORD_SOURCE,
    LAT,
    LON,
    PLACE_ALIASES,
    PLACE_COUNTRY,
    PLACE_ID,
    PLACE_KIND,
    PLACE_KINDS,
    PLACE_NAME,
    PLACE_NOTE,
    PLACE_PRECISION,
    PLACE_PRECISIONS,
    SHARED_ALIAS,
    SOURCE_LINE,
)
from geo.gazetteer_checks import (
    _ID_RE,
    ALIAS_SEPARATOR,
    _check_aliases,
    _check_choices,
    _check_coordinates,
    _check_country,
    _check_ids,
    _check_kind_precision,
    _check_required_text,
    _split,
)
from geo.gazetteer_countries import _check_in_country, _check_lat_range

__all__ = [
    "ALIAS_SEPARATOR",
    "OPTIONAL_COLUMNS",
    "REQUIRED_COLUMNS",
    "read_gazetteer",
]

#: Columns every gazetteer must have, in the bundled file's order.
REQUIRED_COLUMNS: tuple[str, ...] = (
    PLACE_ID,
    PLACE_NAME,
    PLACE_ALIASES,
    PLACE_KIND,
    PLACE_COUNTRY,
    LAT,
    LON,
    PLACE_PRECISION,
    COORD_SOURCE,
    PLACE_NOTE,
)
#: Columns a gazetteer may have.
OPTIONAL_COLUMNS: tuple[str, ...] = (SHARED_ALIAS,)


def read_gazetteer(
    path: str | Path,
    *,
    countries: gpd.GeoDataFrame | None = None,
    errors: Literal["raise", "collect"] = "raise",
) -> gpd.GeoDataFrame:
    """Read ``gazetteer.csv`` and check every row.

    Parameters
    ----------
    path
        The gazetteer file.
    countries
        Country polygons (columns ``iso_a2``, ``geometry``, EPSG:4326) to
        check each point against; ``None`` loads the bundled ones with
        :func:`geo.countries.load_countries`.
    errors
        ``"raise"`` (default) raises on any error. ``"collect"`` returns the
        rows that have a usable id anyway, with every problem (errors too)
        in ``.attrs["problems"]``: validation uses it so that a bad
        gazetteer row does not stop the ledger from being checked.

    Returns
    -------
    geopandas.GeoDataFrame
        One row per place, in file order, EPSG:4326, geometry
        ``Point(lon, lat)``, indexed by place id. Columns: ``PLACE_ID``,
        ``PLACE_NAME``, ``PLACE_ALIASES`` and ``SHARED_ALIAS``
        (``tuple[str, ...]``), ``PLACE_KIND``, ``PLACE_COUNTRY``, ``LAT``,
        ``LON`` (float), ``PLACE_PRECISION``, ``COORD_SOURCE``,
        ``PLACE_NOTE``, ``SOURCE_LINE`` (1-based, header = 1). Problems of
        severity ``"warning"`` are in ``.attrs["warnings"]``.

    Raises
    ------
    GazetteerError
        With every problem found: missing or unexpected columns, rows of
        the wrong width, empty or malformed ids, duplicate ids, empty
        names, unknown kinds or precisions, non-numeric or out-of-range
        coordinates, country codes that are not ISO 3166-1 alpha-2,
        missing coordinate sources, a name or alias (after
        :func:`geo.geocode.normalize`) claimed by two places without both
        listing it in ``shared_aliases``, and points lying more than
        ``settings.COUNTRY_TOLERANCE_KM`` outside their country's polygon
        (with a hint when swapping lat and lon would fix it).

    """
    file = str(path)
    header, lines, rows, problems = _read_records(Path(path), file)
    if header is None:
        raise GazetteerError(problems)
    table, present = _table(header, lines, rows, file, problems)

    _check_ids(table, file, problems)
    _check_required_text(table, present, file, problems)
    _check_choices(table, present, PLACE_KIND, PLACE_KINDS, file, problems)
    _check_choices(table, present, PLACE_PRECISION, PLACE_PRECISIONS, file, problems)
    _check_kind_precision(table, present, file, problems)
    lat, lon, coords_ok, swap = _check_coordinates(table, present, file, problems)
    country_ok = _check_country(table, present, file, problems)
    _check_aliases(table, file, problems)
    if coords_ok.any() or swap.any():
        if countries is None:
            from geo.countries import load_countries

            countries = load_countries()
        _check_lat_range(table, lat, lon, swap, countries, file, problems)
        _check_in_country(table, lat, lon, coords_ok & country_ok, countries, file, problems)

    if errors == "raise" and any(p.severity == "error" for p in problems):
        raise GazetteerError(problems)
    if errors == "collect":
        # Keep one row per well-formed id; bad coordinates become NaN.
        ids = table[PLACE_ID]
        keep = (ids.str.match(_ID_RE) & ~ids.duplicated()).to_numpy(dtype=bool)
        table, lat, lon = table[keep], lat[keep], lon[keep]
    gdf = gpd.GeoDataFrame(
        {
            PLACE_ID: table[PLACE_ID],
            PLACE_NAME: table[PLACE_NAME],
            PLACE_ALIASES: table[PLACE_ALIASES].map(_split),
            PLACE_KIND: table[PLACE_KIND],
            PLACE_COUNTRY: table[PLACE_COUNTRY],
            LAT: lat,
            LON: lon,
            PLACE_PRECISION: table[PLACE_PRECISION],
            COORD_SOURCE: table[COORD_SOURCE],
            PLACE_NOTE: table[PLACE_NOTE],
            SHARED_ALIAS: table[SHARED_ALIAS].map(_split),
            SOURCE_LINE: table[SOURCE_LINE].astype("int64"),
        },
        geometry=gpd.points_from_xy(lon, lat),
        crs="EPSG:4326",
    )
    # The id is both the index (for .loc) and a column (for joins).
    gdf.index = pd.Index(table[PLACE_ID].to_numpy(), dtype=object)
    gdf.attrs["warnings"] = sorted(p for p in problems if p.severity == "warning")
    if errors == "collect":
        gdf.attrs["problems"] = sorted(problems)
    return gdf


# --- reading ------------------------------------------------------------


def _read_records(
    path: Path, file: str
) -> tuple[list[str] | None, list[int], list[list[str]], list[Problem]]:
    """Split the file into header and rows, remembering each row's first line."""
    problems: list[Problem] = []
    header, lines, rows = read_records(path, file, problems)
    if header is None and not problems:
        problems.append(empty_file_problem(file, "add the header row and places"))
    return header, lines, rows, problems


def _table(
    header: list[str],
    lines: list[int],
    rows: list[list[str]],
    file: str,
    problems: list[Problem],
) -> tuple[pd.DataFrame, set[str]]:
    """Build a string table with every known column; report header and width problems."""
    known = REQUIRED_COLUMNS + OPTIONAL_COLUMNS
    problems.extend(header_problems(header, REQUIRED_COLUMNS, optional=OPTIONAL_COLUMNS, file=file))
    width = len(header)
    good_lines: list[int] = []
    good_rows: list[list[str]] = []
    for line, row in zip(lines, rows, strict=True):
        if len(row) != width:
            problems.append(wrong_width_problem(file, line, row, width))
        else:
            good_lines.append(line)
            good_rows.append([c.strip() for c in row])
    raw = pd.DataFrame(good_rows, columns=header, dtype=object)
    raw = raw.loc[:, ~raw.columns.duplicated()]
    present = {c for c in known if c in raw.columns}
    table = pd.DataFrame(
        {c: raw[c] if c in present else pd.Series("", index=raw.index, dtype=object) for c in known}
    )
    table[SOURCE_LINE] = np.asarray(good_lines, dtype="int64")
    return table.reset_index(drop=True), present
