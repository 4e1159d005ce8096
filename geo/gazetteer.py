"""Read and validate the gazetteer (``gazetteer.csv``).

Every place a report names is one row: id, name, aliases, kind, country,
(lat, lon), how precise the point is and where the coordinates come from.
Validation gathers every problem in the file and raises one
:class:`~geo._errors.GazetteerError`, each problem naming its line.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Sequence
from pathlib import Path
from typing import Literal

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from pyproj import Geod
from rapidfuzz import process

from geo import settings
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
from geo.geocode import normalize

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
#: Separator of several aliases in one cell.
ALIAS_SEPARATOR = ";"

_ID_RE = re.compile(r"^[a-z][a-z0-9_]*$")
_ISO_RE = re.compile(r"^[A-Z]{2}$")
_COORDS = f"{LAT}/{LON}"  # column label of problems about the point as a whole
_GEOD = Geod(ellps=settings.ELLPS)


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


def _split(cell: str) -> tuple[str, ...]:
    return tuple(a.strip() for a in cell.split(ALIAS_SEPARATOR) if a.strip())


# --- row checks -----------------------------------------------------------


def _add(
    problems: list[Problem],
    file: str,
    table: pd.DataFrame,
    mask: pd.Series | np.ndarray,
    column: str | None,
    values: pd.Series | None,
    message: str,
    hint: str | None = None,
    *,
    severity: Literal["error", "warning"] = "error",
) -> None:
    """Append one problem per row selected by ``mask``."""
    idx = np.flatnonzero(np.asarray(mask, dtype=bool))
    lines = table[SOURCE_LINE].to_numpy()
    shown = table[column] if values is None and column is not None else values
    for i in idx:
        value = None if shown is None else shown.iloc[i]
        problems.append(Problem(file, int(lines[i]), column, value, message, hint, severity))


def _check_ids(table: pd.DataFrame, file: str, problems: list[Problem]) -> None:
    ids = table[PLACE_ID]
    empty = ids == ""
    _add(problems, file, table, empty, PLACE_ID, None, "empty id", "give every place an id")
    malformed = ~empty & ~ids.str.match(_ID_RE)
    _add(
        problems,
        file,
        table,
        malformed,
        PLACE_ID,
        None,
        "malformed id",
        "ids are lower-case letters, digits and underscores, starting with a letter",
    )
    dup = ~empty & ids.duplicated(keep="first")
    first_line = table.groupby(PLACE_ID)[SOURCE_LINE].transform("min")
    for i in np.flatnonzero(dup.to_numpy()):
        problems.append(
            Problem(
                file,
                int(table[SOURCE_LINE].iloc[i]),
                PLACE_ID,
                ids.iloc[i],
                f"duplicate id (first used on line {int(first_line.iloc[i])})",
                "ids must be unique; rename one or merge the rows",
            )
        )


def _check_required_text(
    table: pd.DataFrame, present: set[str], file: str, problems: list[Problem]
) -> None:
    if PLACE_NAME in present:
        _add(problems, file, table, table[PLACE_NAME] == "", PLACE_NAME, None, "empty name")
    if COORD_SOURCE in present:
        _add(
            problems,
            file,
            table,
            table[COORD_SOURCE] == "",
            COORD_SOURCE,
            None,
            "missing coordinate source",
            "cite where the coordinates come from (e.g. an ICAO code, GeoNames or Wikipedia)",
        )


def _check_choices(
    table: pd.DataFrame,
    present: set[str],
    column: str,
    allowed: Sequence[str],
    file: str,
    problems: list[Problem],
) -> None:
    if column not in present:
        return
    values = table[column]
    bad = ~values.isin(allowed)
    for value in sorted(values[bad].unique()):
        near = process.extractOne(value.lower(), allowed, score_cutoff=60) if value else None
        hint = f"did you mean {near[0]!r}? " if near else ""
        hint += "allowed: " + ", ".join(allowed)
        _add(
            problems, file, table, bad & (values == value), column, None, f"unknown {column}", hint
        )


def _check_kind_precision(
    table: pd.DataFrame, present: set[str], file: str, problems: list[Problem]
) -> None:
    """Require precision country/region on country/region rows (they are representative points)."""
    if not {PLACE_KIND, PLACE_PRECISION} <= present:
        return
    for kind in ("country", "region"):
        wrong = (
            (table[PLACE_KIND] == kind)
            & table[PLACE_PRECISION].isin(PLACE_PRECISIONS)
            & (table[PLACE_PRECISION] != kind)
        )
        _add(
            problems,
            file,
            table,
            wrong,
            PLACE_PRECISION,
            None,
            f"a {kind} row must have precision {kind!r}",
            f"set precision to {kind!r}: the point stands for the whole {kind}",
        )


def _check_coordinates(
    table: pd.DataFrame, present: set[str], file: str, problems: list[Problem]
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Parse lat/lon; return them and a mask of rows whose point is usable."""
    lat = pd.to_numeric(table[LAT], errors="coerce").to_numpy(dtype=float)
    lon = pd.to_numeric(table[LON], errors="coerce").to_numpy(dtype=float)
    for col, arr in ((LAT, lat), (LON, lon)):
        if col not in present:
            continue
        empty = (table[col] == "").to_numpy()
        _add(problems, file, table, empty, col, None, f"missing {col}", "give decimal degrees")
        _add(
            problems,
            file,
            table,
            ~empty & ~np.isfinite(arr),
            col,
            None,
            f"{col} is not a number",
            "give decimal degrees, e.g. 32.4722 (north/east positive)",
        )
    finite = np.isfinite(lat) & np.isfinite(lon)
    lat_bad = np.isfinite(lat) & (np.abs(lat) > 90)
    lon_bad = np.isfinite(lon) & (np.abs(lon) > 180)
    # Rows that swapping could fix are reported by _check_lat_range, which
    # says "swapped" only when the swapped point lies in the stated country.
    swap = finite & lat_bad & (np.abs(lon) <= 90)
    _add(
        problems,
        file,
        table,
        lat_bad & ~swap,
        LAT,
        None,
        "latitude out of range [-90, 90]",
        _LAT_RANGE_HINT,
    )
    _add(
        problems,
        file,
        table,
        lon_bad,
        LON,
        None,
        "longitude out of range [-180, 180]",
        "longitude is degrees east of Greenwich, between -180 and 180",
    )
    return lat, lon, finite & ~lat_bad & ~lon_bad, swap


_LAT_RANGE_HINT = "latitude is degrees north of the equator, between -90 and 90"


def _check_lat_range(
    table: pd.DataFrame,
    lat: np.ndarray,
    lon: np.ndarray,
    rows: np.ndarray,
    countries: gpd.GeoDataFrame,
    file: str,
    problems: list[Problem],
) -> None:
    """Report latitudes out of range; say "swapped" only if (lon, lat) lies in the country."""
    codes = table[PLACE_COUNTRY].to_numpy()
    idx = np.flatnonzero(rows)
    fits = np.zeros(len(idx), dtype=bool)
    known = np.isin(codes[idx], countries["iso_a2"].to_numpy())
    if known.any():
        k = idx[known]
        shapes = {
            code: shapely.union_all(g.to_numpy())
            for code, g in countries[countries["iso_a2"].isin(set(codes[k]))]
            .groupby("iso_a2", sort=True)
            .geometry
        }
        polys = np.array([shapes[c] for c in codes[k]], dtype=object)
        km = _distance_km(shapely.points(lat[k], lon[k]), polys)
        fits[known] = km <= settings.COUNTRY_TOLERANCE_KM
    for j, i in enumerate(idx):
        hint = (
            f"lat and lon look swapped: ({lon[i]:g}, {lat[i]:g}) lies in {codes[i]}"
            if fits[j]
            else _LAT_RANGE_HINT
        )
        problems.append(
            Problem(
                file,
                int(table[SOURCE_LINE].iloc[i]),
                LAT,
                table[LAT].iloc[i],
                "latitude out of range [-90, 90]",
                hint,
            )
        )


def _check_country(
    table: pd.DataFrame, present: set[str], file: str, problems: list[Problem]
) -> np.ndarray:
    """Check country codes; return a mask of rows with a well-formed code."""
    codes = table[PLACE_COUNTRY]
    well_formed = codes.str.match(_ISO_RE).to_numpy()
    if PLACE_COUNTRY not in present:
        return well_formed
    # A region spanning countries may leave the country empty; nothing else may.
    empty = (codes == "").to_numpy()
    region = (table[PLACE_KIND] == "region").to_numpy()
    _add(
        problems,
        file,
        table,
        empty & ~region,
        PLACE_COUNTRY,
        None,
        "missing country",
        "give the ISO 3166-1 alpha-2 code, e.g. 'LY'",
    )
    upper_ok = codes.str.upper().str.match(_ISO_RE).to_numpy()
    _add(
        problems,
        file,
        table,
        ~empty & ~well_formed & upper_ok,
        PLACE_COUNTRY,
        None,
        "country code is not upper case",
        "write ISO 3166-1 alpha-2 codes in capitals, e.g. 'LY'",
    )
    _add(
        problems,
        file,
        table,
        ~empty & ~upper_ok,
        PLACE_COUNTRY,
        None,
        "country is not an ISO 3166-1 alpha-2 code",
        "give two letters, e.g. 'LY' for Libya, 'SY' for Syria",
    )
    # Two capitals that name no country (QQ, ZZ...) are errors, not warnings.
    unassigned = well_formed & ~codes.isin(_iso_codes()).to_numpy()
    for code in sorted(set(codes[unassigned])):
        near = sorted(c for c in _iso_codes() if c[0] == code[0])[:6]
        _add(
            problems,
            file,
            table,
            unassigned & (codes == code).to_numpy(),
            PLACE_COUNTRY,
            None,
            f"country code {code!r} is not assigned in ISO 3166-1 alpha-2",
            "give the country's two-letter code"
            + (f" (codes starting with {code[0]}: {', '.join(near)})" if near else ""),
        )
    return well_formed & ~unassigned


@functools.cache
def _iso_codes() -> frozenset[str]:
    """ISO 3166-1 alpha-2 codes (pycountry), plus XK (Kosovo, as Natural Earth uses it)."""
    import pycountry

    return frozenset({c.alpha_2 for c in pycountry.countries} | {"XK"})


def _check_aliases(table: pd.DataFrame, file: str, problems: list[Problem]) -> None:
    """Every normalized id/name/alias belongs to one place unless shared by all claimants."""
    n = len(table)
    if n == 0:
        return
    claims = pd.DataFrame(
        {
            "row": np.arange(n),
            "column": PLACE_ID,
            "value": table[PLACE_ID],
        }
    )
    names = claims.assign(column=PLACE_NAME, value=table[PLACE_NAME])
    aliases = pd.DataFrame(
        {"row": np.arange(n), "column": PLACE_ALIASES, "value": table[PLACE_ALIASES].map(_split)}
    ).explode("value")
    claims = pd.concat([claims, names, aliases.dropna(subset=["value"])], ignore_index=True)
    claims = claims[claims["value"] != ""]
    claims["key"] = normalize(claims["value"].astype(str)).to_numpy()

    empty_key = (claims["key"] == "") & (claims["column"] == PLACE_ALIASES)
    for _, c in claims[empty_key].iterrows():
        problems.append(
            Problem(
                file,
                int(table[SOURCE_LINE].iloc[c["row"]]),
                PLACE_ALIASES,
                c["value"],
                "alias is empty once normalized",
                "remove it, or spell out the name",
            )
        )
    claims = claims[claims["key"] != ""]
    # Rows with a duplicate id are reported already; their names would only echo it.
    claims = claims[~table[PLACE_ID].duplicated().to_numpy()[claims["row"].to_numpy()]]

    shared = pd.DataFrame({"row": np.arange(n), "value": table[SHARED_ALIAS].map(_split)}).explode(
        "value"
    )
    shared = shared.dropna(subset=["value"])
    shared["key"] = normalize(shared["value"].astype(str)).to_numpy()
    # A shared alias the row does not itself claim is a typo waiting to happen.
    own = set(zip(claims["row"], claims["key"], strict=True))
    for _, s in shared.iterrows():
        if (s["row"], s["key"]) not in own:
            problems.append(
                Problem(
                    file,
                    int(table[SOURCE_LINE].iloc[s["row"]]),
                    SHARED_ALIAS,
                    s["value"],
                    "shared alias is not this place's name or one of its aliases",
                    "add it to the aliases, or remove it from shared_aliases",
                )
            )
    shared_pairs = set(zip(shared["row"], shared["key"], strict=True))

    per_key = claims.drop_duplicates(["row", "key"]).sort_values(["key", "row"])
    n_rows = per_key.groupby("key")["row"].transform("nunique")
    clash = per_key[n_rows > 1]
    for key, group in clash.groupby("key", sort=True):
        rows = group["row"].tolist()
        if all((r, key) in shared_pairs for r in rows):
            continue  # deliberately shared: resolves as ambiguous
        first = rows[0]
        for _, c in group.iloc[1:].iterrows():
            problems.append(
                Problem(
                    file,
                    int(table[SOURCE_LINE].iloc[c["row"]]),
                    c["column"],
                    c["value"],
                    f"name {key!r} (normalized) is also claimed by "
                    f"{table[PLACE_ID].iloc[first]!r} on line "
                    f"{int(table[SOURCE_LINE].iloc[first])}",
                    "remove it from one row, or list it in shared_aliases on every row "
                    "claiming it (it then geocodes as ambiguous)",
                )
            )


# --- the point against its country ----------------------------------------


def _check_in_country(
    table: pd.DataFrame,
    lat: np.ndarray,
    lon: np.ndarray,
    check: np.ndarray,
    countries: gpd.GeoDataFrame,
    file: str,
    problems: list[Problem],
) -> None:
    """Flag points farther than the tolerance from their country's polygon."""
    codes = table[PLACE_COUNTRY].to_numpy()
    wanted = countries[countries["iso_a2"].isin(set(codes[check]) - {""})]
    # One shape per code; only the few codes in use are built (unions are costly).
    shapes = pd.Series(
        {
            code: geoms.iloc[0] if len(geoms) == 1 else shapely.union_all(geoms.to_numpy())
            for code, geoms in wanted.groupby("iso_a2", sort=True).geometry
        },
        dtype=object,
    )
    known = np.isin(codes, shapes.index.to_numpy())
    # Natural Earth leaves some territories without a code: an unmapped code is
    # only a warning, so a valid but unmapped place does not block a run.
    _add(
        problems,
        file,
        table,
        check & ~known & (codes != ""),
        PLACE_COUNTRY,
        None,
        "no country polygon for this code; point not checked",
        "check the code against ISO 3166-1 alpha-2",
        severity="warning",
    )
    rows = np.flatnonzero(check & known)
    if len(rows) == 0:
        return
    polys = shapes.loc[codes[rows]].to_numpy(dtype=object)
    km = _distance_km(shapely.points(lon[rows], lat[rows]), polys)
    far = km > settings.COUNTRY_TOLERANCE_KM
    if not far.any():
        return
    bad = rows[far]
    swapped_ok = np.zeros(len(bad), dtype=bool)
    valid_swap = np.abs(lon[bad]) <= 90
    if valid_swap.any():
        sw = np.flatnonzero(valid_swap)
        swapped_km = _distance_km(shapely.points(lat[bad][sw], lon[bad][sw]), polys[far][sw])
        swapped_ok[sw] = swapped_km <= settings.COUNTRY_TOLERANCE_KM
    where = _country_under(shapely.points(lon[bad], lat[bad]), countries)
    for j, i in enumerate(bad):
        inside = f"it lies in {where[j]}" if where[j] else "it lies in no country (sea?)"
        hint = "lat and lon look swapped" if swapped_ok[j] else "check the coordinates and country"
        problems.append(
            Problem(
                file,
                int(table[SOURCE_LINE].iloc[i]),
                _COORDS,
                (float(lat[i]), float(lon[i])),
                f"point is {km[far][j]:.0f} km outside {codes[i]} "
                f"(tolerance {settings.COUNTRY_TOLERANCE_KM:g} km); {inside}",
                hint,
            )
        )


def _country_under(points: np.ndarray, countries: gpd.GeoDataFrame) -> np.ndarray:
    """ISO code of the polygon containing each point ("" for none; first code on a border)."""
    out = np.full(len(points), "", dtype=object)
    tree = shapely.STRtree(countries.geometry.to_numpy())
    pi, ci = tree.query(points, predicate="intersects")
    hits = pd.DataFrame({"p": pi, "code": countries["iso_a2"].to_numpy()[ci]})
    hits = hits.sort_values(["p", "code"]).drop_duplicates("p")
    out[hits["p"].to_numpy()] = hits["code"].to_numpy()
    return out


def _distance_km(points: np.ndarray, polygons: np.ndarray) -> np.ndarray:
    """Geodesic km from each point to the nearest point of its polygon (0 inside)."""
    out = np.zeros(len(points))
    outside = ~shapely.intersects(points, polygons)
    if outside.any():
        # The nearest point in degrees is close enough to the geodesic nearest
        # at the tolerance scale (tens of km); the distance itself is geodesic.
        seg = shapely.shortest_line(points[outside], polygons[outside])
        xy = shapely.get_coordinates(seg).reshape(-1, 2, 2)
        _, _, m = _GEOD.inv(xy[:, 0, 0], xy[:, 0, 1], xy[:, 1, 0], xy[:, 1, 1])
        out[outside] = m / 1000.0
    return out
