"""The gazetteer's row checks: ids, names, kinds, precisions, coordinates, countries, aliases.

Each check appends one :class:`~geo._errors.Problem` per bad row (file,
line, column, value, hint) to the list :func:`geo.gazetteer.read_gazetteer`
raises at once.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Sequence
from typing import Literal

import numpy as np
import pandas as pd
from rapidfuzz import process

from geo._errors import Problem
from geo.columns import (
    COORD_SOURCE,
    LAT,
    LON,
    PLACE_ALIASES,
    PLACE_COUNTRY,
    PLACE_ID,
    PLACE_KIND,
    PLACE_NAME,
    PLACE_PRECISION,
    PLACE_PRECISIONS,
    SHARED_ALIAS,
    SOURCE_LINE,
)
from geo.geocode import normalize

__all__: list[str] = []  # used by geo.gazetteer.read_gazetteer only
#: Separator of several aliases in one cell.
ALIAS_SEPARATOR = ";"

_ID_RE = re.compile(r"^[a-z][a-z0-9_]*$")
_ISO_RE = re.compile(r"^[A-Z]{2}$")


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
