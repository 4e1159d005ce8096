"""Reading and checking ``zones.geojson``."""

from __future__ import annotations

import difflib
import json
import re
from pathlib import Path
from typing import Any

import geopandas as gpd
import pandas as pd

from geo import columns as C  # noqa: N812
from geo._errors import Problem, ZonesError
from geo.countries import load_countries
from geo.zones._common import _CRS
from geo.zones.shape_checks import check_geometry, overlaps, swapped

__all__ = ["read_zones"]


_PROPS = (
    C.ZONE_ID,
    C.FACTION,
    C.ZONE_LABEL,
    C.ZONE_COUNTRY,
    C.VALID_FROM,
    C.VALID_TO,
    C.ZONE_SOURCES,
    C.AS_OF,
    C.APPROXIMATE,
    C.CONTESTED,
)
_CONTROL_RE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_ISO_DAY = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_ISO_PARTIAL = re.compile(r"^\d{4}(-\d{2}(-\d{2})?)?$")


# --- reading and validating ---------------------------------------------------


def read_zones(path: str | Path) -> gpd.GeoDataFrame:
    """Read and validate ``zones.geojson``.

    Parameters
    ----------
    path
        GeoJSON FeatureCollection; properties as in :mod:`geo.columns`
        (``ZONE_ID`` ... ``CONTESTED``), polygons in (lon, lat).

    Returns
    -------
    geopandas.GeoDataFrame
        One row per feature, index = feature index in the file, columns
        ``ZONE_ID, FACTION, ZONE_LABEL, ZONE_COUNTRY, VALID_FROM, VALID_TO``
        (Timestamps; ``VALID_TO`` NaT when open), ``ZONE_SOURCES`` (tuple),
        ``AS_OF, APPROXIMATE, CONTESTED`` and geometry (valid Polygon or
        MultiPolygon, EPSG:4326).  ``attrs["warnings"]`` lists repaired
        geometries as warning :class:`~geo._errors.Problem` s.

    Raises
    ------
    ZonesError
        With every problem found, each naming the feature index (0-based,
        as in ``features[i]``), the property and the bad value: unreadable
        file, missing/ill-typed properties, duplicate ids, unknown
        factions or countries, unparsable dates, ``valid_to`` before
        ``valid_from``, non-polygon or empty geometry, coordinates out of
        range, and same-country zones overlapping in time and space
        without ``contested``.

    """
    fname = str(path)
    doc = _load_json(Path(path), fname)
    feats = doc.get("features") if isinstance(doc, dict) else None
    if (
        not isinstance(doc, dict)
        or doc.get("type") != "FeatureCollection"
        or not isinstance(feats, list)
    ):
        got = doc.get("type") if isinstance(doc, dict) else type(doc).__name__
        raise ZonesError(
            [
                Problem(
                    fname,
                    None,
                    "type",
                    got,
                    "not a GeoJSON FeatureCollection with a 'features' list",
                    'start the file with {"type": "FeatureCollection", "features": [...]}',
                )
            ]
        )
    problems: list[Problem] = []
    rows: dict[int, dict[str, Any]] = {}
    outlines = load_countries()
    countries = set(outlines["iso_a2"]) - {""}
    for i, feat in enumerate(feats):
        row = _check_feature(fname, i, feat, countries, problems)
        if row is not None:
            rows[i] = row
    seen: dict[str, int] = {}
    for i, row in rows.items():
        zid = row[C.ZONE_ID]
        if zid in seen:
            problems.append(
                Problem(
                    fname,
                    None,
                    C.ZONE_ID,
                    zid,
                    f"duplicate zone id (also feature {seen[zid]})",
                    "give every feature its own zone id, e.g. '<area>-<valid_from>'",
                    feature=i,
                )
            )
        else:
            seen[zid] = i
    gdf = _frame(rows)
    problems += swapped(fname, gdf, outlines)
    problems += overlaps(fname, gdf)
    if not feats:
        problems.append(
            Problem(
                fname,
                None,
                "features",
                [],
                "no zones: every place and leg is 'outside mapped zones'",
                "add a Feature per faction zone and period",
                severity="warning",
            )
        )
    if any(p.severity == "error" for p in problems):
        raise ZonesError(problems)
    gdf.attrs["warnings"] = [p for p in problems if p.severity == "warning"]
    return gdf


def _load_json(path: Path, fname: str) -> object:
    """Parse the file; raise ZonesError naming the line and column of any fault."""
    hint = "write a UTF-8 GeoJSON FeatureCollection"
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        problem = Problem(fname, None, None, fname, "file not found", "check the path or --data")
        raise ZonesError([problem]) from None
    except OSError as exc:
        problem = Problem(fname, None, None, fname, f"cannot read: {exc.strerror or exc}", hint)
        raise ZonesError([problem]) from None
    try:
        text = data.decode("utf-8").removeprefix("\ufeff")
    except UnicodeDecodeError as exc:
        before = data[: exc.start]
        line = before.count(b"\n") + 1
        col = exc.start - (before.rfind(b"\n") + 1) + 1
        raw = data[exc.start : exc.end]
        guess = raw.decode("cp1252", errors="replace")
        problem = Problem(
            fname,
            line,
            None,
            raw,
            f"byte {raw.hex(' ')} at line {line}, column {col} is not UTF-8",
            f"the file looks like Latin-1/Windows-1252 (there it would be {guess!r}): "
            "save it as UTF-8",
            position=col,
        )
        raise ZonesError([problem]) from None
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        problem = Problem(
            fname,
            exc.lineno,
            None,
            exc.doc[exc.pos : exc.pos + 20],
            f"not valid JSON: {exc.msg}",
            hint,
            position=exc.colno,
        )
        raise ZonesError([problem]) from None
    except RecursionError:
        problem = Problem(fname, None, None, fname, "JSON nested too deeply", hint)
        raise ZonesError([problem]) from None


def _check_feature(
    fname: str, i: int, feat: object, countries: set[str], problems: list[Problem]
) -> dict[str, Any] | None:
    """Validate one feature; append its problems; return its row or None."""

    def bad(col: str | None, value: object, message: str, hint: str | None = None) -> None:
        problems.append(Problem(fname, None, col, value, message, hint, feature=i))

    if not isinstance(feat, dict) or feat.get("type") != "Feature":
        bad(
            "type",
            type(feat).__name__ if not isinstance(feat, dict) else feat.get("type"),
            "not a GeoJSON Feature",
            'each element of "features" must be {"type": "Feature", ...}',
        )
        return None
    props = feat.get("properties")
    if not isinstance(props, dict):
        bad("properties", props, "feature has no properties object")
        return None
    n_before = len(problems)
    row: dict[str, Any] = {}
    for key, value in props.items():
        texts = value if isinstance(value, list) else [value]
        for text in texts:
            if isinstance(text, str) and (m := _CONTROL_RE.search(text)):
                bad(
                    key,
                    text,
                    f"control character U+{ord(m.group()):04X} at character {m.start() + 1}",
                    "remove it: properties hold printable text only",
                )
    for key in _PROPS:
        if key not in props:
            bad(key, None, f"missing property {key!r}", f"add {key!r} to the feature's properties")
    for key in (C.ZONE_ID, C.ZONE_LABEL, C.AS_OF):
        value = props.get(key)
        if key in props and (not isinstance(value, str) or not value.strip()):
            bad(key, value, "must be a non-empty string")
        row[key] = value
    if isinstance(row.get(C.AS_OF), str) and not _ISO_PARTIAL.match(row[C.AS_OF]):
        bad(C.AS_OF, row[C.AS_OF], "as_of is not an ISO date", "write YYYY, YYYY-MM or YYYY-MM-DD")
    faction = props.get(C.FACTION)
    if C.FACTION in props and (not isinstance(faction, str) or faction not in C.FACTIONS):
        close = difflib.get_close_matches(str(faction), C.FACTIONS, n=1, cutoff=0.5)
        hint = f"did you mean {close[0]!r}?" if close else None
        hint = (hint + " " if hint else "") + "factions: " + ", ".join(C.FACTIONS)
        bad(C.FACTION, faction, "unknown faction", hint)
    row[C.FACTION] = faction
    country = props.get(C.ZONE_COUNTRY)
    if C.ZONE_COUNTRY in props and (not isinstance(country, str) or country not in countries):
        bad(
            C.ZONE_COUNTRY,
            country,
            "unknown ISO 3166-1 alpha-2 country code",
            "use an upper-case code from geo/data/countries.geojson, e.g. 'LY'",
        )
    row[C.ZONE_COUNTRY] = country
    for key in (C.VALID_FROM, C.VALID_TO):
        value = props.get(key)
        day: object = pd.NaT
        if value is None and key == C.VALID_TO:
            pass  # open-ended
        elif not isinstance(value, str) or not _ISO_DAY.match(value):
            if key in props:
                bad(
                    key,
                    value,
                    "not an ISO date",
                    "write YYYY-MM-DD" + (" or null for open-ended" if key == C.VALID_TO else ""),
                )
        else:
            try:
                day = pd.Timestamp(value)
            except ValueError:
                bad(key, value, "not a calendar date", "write YYYY-MM-DD")
        row[key] = day
    if (
        pd.notna(row[C.VALID_FROM])
        and pd.notna(row[C.VALID_TO])
        and (row[C.VALID_TO] < row[C.VALID_FROM])
    ):
        bad(
            C.VALID_TO,
            props.get(C.VALID_TO),
            f"valid_to is before valid_from {props.get(C.VALID_FROM)!r}",
            "swap the dates or fix the year",
        )
    sources = props.get(C.ZONE_SOURCES)
    if isinstance(sources, str):
        sources = [sources]
    if C.ZONE_SOURCES in props and (
        not isinstance(sources, list)
        or not sources
        or not all(isinstance(s, str) and s.strip() for s in sources)
    ):
        bad(
            C.ZONE_SOURCES,
            props.get(C.ZONE_SOURCES),
            "sources must be a non-empty list of strings",
            "list 'outlet, date, URL' for every source the boundary comes from",
        )
    row[C.ZONE_SOURCES] = tuple(sources) if isinstance(sources, list) else ()
    for key in (C.APPROXIMATE, C.CONTESTED):
        value = props.get(key)
        if key in props and not isinstance(value, bool):
            bad(key, value, "must be true or false")
        row[key] = bool(value) if isinstance(value, bool) else False
    row["geometry"] = check_geometry(fname, i, feat.get("geometry"), problems)
    if row["geometry"] is None or (
        len(problems) > n_before and any(p.severity == "error" for p in problems[n_before:])
    ):
        return None
    return row


def _frame(rows: dict[int, dict[str, Any]]) -> gpd.GeoDataFrame:
    cols = [*_PROPS, "geometry"]
    if not rows:
        empty = pd.DataFrame({k: pd.Series(dtype=object) for k in cols[:-1]})
        return gpd.GeoDataFrame(empty, geometry=gpd.GeoSeries([], crs=_CRS))
    df = pd.DataFrame.from_dict(rows, orient="index")[cols]
    for key in (C.VALID_FROM, C.VALID_TO):
        df[key] = pd.to_datetime(df[key])
    for key in (C.APPROXIMATE, C.CONTESTED):
        df[key] = df[key].astype(bool)
    return gpd.GeoDataFrame(df, geometry="geometry", crs=_CRS)
