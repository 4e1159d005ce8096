"""Faction-controlled zones over time, and which zone places and legs are in.

``zones.geojson`` holds one feature per (area, period of control): a polygon,
the faction holding it, and the inclusive day interval [valid_from,
valid_to] (``valid_to`` null = still valid).  The factions a file may name
are :data:`geo.columns.FACTIONS`; which of them face each other across a
front line is :data:`geo.settings.OPPOSING_FACTIONS`.

Rules used when attributing a point on a date (documented because analysts
brief from the answer):

- a point lies in a zone when it *intersects* it, so a point exactly on a
  boundary lies in both zones; the zone whose interior holds the point
  wins, then the smallest zone (a base inside a territory is the more
  specific answer), then the zone id.  When the zones sharing the point
  belong to different factions, ``control_note`` says
  "on boundary with <zone> (<faction>)";
- where zones overlap (allowed only when one is marked ``contested``) the
  smallest wins and the note says "contested; also <zone> (<faction>)";
- a point in no zone is :data:`geo.columns.OUTSIDE_ZONES`, not an error;
- for a date *interval* (a leg dated "2020-01"), the winner is evaluated at
  the start and at every change of the point's zones inside the interval;
  if the faction differs, the faction is left empty and the note says
  "changed during interval: <faction> to <date>, <faction> from <date>";
- points of precision ``country``/``region`` are never taken as exact:
  the note says so, and a country-level point in a country divided between
  factions on that date gets no faction at all.

Everything is vectorized: zones are cut into grid tiles
(``settings.ZONE_TILE_DEG``) so each point-in-polygon or line/polygon
intersection touches a small polygon; tiles and points/lines are joined
with ``shapely.STRtree``; dates, priorities and notes are pandas ops over
all pairs at once.
"""

from __future__ import annotations

import difflib
import json
import re
from pathlib import Path
from typing import Any, cast

import geopandas as gpd
import numpy as np
import numpy.typing as npt
import pandas as pd
import shapely
from pyproj import Geod

from geo import columns as C  # noqa: N812
from geo import settings
from geo._errors import Problem, ZonesError
from geo.countries import countries_at, load_countries, subdivide

__all__ = [
    "CHANGED",
    "attribute_legs",
    "places_faction",
    "read_zones",
    "split_by_zone",
    "zones_at",
]

#: Start of the ``control_note`` when control changed during a leg's dates.
CHANGED = "changed during interval"

_GEOD = Geod(ellps=settings.ELLPS)
_CRS = "EPSG:4326"
_EQUAL_AREA = "EPSG:6933"
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
_ISO_DAY = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_ISO_PARTIAL = re.compile(r"^\d{4}(-\d{2}(-\d{2})?)?$")
# Open-ended zones end at the largest day numpy's datetime64[D] can hold.
_FOREVER = np.iinfo(np.int64).max // 2
_NAT = np.iinfo(np.int64).min

IntArray = npt.NDArray[np.int64]
ObjArray = npt.NDArray[np.object_]


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
    try:
        doc = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        msg = f"cannot read GeoJSON: {exc}"
        raise ZonesError(
            [Problem(fname, None, None, fname, msg, "write a UTF-8 GeoJSON FeatureCollection")]
        ) from exc
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
    countries = set(load_countries()["iso_a2"]) - {""}
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
                    i,
                    C.ZONE_ID,
                    zid,
                    f"duplicate zone id (also feature {seen[zid]})",
                    "give every feature its own zone id, e.g. '<area>-<valid_from>'",
                )
            )
        else:
            seen[zid] = i
    gdf = _frame(rows)
    problems += _overlaps(fname, gdf)
    if any(p.severity == "error" for p in problems):
        raise ZonesError(problems)
    gdf.attrs["warnings"] = [p for p in problems if p.severity == "warning"]
    return gdf


def _check_feature(
    fname: str, i: int, feat: object, countries: set[str], problems: list[Problem]
) -> dict[str, Any] | None:
    """Validate one feature; append its problems; return its row or None."""

    def bad(col: str | None, value: object, message: str, hint: str | None = None) -> None:
        problems.append(Problem(fname, i, col, value, message, hint))

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
    if C.FACTION in props and faction not in C.FACTIONS:
        close = difflib.get_close_matches(str(faction), C.FACTIONS, n=1, cutoff=0.5)
        hint = f"did you mean {close[0]!r}?" if close else None
        hint = (hint + " " if hint else "") + "factions: " + ", ".join(C.FACTIONS)
        bad(C.FACTION, faction, "unknown faction", hint)
    row[C.FACTION] = faction
    country = props.get(C.ZONE_COUNTRY)
    if C.ZONE_COUNTRY in props and country not in countries:
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
    row["geometry"] = _check_geometry(fname, i, feat.get("geometry"), problems)
    if row["geometry"] is None or (
        len(problems) > n_before and any(p.severity == "error" for p in problems[n_before:])
    ):
        return None
    return row


def _check_geometry(
    fname: str, i: int, geo: object, problems: list[Problem]
) -> shapely.Geometry | None:
    col = "geometry"
    if not isinstance(geo, dict) or geo.get("type") not in ("Polygon", "MultiPolygon"):
        got = geo.get("type") if isinstance(geo, dict) else geo
        problems.append(
            Problem(
                fname,
                i,
                col,
                got,
                "geometry must be a Polygon or MultiPolygon",
                "draw the zone as a polygon in (lon, lat)",
            )
        )
        return None
    try:
        geom = shapely.from_geojson(json.dumps(geo))
    except (shapely.errors.GEOSException, ValueError, TypeError) as exc:
        problems.append(
            Problem(
                fname,
                i,
                col,
                str(geo)[:60],
                f"unreadable geometry: {exc}",
                "each ring is a closed list of [lon, lat] pairs",
            )
        )
        return None
    if geom.is_empty:
        problems.append(Problem(fname, i, col, "EMPTY", "geometry is empty"))
        return None
    xy = shapely.get_coordinates(geom)
    if not np.isfinite(xy).all() or (np.abs(xy[:, 0]) > 180).any() or (np.abs(xy[:, 1]) > 90).any():
        worst = xy[(np.abs(xy[:, 0]) > 180) | (np.abs(xy[:, 1]) > 90) | ~np.isfinite(xy).all(1)]
        problems.append(
            Problem(
                fname,
                i,
                col,
                tuple(worst[0]),
                "coordinate out of range",
                "coordinates are [lon, lat] with -180<=lon<=180, -90<=lat<=90",
            )
        )
        return None
    if not geom.is_valid:
        reason = shapely.is_valid_reason(geom)
        fixed = _polygonal(shapely.make_valid(geom))
        if fixed is None:
            problems.append(
                Problem(
                    fname,
                    i,
                    col,
                    reason,
                    "invalid polygon that cannot be repaired into an area",
                    "redraw the polygon",
                )
            )
            return None
        problems.append(
            Problem(
                fname,
                i,
                col,
                reason,
                "invalid polygon repaired with make_valid",
                "fix the rings (no self-intersections) to silence this",
                severity="warning",
            )
        )
        geom = fixed
    return geom


def _polygonal(geom: shapely.Geometry) -> shapely.Geometry | None:
    parts = shapely.get_parts(geom)
    while (shapely.get_type_id(parts) == 7).any():
        parts = shapely.get_parts(parts)
    parts = shapely.get_parts(parts)
    polys = parts[shapely.get_type_id(parts) == 3]
    if len(polys) == 0:
        return None
    out = shapely.union_all(polys)
    return out if not out.is_empty else None


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


def _days(values: Any, *, open_end: bool) -> IntArray:
    """Dates as int64 day numbers; NaT -> far future (open_end) or _NAT."""
    arr = np.asarray(pd.to_datetime(values), dtype="datetime64[D]")
    out = arr.astype(np.int64)
    out[np.isnat(arr)] = _FOREVER if open_end else _NAT
    return out


def _overlaps(fname: str, zones: gpd.GeoDataFrame) -> list[Problem]:
    """Same-country zones overlapping in time and space, neither contested."""
    if len(zones) < 2:
        return []
    geoms = zones.geometry.values
    left, right = shapely.STRtree(geoms).query(geoms, predicate="intersects")
    keep = left < right
    left, right = left[keep], right[keep]
    start = _days(zones[C.VALID_FROM], open_end=False)
    stop = _days(zones[C.VALID_TO], open_end=True)
    country = zones[C.ZONE_COUNTRY].to_numpy()
    contested = zones[C.CONTESTED].to_numpy(bool)
    keep = (
        (country[left] == country[right])
        & (start[left] <= stop[right])
        & (start[right] <= stop[left])
        & ~(contested[left] | contested[right])
    )
    left, right = left[keep], right[keep]
    if not len(left):
        return []
    inter = shapely.intersection(geoms[left], geoms[right])
    km2 = gpd.GeoSeries(inter, crs=_CRS).to_crs(_EQUAL_AREA).area.to_numpy() / 1e6
    ids = zones[C.ZONE_ID].to_numpy()
    index = zones.index.to_numpy()
    return [
        Problem(
            fname,
            int(index[r]),
            "geometry",
            ids[r],
            f"overlaps zone {ids[lft]!r} (feature {index[lft]}, same country, "
            f"overlapping dates) by {a:.1f} km2",
            "cut one polygon out of the other, make their dates not overlap, "
            "or mark one 'contested': true",
        )
        for lft, r, a in zip(left, right, km2, strict=True)
        if a > settings.ZONE_OVERLAP_TOLERANCE_KM2
    ]


def zones_at(zones: gpd.GeoDataFrame, at: object) -> gpd.GeoDataFrame:
    """Zones valid on day ``at`` (inclusive bounds)."""
    day = pd.Timestamp(at).normalize()  # type: ignore[arg-type]
    ok = (zones[C.VALID_FROM] <= day) & (zones[C.VALID_TO].isna() | (zones[C.VALID_TO] >= day))
    return zones[ok]


# --- tiles ----------------------------------------------------------------------


def _tiles(zones: gpd.GeoDataFrame) -> tuple[ObjArray, IntArray]:
    """Cut every zone into small tiles; return (tile geometries, zone position).

    See :func:`geo.countries.subdivide`; cached per zone set.
    """
    geoms = np.asarray(zones.geometry.values, dtype=object)
    key = (tuple(zones[C.ZONE_ID].astype(str)), hash(tuple(shapely.to_wkb(geoms))))
    if key in _TILE_CACHE:
        return _TILE_CACHE[key]
    tiles, owners = subdivide(geoms, max_vertices=_TILE_VERTICES, min_size=settings.ZONE_TILE_DEG)
    shapely.prepare(tiles)
    if len(_TILE_CACHE) >= 8:
        _TILE_CACHE.pop(next(iter(_TILE_CACHE)))
    _TILE_CACHE[key] = (tiles, owners)
    return tiles, owners


_TILE_VERTICES = 64
_TILE_CACHE: dict[tuple[tuple[str, ...], int], tuple[ObjArray, IntArray]] = {}


# --- points -----------------------------------------------------------------------


def _locate(
    x: npt.ArrayLike,
    y: npt.ArrayLike,
    start: IntArray,
    stop: IntArray,
    zones: gpd.GeoDataFrame,
    tiles: tuple[ObjArray, IntArray] | None = None,
    country: ObjArray | None = None,
) -> pd.DataFrame:
    """Zone and faction of points over day intervals [start, stop].

    Returns a DataFrame (positional index) with ZONE_ID, FACTION,
    ZONE_COUNTRY, CONTESTED and CONTROL_NOTE ("" when nothing to say).
    Points with NaN coordinates or dates get faction None and a note.
    """
    x = np.asarray(x, dtype=float)
    y = np.asarray(y, dtype=float)
    n = len(x)
    out = _outside_answers(n)
    no_xy = ~(np.isfinite(x) & np.isfinite(y))
    no_day = (start == _NAT) | (stop == _NAT)
    out.loc[no_xy, C.FACTION] = None
    out.loc[no_xy, C.CONTROL_NOTE] = "no coordinates (unknown stop)"
    out.loc[~no_xy & no_day, C.FACTION] = None
    out.loc[~no_xy & no_day, C.CONTROL_NOTE] = "no date"
    good = ~no_xy & ~no_day
    if not good.any() or len(zones) == 0:
        return out
    # The same place on the same dates is looked up once.
    key = pd.MultiIndex.from_arrays([x[good], y[good], start[good], stop[good]])
    codes, uniq_any = key.factorize()
    uniq = cast(pd.MultiIndex, uniq_any)
    ux, uy = uniq.get_level_values(0).to_numpy(), uniq.get_level_values(1).to_numpy()
    us, ue = uniq.get_level_values(2).to_numpy(), uniq.get_level_values(3).to_numpy()
    ucountry: ObjArray | None = None
    if country is not None:
        first = pd.Series(np.asarray(country, dtype=object)[good]).groupby(codes).first()
        ucountry = first.reindex(range(len(uniq))).to_numpy(dtype=object)
    res = _locate_unique(ux, uy, us, ue, zones, tiles or _tiles(zones), ucountry)
    idx = np.flatnonzero(good)
    for col in res.columns:
        out.loc[idx, col] = res[col].to_numpy()[codes]
    return out


def _locate_unique(
    x: npt.NDArray[np.float64],
    y: npt.NDArray[np.float64],
    start: IntArray,
    stop: IntArray,
    zones: gpd.GeoDataFrame,
    tiles: tuple[ObjArray, IntArray],
    country: ObjArray | None,
) -> pd.DataFrame:
    n = len(x)
    pts = shapely.points(x, y)
    tile_geoms, owner = tiles
    ti, pi = shapely.STRtree(pts).query(tile_geoms, predicate="intersects")
    pairs = pd.DataFrame({"p": pi, "z": owner[ti]}).drop_duplicates()
    zf = _days(zones[C.VALID_FROM], open_end=False)
    zt = _days(zones[C.VALID_TO], open_end=True)
    p, z = pairs["p"].to_numpy(), pairs["z"].to_numpy()
    live = (zf[z] <= stop[p]) & (zt[z] >= start[p])
    p, z = p[live], z[live]
    zgeom = zones.geometry.values
    area = shapely.area(zgeom)
    # On-boundary test only where a point meets more than one zone.
    multi = np.bincount(p, minlength=n)[p] > 1
    edge = np.zeros(len(p), dtype=bool)
    if multi.any():
        edge[multi] = shapely.intersects(shapely.boundary(zgeom[z[multi]]), pts[p[multi]])
    mismatch = np.zeros(len(p), dtype=bool)
    if country is not None:
        mismatch = zones[C.ZONE_COUNTRY].to_numpy()[z] != country[p]
    pairs = pd.DataFrame(
        {
            "p": p,
            "z": z,
            "zf": zf[z],
            "zt": zt[z],
            "edge": edge,
            "mismatch": mismatch,
            "area": area[z],
            "id": zones[C.ZONE_ID].to_numpy()[z],
        }
    )
    # Instants at which the winner is evaluated: the interval start and
    # every start/end of one of the point's zones inside the interval.
    t_from = pairs["zf"].to_numpy()
    t_after = np.minimum(pairs["zt"].to_numpy(), _FOREVER - 1) + 1
    cand = np.concatenate([start, t_from, t_after])
    owner_p = np.concatenate([np.arange(n), p, p])
    inside = (cand >= start[owner_p]) & (cand <= stop[owner_p])
    inst = pd.DataFrame({"p": owner_p[inside], "t": cand[inside]}).drop_duplicates()
    ev = inst.merge(pairs, on="p")
    ev = ev[(ev["zf"] <= ev["t"]) & (ev["zt"] >= ev["t"])]
    ev = ev.sort_values(["p", "t", "mismatch", "edge", "area", "id"], kind="stable")
    fac = zones[C.FACTION].to_numpy()
    contested = zones[C.CONTESTED].to_numpy(bool)
    ev["faction"] = fac[ev["z"].to_numpy()]
    win = ev.drop_duplicates(["p", "t"])
    # Notes for instants where more than one zone holds the point.
    others = ev[ev.duplicated(["p", "t"])]
    note = pd.Series("", index=win.index, dtype=object)
    if len(others):
        others = others.merge(win[["p", "t", "z", "faction"]], on=["p", "t"], suffixes=("", "_w"))
        shown = others[
            (others["faction"] != others["faction_w"])
            | contested[others["z"]]
            | contested[others["z_w"]]
        ]
        if len(shown):
            kind = np.where(
                contested[shown["z"].to_numpy()] | contested[shown["z_w"].to_numpy()],
                "contested; also ",
                "on boundary with ",
            )
            text = kind + shown["id"].astype(str) + " (" + shown["faction"].astype(str) + ")"
            agg = text.groupby([shown["p"], shown["t"]]).agg("; ".join)
            keyed = pd.MultiIndex.from_frame(win[["p", "t"]])
            note = pd.Series(agg.reindex(keyed).fillna("").to_numpy(), index=win.index)
    win = win.assign(note=note.to_numpy())
    timeline = inst.merge(win[["p", "t", "z", "faction", "note"]], on=["p", "t"], how="left")
    timeline["faction"] = timeline["faction"].fillna(C.OUTSIDE_ZONES)
    timeline = timeline.sort_values(["p", "t"], kind="stable")
    n_fac = timeline.groupby("p")["faction"].nunique()
    first = timeline.drop_duplicates("p").set_index("p")
    out = _outside_answers(n)
    has = first["z"].notna()
    rows = first.index.to_numpy()[has.to_numpy()]
    zz = first.loc[has, "z"].to_numpy().astype(np.int64)
    out.loc[rows, C.ZONE_ID] = zones[C.ZONE_ID].to_numpy()[zz]
    out.loc[rows, C.FACTION] = fac[zz]
    out.loc[rows, C.ZONE_COUNTRY] = zones[C.ZONE_COUNTRY].to_numpy()[zz]
    out.loc[rows, C.CONTESTED] = contested[zz]
    out.loc[rows, C.CONTROL_NOTE] = first.loc[has, "note"].fillna("").to_numpy()
    changed = n_fac.index[n_fac.to_numpy() > 1].to_numpy()
    if len(changed):
        tl = timeline[timeline["p"].isin(changed)].copy()
        # Collapse consecutive instants with the same faction, then describe.
        tl = tl[tl["faction"] != tl.groupby("p")["faction"].shift()]
        nxt = tl.groupby("p")["t"].shift(-1)
        t_day = tl["t"].to_numpy().astype("datetime64[D]").astype(str)
        end_day = np.where(
            nxt.isna(),
            "",
            (nxt.fillna(0).to_numpy(np.int64) - 1).astype("datetime64[D]").astype(str),
        )
        first_row = ~tl["p"].duplicated().to_numpy()
        piece = np.where(
            first_row, tl["faction"] + " to " + end_day, tl["faction"] + " from " + t_day
        )
        text = pd.Series(piece, index=tl.index).groupby(tl["p"]).agg(", ".join)
        out.loc[text.index, C.CONTROL_NOTE] = (CHANGED + ": " + text).to_numpy()
        for col in (C.ZONE_ID, C.FACTION, C.ZONE_COUNTRY):
            out.loc[text.index, col] = None
        out.loc[text.index, C.CONTESTED] = False
    return out


def _precision_notes(
    located: pd.DataFrame,
    precision: npt.ArrayLike,
    country: ObjArray,
    zones: gpd.GeoDataFrame,
    start: IntArray,
    stop: IntArray,
) -> pd.DataFrame:
    """Flag country/region-level points; drop the faction of divided countries."""
    precision = np.asarray(precision, dtype=object)
    out = located.copy()
    region = precision == "region"
    coarse = precision == "country"
    if region.any():
        out.loc[region, C.CONTROL_NOTE] = _join_note(
            "region-level point: faction of its representative point, not of a site",
            out.loc[region, C.CONTROL_NOTE],
        )
    if coarse.any():
        zf = _days(zones[C.VALID_FROM], open_end=False)
        zt = _days(zones[C.VALID_TO], open_end=True)
        cz = pd.DataFrame(
            {
                "country": zones[C.ZONE_COUNTRY].to_numpy(),
                "zf": zf,
                "zt": zt,
                "faction": zones[C.FACTION].to_numpy(),
            }
        )
        pts = pd.DataFrame(
            {
                "i": np.flatnonzero(coarse),
                "country": country[coarse],
                "s": start[coarse],
                "e": stop[coarse],
            }
        )
        m = pts.merge(cz, on="country")
        m = m[(m["zf"] <= m["e"]) & (m["zt"] >= m["s"])]
        facs = m.groupby("i")["faction"].agg(lambda s: ", ".join(sorted(set(s))))
        nfac = m.groupby("i")["faction"].nunique()
        divided = nfac.index[nfac.to_numpy() > 1].to_numpy()
        whole = np.setdiff1d(np.flatnonzero(coarse), divided)
        out.loc[whole, C.CONTROL_NOTE] = _join_note(
            "country-level point, not a site", out.loc[whole, C.CONTROL_NOTE]
        )
        if len(divided):
            out.loc[divided, C.CONTROL_NOTE] = _join_note(
                "country-level point in a country divided between "
                + facs.loc[divided].astype(str)
                + ": faction not attributable",
                out.loc[divided, C.CONTROL_NOTE],
            ).to_numpy()
            for col in (C.ZONE_ID, C.FACTION, C.ZONE_COUNTRY):
                out.loc[divided, col] = None
    return out


def _join_note(head: str | pd.Series, tail: pd.Series) -> pd.Series:
    tail = tail.fillna("").astype(str)
    head_s = head if isinstance(head, pd.Series) else pd.Series(head, index=tail.index)
    head_s = pd.Series(head_s.to_numpy(), index=tail.index, dtype=object)
    return pd.Series(
        np.where(tail.to_numpy() == "", head_s, head_s + "; " + tail), index=tail.index
    )


def places_faction(
    places: gpd.GeoDataFrame | pd.DataFrame,
    *,
    at: object,
    zones: gpd.GeoDataFrame | None = None,
) -> pd.DataFrame:
    """Faction and zone holding every place on one date.

    Parameters
    ----------
    places
        Gazetteer rows (:func:`geo.gazetteer.read_gazetteer`): ``LON``,
        ``LAT`` (or point geometry), optionally ``PLACE_ID``,
        ``PLACE_NAME``, ``PLACE_PRECISION``, ``PLACE_COUNTRY``.
    at
        The day (anything :class:`pandas.Timestamp` accepts).
    zones
        From :func:`read_zones`; default: the bundled ``zones.geojson``.

    Returns
    -------
    pandas.DataFrame
        Indexed like ``places``: ``PLACE_ID``, ``PLACE_NAME``,
        ``PLACE_PRECISION`` (when given), ``PLACE_ZONE``,
        ``PLACE_FACTION`` (``OUTSIDE_ZONES`` outside every zone, None when
        not attributable), ``ZONE_COUNTRY``, ``CONTESTED``,
        ``CONTROL_NOTE``.

    """
    if zones is None:
        from geo.paths import data_dir

        zones = read_zones(data_dir() / settings.ZONES_FILE)
    day = pd.Timestamp(at).normalize()  # type: ignore[arg-type]
    x, y = _xy(places, C.LON, C.LAT)
    d = np.full(len(places), _days([day], open_end=False)[0], dtype=np.int64)
    country = _col(places, C.PLACE_COUNTRY)
    located = _locate(x, y, d, d, zones, country=country)
    if C.PLACE_PRECISION in places:
        precision = places[C.PLACE_PRECISION].to_numpy(dtype=object)
        need = (precision == "country") & pd.isna(country)
        if need.any():  # no country column: the country under the point
            country = country.copy()
            country[need] = countries_at(shapely.points(x[need], y[need])).to_numpy()
        located = _precision_notes(located, precision, country, zones, d, d)
    out = pd.DataFrame(index=places.index)
    for col in (C.PLACE_ID, C.PLACE_NAME, C.PLACE_PRECISION):
        if col in places:
            out[col] = places[col].to_numpy()
    for col, src in ((C.PLACE_ZONE, C.ZONE_ID), (C.PLACE_FACTION, C.FACTION)):
        out[col] = pd.Series(_objects(located[src]).to_numpy(), index=out.index, dtype=object)
    out[C.ZONE_COUNTRY] = pd.Series(
        _objects(located[C.ZONE_COUNTRY]).to_numpy(), index=out.index, dtype=object
    )
    out[C.CONTESTED] = located[C.CONTESTED].to_numpy(bool)
    out[C.CONTROL_NOTE] = located[C.CONTROL_NOTE].to_numpy()
    return out


def _objects(values: Any) -> pd.Series:
    """Object Series with None (not NaN) for missing values."""
    arr = np.array(values, dtype=object)  # a copy: inputs may be read-only views
    arr[pd.isna(arr)] = None
    return pd.Series(arr, dtype=object)


def _col(df: pd.DataFrame, col: str) -> ObjArray:
    if col in df:
        return df[col].to_numpy(dtype=object)
    return np.full(len(df), None, dtype=object)


def _xy(df: pd.DataFrame, xcol: str, ycol: str) -> tuple[npt.NDArray[np.float64], ...]:
    if xcol in df and ycol in df:
        return (
            pd.to_numeric(df[xcol], errors="coerce").to_numpy(float),
            pd.to_numeric(df[ycol], errors="coerce").to_numpy(float),
        )
    geoms = df.geometry.values
    return shapely.get_x(geoms), shapely.get_y(geoms)


# --- legs -------------------------------------------------------------------------


def _leg_days(lines: pd.DataFrame) -> tuple[IntArray, IntArray]:
    s = _days(lines[C.DATE_START], open_end=False)
    e = _days(lines[C.DATE_END], open_end=False)
    bad = (s == _NAT) | (e == _NAT)
    s[bad] = _NAT
    e[bad] = _NAT
    return s, e


def _ends(lines: pd.DataFrame) -> tuple[npt.NDArray[np.float64], ...]:
    """(x0, y0, x1, y1): the ledger's coordinates, else the line's ends."""
    if all(col in lines for col in (C.FROM_LON, C.FROM_LAT, C.TO_LON, C.TO_LAT)):
        return (*_xy(lines, C.FROM_LON, C.FROM_LAT), *_xy(lines, C.TO_LON, C.TO_LAT))
    geoms = lines.geometry.values
    first = shapely.get_point(geoms, 0)
    last = shapely.get_point(geoms, -1)
    return shapely.get_x(first), shapely.get_y(first), shapely.get_x(last), shapely.get_y(last)


def attribute_legs(lines: gpd.GeoDataFrame, zones: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Add each leg's origin and destination zone and faction as of its dates.

    Parameters
    ----------
    lines
        Output of :func:`geo.lines.geodesic_lines`: needs ``DATE_START``,
        ``DATE_END`` (inclusive day bounds) and ``FROM_LON/FROM_LAT/TO_LON/
        TO_LAT`` (else the line's end points); uses ``FROM_PRECISION``,
        ``TO_PRECISION`` when present.
    zones
        From :func:`read_zones`.

    Returns
    -------
    geopandas.GeoDataFrame
        ``lines`` (same index and order) plus ``FROM_ZONE, TO_ZONE,
        FROM_FACTION, TO_FACTION`` (``OUTSIDE_ZONES`` outside every zone;
        None when control changed during the leg's dates, the end is an
        unknown stop, or a country-level point lies in a divided country),
        ``CONTROL_NOTE`` ("from: ...; to: ..."), ``CROSSES_FRONT`` (the
        path runs through zones of two opposing factions of one country,
        as of ``DATE_START``) and ``FROM_OUTSIDE`` (origin in another
        country than the destination; NA when an end has no country).

    """
    n = len(lines)
    x0, y0, x1, y1 = _ends(lines)
    s, e = _leg_days(lines)
    tiles = _tiles(zones)
    loc = _locate(
        np.concatenate([x0, x1]),
        np.concatenate([y0, y1]),
        np.concatenate([s, s]),
        np.concatenate([e, e]),
        zones,
        tiles,
    )
    precision = np.concatenate([_col(lines, C.FROM_PRECISION), _col(lines, C.TO_PRECISION)])
    coarse = np.isin(precision, ["country", "region"])
    if coarse.any():
        pts = shapely.points(np.concatenate([x0, x1]), np.concatenate([y0, y1]))
        country = np.full(2 * n, None, dtype=object)
        country[coarse] = countries_at(pts[coarse]).to_numpy()
        loc = _precision_notes(loc, precision, country, zones, np.tile(s, 2), np.tile(e, 2))
    out = lines.copy()
    for col, src, part in (
        (C.FROM_ZONE, C.ZONE_ID, slice(0, n)),
        (C.TO_ZONE, C.ZONE_ID, slice(n, 2 * n)),
        (C.FROM_FACTION, C.FACTION, slice(0, n)),
        (C.TO_FACTION, C.FACTION, slice(n, 2 * n)),
    ):
        out[col] = pd.Series(
            _objects(loc[src].to_numpy()[part]).to_numpy(), index=out.index, dtype=object
        )
    note_from = loc[C.CONTROL_NOTE].to_numpy()[:n].astype(str)
    note_to = loc[C.CONTROL_NOTE].to_numpy()[n:].astype(str)
    f = np.where(note_from == "", "", "from: " + note_from.astype(object))
    t = np.where(note_to == "", "", "to: " + note_to.astype(object))
    out[C.CONTROL_NOTE] = np.where((f != "") & (t != ""), f + "; " + t, f + t)
    # Only zones facing an opposing faction in the same country can make a
    # front; the others (host countries, bases) need not be joined here.
    front = zones[_front_zones(zones)]
    segs = _segments(lines, front, tiles, geometry=False)
    out[C.CROSSES_FRONT] = _crosses_front(segs, n)
    out[C.FROM_OUTSIDE] = _from_outside(x0, y0, x1, y1)
    return out


def _from_outside(x0: Any, y0: Any, x1: Any, y1: Any) -> pd.arrays.BooleanArray:
    n = len(x0)
    pts = shapely.points(np.concatenate([x0, x1]), np.concatenate([y0, y1]))
    ok = np.isfinite(np.concatenate([x0, x1])) & np.isfinite(np.concatenate([y0, y1]))
    iso = np.full(2 * n, "", dtype=object)
    if ok.any():
        iso[ok] = countries_at(pts[ok]).to_numpy()
    a, b = iso[:n], iso[n:]
    known = (a != "") & (b != "")
    flag = pd.array(a != b, dtype="boolean")
    flag[~known] = pd.NA
    return flag


_OPPOSING = frozenset("|".join(sorted(pair)) for pair in settings.OPPOSING_FACTIONS)


def _front_zones(zones: pd.DataFrame) -> npt.NDArray[np.bool_]:
    """Zones with a zone of an opposing faction in the same country."""
    z = pd.DataFrame(
        {
            "pos": np.arange(len(zones)),
            "c": _col(zones, C.ZONE_COUNTRY),
            "f": _col(zones, C.FACTION),
        }
    )
    z = z[z["c"].notna() & z["f"].notna()]
    pairs = z.merge(z, on="c")
    pairs = pairs[pairs["f_x"] < pairs["f_y"]]
    key = pairs["f_x"].astype(str) + "|" + pairs["f_y"].astype(str)
    hit = pairs[key.isin(_OPPOSING).to_numpy()]
    out = np.zeros(len(zones), dtype=bool)
    out[hit["pos_x"].to_numpy(np.int64)] = True
    out[hit["pos_y"].to_numpy(np.int64)] = True
    return out


def _crosses_front(segs: pd.DataFrame, n: int) -> npt.NDArray[np.bool_]:
    z = segs[segs[C.ZONE_COUNTRY].notna()][["row", C.ZONE_COUNTRY, C.FACTION]].drop_duplicates()
    pairs = z.merge(z, on=["row", C.ZONE_COUNTRY])
    pairs = pairs[pairs[C.FACTION + "_x"] < pairs[C.FACTION + "_y"]]
    key = pairs[C.FACTION + "_x"] + "|" + pairs[C.FACTION + "_y"]
    rows = pairs.loc[key.isin(_OPPOSING).to_numpy(), "row"].to_numpy(np.int64)
    out = np.zeros(n, dtype=bool)
    out[rows] = True
    return out


def _geodesic_km(parts: ObjArray) -> npt.NDArray[np.float64]:
    """Geodesic length (km) of each LineString, on arrays."""
    xy, idx = shapely.get_coordinates(parts, return_index=True)
    same = idx[1:] == idx[:-1]
    if not same.any():
        return np.zeros(len(parts))
    a, b = xy[:-1][same], xy[1:][same]
    _, _, dist = _GEOD.inv(a[:, 0], a[:, 1], b[:, 0], b[:, 1])
    return np.bincount(idx[1:][same], weights=dist, minlength=len(parts)) / 1000.0


def _line_parts(geoms: ObjArray) -> tuple[ObjArray, IntArray]:
    parts, idx = shapely.get_parts(geoms, return_index=True)
    while (shapely.get_type_id(parts) == 7).any():
        parts, sub = shapely.get_parts(parts, return_index=True)
        idx = idx[sub]
    parts, sub = shapely.get_parts(parts, return_index=True)
    idx = idx[sub]
    keep = (shapely.get_type_id(parts) == 1) & (shapely.get_num_coordinates(parts) > 1)
    return parts[keep], idx[keep]


def _normalized(lines: gpd.GeoDataFrame) -> ObjArray:
    """Geometries with longitudes wrapped into [-180, 180] (RFC 7946)."""
    geoms = np.asarray(lines.geometry.values, dtype=object)
    ok = ~(shapely.is_missing(geoms) | shapely.is_empty(geoms))
    b = np.full((len(geoms), 4), np.nan)
    b[ok] = shapely.bounds(geoms[ok])
    wide = ok & ((b[:, 0] < -180) | (b[:, 2] > 180))
    if wide.any():
        from geo.lines import split_antimeridian

        sub = gpd.GeoDataFrame(geometry=gpd.GeoSeries(geoms[wide], crs=_CRS))
        geoms = geoms.copy()
        geoms[wide] = split_antimeridian(sub).geometry.to_numpy()
    return geoms


#: Lines are cut into chunks of this many segments before the join, so each
#: line/tile intersection handles a short line and bounding boxes are tight.
_CHUNK_SEGMENTS = 8
#: Legs per batch: bounds the memory of the chunked geometries (~0.5 GB
#: of temporaries for 20,000 legs of a few thousand km).
_BATCH_LEGS = 20_000


def _chunks(geoms: ObjArray) -> tuple[ObjArray, IntArray, IntArray]:
    """Cut lines into chunks; return (chunks, line position, order along the line)."""
    parts, pidx = _line_parts(geoms)
    xy, vidx = shapely.get_coordinates(parts, return_index=True)
    m = np.bincount(vidx, minlength=len(parts))
    start = np.cumsum(m) - m
    nseg = m - 1
    k = _CHUNK_SEGMENTS
    nch = np.maximum(-(-nseg // k), 1)
    cpart = np.repeat(np.arange(len(parts)), nch)
    c = np.arange(nch.sum()) - np.repeat(np.cumsum(nch) - nch, nch)
    size = np.minimum(k, nseg[cpart] - c * k) + 1
    first = np.repeat(start[cpart] + c * k, size)
    vid = first + (np.arange(size.sum()) - np.repeat(np.cumsum(size) - size, size))
    chunks = shapely.linestrings(xy[vid], indices=np.repeat(np.arange(len(size)), size))
    # parts come in order along each line, chunks in order along each part
    return chunks, pidx[cpart], np.arange(len(chunks), dtype=np.int64)


def _segments(
    lines: gpd.GeoDataFrame,
    zones: gpd.GeoDataFrame,
    tiles: tuple[ObjArray, IntArray],
    *,
    geometry: bool = True,
    outside_geometry: bool = True,
) -> pd.DataFrame:
    """Segments (one row per leg and zone, plus outside stretches), positional rows.

    With ``geometry=False`` only the (leg, zone) pairs met are returned
    (enough for ``CROSSES_FRONT``), without cutting any line.  With
    ``outside_geometry=False`` the outside stretches get no geometry.
    """
    n = len(lines)
    geoms = _normalized(lines)
    s, e = _leg_days(lines)
    usable = ~(shapely.is_missing(geoms) | shapely.is_empty(geoms)) & (s != _NAT)
    rows_ok = np.flatnonzero(usable)
    if C.LENGTH_KM in lines:
        # Vertices of geodesic_lines lie on the geodesic: its length is the sum.
        total = pd.to_numeric(lines[C.LENGTH_KM], errors="coerce").to_numpy(float).copy()
    else:
        total = np.full(n, np.nan)
        lparts, lidx = _line_parts(geoms[rows_ok])
        total[rows_ok] = np.bincount(lidx, weights=_geodesic_km(lparts), minlength=len(rows_ok))
    changed = np.zeros(n, dtype=bool)
    batches = [
        _segments_batch(
            geoms,
            rows_ok[b : b + _BATCH_LEGS],
            s,
            e,
            zones,
            tiles,
            total,
            changed,
            geometry=geometry,
            outside_geometry=outside_geometry,
        )
        for b in range(0, len(rows_ok), _BATCH_LEGS)  # a few batches, each vectorized
    ]
    seg = pd.concat(batches, ignore_index=True) if batches else _empty_segments()
    if not geometry:
        return _label(seg, zones, changed)
    bad = np.setdiff1d(np.arange(n), rows_ok)
    if len(bad):
        no_geom = shapely.is_missing(geoms[bad]) | shapely.is_empty(geoms[bad])
        seg = pd.concat(
            [
                seg,
                pd.DataFrame(
                    {
                        "row": bad,
                        "z": pd.array([pd.NA] * len(bad), dtype="Int64"),
                        "km": np.nan,
                        "geom": np.full(len(bad), None, dtype=object),
                        "pos": 0.0,
                        "note": np.where(no_geom, "no geometry", "no date"),
                    }
                ),
            ],
            ignore_index=True,
        )
    seg = seg.sort_values(["row", "pos"], kind="stable").reset_index(drop=True)
    return _label(seg, zones, changed)


def _empty_segments() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "row": np.array([], dtype=np.int64),
            "z": pd.array([], dtype="Int64"),
            "km": np.array([], dtype=float),
            "geom": np.array([], dtype=object),
            "pos": np.array([], dtype=float),
        }
    )


def _flag_changes(
    changed: npt.NDArray[np.bool_],
    z: IntArray,
    r: IntArray,
    s: IntArray,
    e: IntArray,
    zf: IntArray,
    zt: IntArray,
) -> None:
    """Mark legs (``r``) whose zone ``z`` starts or ends inside [s, e]."""
    flip = ((zf[z] > s[r]) & (zf[z] <= e[r])) | ((zt[z] >= s[r]) & (zt[z] < e[r]))
    changed[r[flip]] = True


def _segments_batch(
    geoms: ObjArray,
    rows: IntArray,
    s: IntArray,
    e: IntArray,
    zones: gpd.GeoDataFrame,
    tiles: tuple[ObjArray, IntArray],
    total: npt.NDArray[np.float64],
    changed: npt.NDArray[np.bool_],
    *,
    geometry: bool,
    outside_geometry: bool,
) -> pd.DataFrame:
    tile_geoms, owner = tiles
    zgeom = np.asarray(zones.geometry.values, dtype=object)
    shapely.prepare(zgeom)  # no-op once prepared
    zf = _days(zones[C.VALID_FROM], open_end=False)
    zt = _days(zones[C.VALID_TO], open_end=True)
    batch = geoms[rows]
    if not geometry:
        # Whole lines against whole (prepared) zones: one test per pair.
        if len(zgeom) and len(rows):
            z, li = shapely.STRtree(batch).query(zgeom, predicate="intersects")
        else:
            z = li = np.array([], dtype=np.int64)
        r = rows[li]
        _flag_changes(changed, z, r, s, e, zf, zt)
        live = (zf[z] <= s[r]) & (zt[z] >= s[r])
        met_pairs = pd.DataFrame({"row": r[live], "z": z[live]})
        return met_pairs.assign(km=np.nan, geom=None, pos=0.0)
    # Lines cut into short chunks against small tiles: tight boxes, cheap tests.
    chunks, cline, corder = _chunks(batch)
    crow = rows[cline]
    if len(tile_geoms) and len(chunks):
        ti, ci = shapely.STRtree(chunks).query(tile_geoms, predicate="intersects")
    else:
        ti = ci = np.array([], dtype=np.int64)
    z = owner[ti]
    rc = crow[ci]
    _flag_changes(changed, z, rc, s, e, zf, zt)
    live = (zf[z] <= s[rc]) & (zt[z] >= s[rc])
    ti, ci, z = ti[live], ci[live], z[live]
    # Most chunks lie inside their zone (often across the cuts between its
    # tiles): test each (chunk, zone) pair once against the prepared zone
    # and keep such chunks whole; only chunks crossing a zone's boundary
    # are intersected, with that zone's small tiles.
    pair = z.astype(np.int64) * max(len(chunks), 1) + ci
    _, first, inv = np.unique(pair, return_index=True, return_inverse=True)
    in_zone = shapely.contains_properly(zgeom[z[first]], chunks[ci[first]])
    cut = ~in_zone[inv]
    tc, cc = ti[cut], ci[cut]
    cut_pieces = shapely.intersection(chunks[cc], tile_geoms[tc])
    n_in = int(in_zone.sum())
    ci = np.concatenate([ci[first][in_zone], cc])
    z = np.concatenate([z[first][in_zone], z[cut]])
    pieces = np.concatenate([chunks[ci[:n_in]], cut_pieces])
    parts, pidx = _line_parts(pieces)
    pci = ci[pidx]
    pos = corder[pci].astype(float)
    at_start = pidx < n_in  # whole chunks start where the chunk does
    pos[~at_start] += shapely.line_locate_point(
        chunks[pci[~at_start]], shapely.get_point(parts[~at_start], 0), normalized=True
    )
    df = pd.DataFrame({"row": crow[pci], "z": z[pidx], "km": _geodesic_km(parts), "pos": pos})
    df["geom"] = parts
    area = shapely.area(zgeom)
    ids = zones[C.ZONE_ID].to_numpy()
    seg = _resolve_overlaps(_merge_parts(df), total, area, ids)
    seg["z"] = seg["z"].astype("Int64")
    outside = _outside(seg, parts, pci, chunks, crow, corder, geoms, rows, total, outside_geometry)
    return pd.concat([seg, outside], ignore_index=True)


def _label(
    seg: pd.DataFrame, zones: gpd.GeoDataFrame, changed: npt.NDArray[np.bool_]
) -> pd.DataFrame:
    """Add zone id, faction, country, contested and note columns."""
    seg["row"] = seg["row"].astype(np.int64)
    zz = pd.array(seg["z"].to_numpy(), dtype="Int64")
    has = ~np.asarray(pd.isna(zz), dtype=bool)
    zi = np.asarray(zz.fillna(0), dtype=np.int64)
    ids = zones[C.ZONE_ID].to_numpy(dtype=object)
    fac = zones[C.FACTION].to_numpy(dtype=object)
    if not len(ids):  # no zones at all: every stretch is outside
        has = np.zeros(len(seg), dtype=bool)
        zi = np.zeros(len(seg), dtype=np.int64)
        ids = fac = np.array([None], dtype=object)
        country, contested = ids, np.array([False])
    else:
        country = zones[C.ZONE_COUNTRY].to_numpy(dtype=object)
        contested = zones[C.CONTESTED].to_numpy(bool)
    none = np.full(len(seg), None, dtype=object)
    seg[C.ZONE_ID] = _objects(np.where(has, ids[zi], none))
    seg[C.FACTION] = _objects(np.where(has, fac[zi], C.OUTSIDE_ZONES))
    seg.loc[seg["km"].isna().to_numpy() & ~has, C.FACTION] = None
    seg[C.ZONE_COUNTRY] = _objects(np.where(has, country[zi], none))
    seg[C.CONTESTED] = np.where(has, contested[zi], False)
    note = seg["note"].fillna("").to_numpy(dtype=object) if "note" in seg else np.full(len(seg), "")
    chg = changed[seg["row"].to_numpy()]
    seg[C.CONTROL_NOTE] = np.where(
        chg, np.where(note == "", CHANGED + " (zones as of date_start)", note), note
    )
    return seg


def _merge_parts(df: pd.DataFrame) -> pd.DataFrame:
    """One row per (leg, zone): parts joined, km summed, first position."""
    if df.empty:
        return pd.DataFrame({"row": [], "z": [], "km": [], "geom": [], "pos": []})
    df = df.sort_values(["row", "z", "pos"], kind="stable")
    grp = df.groupby(["row", "z"], sort=False)
    code = grp.ngroup().to_numpy()
    agg = grp.agg(km=("km", "sum"), pos=("pos", "min")).reset_index()
    multi = shapely.multilinestrings(df["geom"].to_numpy(), indices=code)
    agg["geom"] = shapely.line_merge(multi)
    return agg


def _resolve_overlaps(
    seg: pd.DataFrame, total: npt.NDArray[np.float64], area: Any, ids: ObjArray
) -> pd.DataFrame:
    """Where zones overlap (contested), keep each stretch in the smallest zone only."""
    if seg.empty:
        return seg
    sums = seg.groupby("row")["km"].sum()
    over = sums.index[(sums.to_numpy() > total[sums.index] * (1 + 1e-9) + 1e-6)].to_numpy()
    if not len(over):
        return seg
    sel = seg["row"].isin(over).to_numpy()
    sub = seg[sel].copy()
    zi = sub["z"].to_numpy(np.int64)
    sub["_area"], sub["_id"] = area[zi], ids[zi]
    sub = sub.sort_values(["row", "_area", "_id"], kind="stable")
    sub["_rank"] = sub.groupby("row").cumcount()
    covered = np.full(len(over), None, dtype=object)
    geoms = sub["geom"].to_numpy(dtype=object).copy()
    rank = sub["_rank"].to_numpy()
    slot = np.searchsorted(over, sub["row"].to_numpy())
    for r in range(int(rank.max()) + 1):  # a few ranks, each vectorized
        at = rank == r
        cov = covered[slot[at]]
        orig = geoms[at]
        has = ~shapely.is_missing(cov)
        newg = orig.copy()
        newg[has] = shapely.difference(orig[has], shapely.buffer(cov[has], 1e-7))
        geoms[at] = newg
        merged = orig.copy()
        merged[has] = shapely.union(cov[has], orig[has])
        covered[slot[at]] = merged
    sub["geom"] = geoms
    parts, idx = _line_parts(geoms)
    sub["km"] = np.bincount(idx, weights=_geodesic_km(parts), minlength=len(sub))
    sub = sub[sub["km"] > 0].drop(columns=["_area", "_id", "_rank"])
    return pd.concat([seg[~sel], sub]).sort_index(kind="stable")


#: Shortest gap (degrees along a chunk) between zone pieces kept as "outside".
_SLIVER_DEG = 1.2e-6


def _gaps(
    parts: ObjArray, pci: IntArray, chunks: ObjArray
) -> tuple[IntArray, npt.NDArray[np.float64], npt.NDArray[np.float64]]:
    """Stretches of the touched chunks covered by no part: (chunk, from, to).

    Positions are planar distances along the chunk (as
    ``shapely.line_locate_point``); parts may overlap (contested zones).
    """
    if not len(parts):
        empty = np.array([], dtype=float)
        return np.array([], dtype=np.int64), empty, empty
    a = shapely.line_locate_point(chunks[pci], shapely.get_point(parts, 0))
    b = shapely.line_locate_point(chunks[pci], shapely.get_point(parts, -1))
    lo, hi = np.minimum(a, b), np.maximum(a, b)
    order = np.lexsort((lo, pci))
    c, lo, hi = pci[order], lo[order], hi[order]
    first = np.r_[True, c[1:] != c[:-1]]
    last = np.r_[c[1:] != c[:-1], True]
    # Furthest point covered so far within each chunk (running max per chunk).
    reach = pd.Series(hi).groupby(np.cumsum(first)).cummax().to_numpy()
    prev = np.r_[0.0, reach[:-1]]
    prev[first] = 0.0
    clen = shapely.length(chunks[c[last]])
    gap_c = np.concatenate([c, c[last]])
    gap_0 = np.concatenate([prev, reach[last]])
    gap_1 = np.concatenate([lo, clen])
    # Gaps this short are where two zones meet (1:50m boundaries digitized
    # apart by ~10 cm), not stretches outside every zone.
    keep = gap_1 - gap_0 > _SLIVER_DEG
    order = np.lexsort((gap_0[keep], gap_c[keep]))
    return gap_c[keep][order], gap_0[keep][order], gap_1[keep][order]


def _substrings(
    lines: ObjArray, which: IntArray, d0: npt.NDArray[np.float64], d1: npt.NDArray[np.float64]
) -> ObjArray:
    """Pieces of ``lines[which]`` between planar distances ``d0`` and ``d1``."""
    if not len(which):
        return np.array([], dtype=object)
    src = lines[which]
    xy, vidx = shapely.get_coordinates(src, return_index=True)
    seg = np.sqrt((np.diff(xy, axis=0) ** 2).sum(axis=1))
    seg[vidx[1:] != vidx[:-1]] = 0.0
    along = np.r_[0.0, np.cumsum(seg)]
    m = np.bincount(vidx, minlength=len(src))
    along -= np.repeat(along[np.cumsum(m) - m], m)  # distance from each line's start
    inner = (along > d0[vidx]) & (along < d1[vidx])
    p0 = shapely.get_coordinates(shapely.line_interpolate_point(src, d0))
    p1 = shapely.get_coordinates(shapely.line_interpolate_point(src, d1))
    # At the very ends take the vertices themselves, so that pieces of
    # consecutive chunks share end points exactly and line_merge joins them.
    head = np.cumsum(m) - m
    tail = head + m - 1
    p0[d0 <= 0.0] = xy[head][d0 <= 0.0]
    p1[d1 >= along[tail]] = xy[tail][d1 >= along[tail]]
    k = len(src)
    owner = np.concatenate([np.arange(k), vidx[inner], np.arange(k)])
    rank = np.concatenate([np.full(k, -1.0), along[inner], np.full(k, np.inf)])
    coords = np.concatenate([p0, xy[inner], p1])
    order = np.lexsort((rank, owner))
    return shapely.linestrings(coords[order], indices=owner[order])


def _outside(
    seg: pd.DataFrame,
    parts: ObjArray,
    pci: IntArray,
    chunks: ObjArray,
    crow: IntArray,
    corder: IntArray,
    geoms: ObjArray,
    rows: IntArray,
    total: npt.NDArray[np.float64],
    geometry: bool,
) -> pd.DataFrame:
    """Return the stretches of each leg in no zone (one row per leg).

    Their km is the leg's length less its km in zones; with ``geometry``
    False the geometry is left None (only the position along the leg).
    """
    inside = pd.Series(seg["km"].to_numpy(float)).groupby(seg["row"].to_numpy()).sum()
    rest = total[rows] - inside.reindex(rows, fill_value=0.0).to_numpy()
    # Chunks meeting no zone are outside whole.  In the others, the pieces
    # inside zones are stretches [lo, hi] along the chunk (linear
    # referencing); the outside pieces are the gaps between them, cut out
    # of the chunk's own vertices: no buffer/difference overlay needed.
    n_ch = len(chunks)
    touched = np.zeros(n_ch, dtype=bool)
    touched[pci] = True
    # Legs meeting no zone are outside whole: their line is the geometry
    # (no need to glue their chunks back together).
    met_rows = np.unique(crow[pci])
    free = np.flatnonzero(~touched & np.isin(crow, met_rows))
    gap_chunk, g0, g1 = _gaps(parts, pci, chunks)
    ochunk = np.concatenate([free, gap_chunk])
    clen = shapely.length(chunks[ochunk])
    start_at = np.concatenate([np.zeros(len(free)), g0])
    span = np.concatenate([clen[: len(free)], g1 - g0])
    real = span > 1e-6  # drop slivers left where zones meet
    ochunk, clen, start_at = ochunk[real], clen[real], start_at[real]
    pos = corder[ochunk] + np.divide(start_at, clen, out=np.zeros(len(clen)), where=clen > 0)
    keep = rest > 1e-3  # km; less is rounding where zones meet
    if not keep.any():
        return _empty_segments()
    orow = crow[ochunk]
    start = pd.Series(pos).groupby(orow).min().reindex(rows[keep]).fillna(0.0)
    geom = np.full(int(keep.sum()), None, dtype=object)
    if geometry:
        gaps = _substrings(chunks, gap_chunk, g0, g1)
        oparts = np.concatenate([chunks[free], gaps])[real]
        order = np.lexsort((pos, orow))
        urow, code = np.unique(orow[order], return_inverse=True)
        merged = shapely.line_merge(shapely.multilinestrings(oparts[order], indices=code))
        geom[:] = pd.Series(merged, index=urow, dtype=object).reindex(rows[keep]).to_numpy()
        # Lines that met no zone: outside whole.
        whole_line = ~np.isin(rows[keep], met_rows)
        geom[whole_line] = geoms[rows[keep][whole_line]]
    return pd.DataFrame(
        {
            "row": rows[keep],
            "z": pd.array([pd.NA] * int(keep.sum()), dtype="Int64"),
            "km": rest[keep],
            "geom": geom,
            "pos": start.to_numpy(float),
        }
    )


def split_by_zone(
    lines: gpd.GeoDataFrame, zones: gpd.GeoDataFrame, *, outside_geometry: bool = True
) -> gpd.GeoDataFrame:
    """Split every leg at zone boundaries into segments with km per zone.

    Zones are taken as they stood on each leg's ``DATE_START``; when a zone
    the leg meets changed during [``DATE_START``, ``DATE_END``] the
    segment's ``CONTROL_NOTE`` says so.  Overlapping (contested) zones do
    not double-count: a stretch belongs to the smallest zone holding it.

    Parameters
    ----------
    lines
        Output of :func:`geo.lines.geodesic_lines` (LineStrings in lon/lat,
        ``DATE_START``, ``DATE_END``; ``TRANSFER_ID``, ``LEG`` carried over).
    zones
        From :func:`read_zones`.
    outside_geometry
        Build the geometry of the stretches in no zone (a copy of most of
        every line).  With False those rows keep their km and order but
        their geometry is None: much less memory for large ledgers.

    Returns
    -------
    geopandas.GeoDataFrame
        One row per leg and zone it passes through, in order along the leg
        (``SEGMENT_ORDER``), plus one row per leg for the stretches in no
        zone (``ZONE_ID`` None, ``FACTION`` ``OUTSIDE_ZONES``): columns
        ``TRANSFER_ID, LEG`` (when present), ``SEGMENT_ORDER, ZONE_ID,
        FACTION, ZONE_COUNTRY, CONTESTED, SEGMENT_KM`` (geodesic, WGS84),
        ``CONTROL_NOTE, CROSSES_FRONT, FROM_OUTSIDE`` (the leg's flags)
        and geometry.  Every leg appears: a leg without geometry or date
        gets one row with ``SEGMENT_KM`` NaN and a note.  The km of a
        leg's segments add up to its geodesic length (up to the vertices
        added where the leg is cut, negligible for densified lines).

    """
    n = len(lines)
    seg = _segments(lines, zones, _tiles(zones), outside_geometry=outside_geometry)
    rows = seg["row"].to_numpy(np.int64)
    out = pd.DataFrame(index=pd.RangeIndex(len(seg)))
    for col in (C.TRANSFER_ID, C.LEG):
        if col in lines:
            out[col] = lines[col].to_numpy()[rows]
    out[C.SEGMENT_ORDER] = seg.groupby("row").cumcount().to_numpy()
    for col in (C.ZONE_ID, C.FACTION, C.ZONE_COUNTRY):
        out[col] = _objects(seg[col])
    out[C.CONTESTED] = seg[C.CONTESTED].to_numpy(bool)
    out[C.SEGMENT_KM] = seg["km"].to_numpy(float)
    out[C.CONTROL_NOTE] = seg[C.CONTROL_NOTE].to_numpy()
    out[C.CROSSES_FRONT] = _crosses_front(seg, n)[rows]
    x0, y0, x1, y1 = _ends(lines)
    out[C.FROM_OUTSIDE] = _from_outside(x0, y0, x1, y1)[rows]
    return gpd.GeoDataFrame(out, geometry=gpd.GeoSeries(seg["geom"].to_numpy(), crs=_CRS))


def _outside_answers(n: int) -> pd.DataFrame:
    """``n`` points' answers before any zone is found: outside mapped zones."""
    return pd.DataFrame(
        {
            C.ZONE_ID: np.full(n, None, dtype=object),
            C.FACTION: np.full(n, C.OUTSIDE_ZONES, dtype=object),
            C.ZONE_COUNTRY: np.full(n, None, dtype=object),
            C.CONTESTED: np.zeros(n, dtype=bool),
            C.CONTROL_NOTE: np.full(n, "", dtype=object),
        }
    )
