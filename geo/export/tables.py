"""The flat tables every export format writes: legs, places and zones.

Tables are flattened so every format holds the same values: tuples
become ``;``-joined strings, dates ISO 8601 strings, missing values
null, coordinates and lengths rounded. Each row has a stable
``FEATURE_ID``. Also the formats and layers :func:`geo.export.export`
knows, and :class:`DatasetLike`, what an exporter reads.
"""

from __future__ import annotations

import datetime as dt
import math
from typing import Any, Literal, Protocol

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from geo import columns as col
from geo import settings

__all__ = ["FORMATS", "LAYERS", "DatasetLike", "legs_table", "places_table", "zones_table"]


Format = Literal["geojson", "kml", "gpkg", "csv", "parquet"]
Layer = Literal["legs", "places", "zones", "all"]

#: Formats :func:`export` writes.
FORMATS: tuple[str, ...] = settings.EXPORT_FORMATS
#: Layers of a dataset, in the order they are written.
LAYERS: tuple[str, ...] = settings.EXPORT_LAYERS
_ROUND_KM = (col.LENGTH_KM, col.TRANSFER_KM, col.BEARING)
_ROUND_DEG = (
    col.LON,
    col.LAT,
    col.FROM_LON,
    col.FROM_LAT,
    col.TO_LON,
    col.TO_LAT,
    col.FROM_EST_LON,
    col.FROM_EST_LAT,
    col.TO_EST_LON,
    col.TO_EST_LAT,
)


class DatasetLike(Protocol):
    """What an exporter reads from a :class:`geo.dataset.Dataset`."""

    @property
    def places(self) -> gpd.GeoDataFrame: ...  # noqa: D102
    @property
    def sources(self) -> pd.DataFrame: ...  # noqa: D102
    @property
    def legs(self) -> gpd.GeoDataFrame: ...  # noqa: D102
    @property
    def zones(self) -> gpd.GeoDataFrame: ...  # noqa: D102
    @property
    def segments(self) -> gpd.GeoDataFrame: ...  # noqa: D102


# --------------------------------------------------------------------------
# flat tables shared by every format


def legs_table(dataset: DatasetLike) -> gpd.GeoDataFrame:
    """Return the legs as a flat table ready for any format.

    Parameters
    ----------
    dataset
        A loaded dataset.

    Returns
    -------
    geopandas.GeoDataFrame
        ``FEATURE_ID`` (``"<transfer_id>/<leg>"``) first, then every column
        of ``dataset.legs`` in order, then ``ZONE_SEGMENTS`` (the zones the
        leg crosses, with km in each). Geometry is split at the antimeridian
        so every longitude is within [-180, 180]; legs without a drawable
        geometry keep a null one. Tuples are ``;``-joined, dates are ISO
        strings, lengths and bearings rounded to
        ``settings.EXPORT_KM_DECIMALS``.

    """
    from geo.lines import split_antimeridian

    legs = dataset.legs
    ids = legs[col.TRANSFER_ID].astype(str) + "/" + legs[col.LEG].astype(str)
    split = split_antimeridian(legs)
    flat = _flatten(_issue11_fields(pd.DataFrame(legs.drop(columns=legs.geometry.name))))
    flat.insert(0, col.FEATURE_ID, ids.to_numpy())
    flat[col.ZONE_SEGMENTS] = _zone_segments(legs, dataset.segments)
    return gpd.GeoDataFrame(flat, geometry=split.geometry.to_numpy(), crs="EPSG:4326")


#: Working columns of the pipeline that exports leave out: coordinates already
#: in the geometry, the track line (the geometry of an observed leg), the
#: track's absolute path (machine-specific; ``track`` keeps the ledger's
#: relative path), the colour rank and the category tuple (``category`` has them).
_NOT_EXPORTED = (
    col.VIA_POINTS,
    col.FROM_ALT_POINTS,
    col.TO_ALT_POINTS,
    col.TRACK_LINE,
    col.TRACK_FILE,
    col.ACTOR_GROUP_RANK,
    col.CATEGORY_LIST,
)


def _issue11_fields(legs: pd.DataFrame) -> pd.DataFrame:
    """Write alternatives as ``A | B`` (as in the ledger); drop working columns."""
    out = legs.drop(columns=[c for c in _NOT_EXPORTED if c in legs.columns])
    for name in (col.FROM_ALTERNATIVES, col.TO_ALTERNATIVES, col.FROM_ALT_NAMES, col.TO_ALT_NAMES):
        if name in out.columns:
            out[name] = [
                f" {col.ALTERNATIVE_SEP} ".join(map(str, t)) if isinstance(t, tuple) and t else None
                for t in out[name]
            ]
    return out


def places_table(dataset: DatasetLike) -> gpd.GeoDataFrame:
    """Return the places as a flat table (``FEATURE_ID`` = place id).

    Parameters
    ----------
    dataset
        A loaded dataset.

    Returns
    -------
    geopandas.GeoDataFrame
        One row per gazetteer place, sorted by place id.

    """
    places = dataset.places.reset_index(drop=True).sort_values(col.PLACE_ID, kind="stable")
    flat = _flatten(pd.DataFrame(places.drop(columns=places.geometry.name)))
    flat.insert(0, col.FEATURE_ID, places[col.PLACE_ID].astype(str).to_numpy())
    return gpd.GeoDataFrame(flat, geometry=places.geometry.to_numpy(), crs="EPSG:4326")


def zones_table(dataset: DatasetLike) -> gpd.GeoDataFrame:
    """Return the zones as a flat table (``FEATURE_ID`` = zone id).

    Parameters
    ----------
    dataset
        A loaded dataset.

    Returns
    -------
    geopandas.GeoDataFrame
        One row per zone, in input order.

    """
    zones = dataset.zones.reset_index(drop=True)
    flat = _flatten(pd.DataFrame(zones.drop(columns=zones.geometry.name)))
    flat.insert(0, col.FEATURE_ID, zones[col.ZONE_ID].astype(str).to_numpy())
    return gpd.GeoDataFrame(flat, geometry=zones.geometry.to_numpy(), crs="EPSG:4326")


_TABLES = {"legs": legs_table, "places": places_table, "zones": zones_table}


def _zone_segments(legs: pd.DataFrame, segments: pd.DataFrame) -> np.ndarray:
    """Summarise each leg's zone segments as ``"zone (faction) 12 km; ..."``.

    Slivers under half a kilometre (a line grazing a boundary) are left out.
    """
    out = np.full(len(legs), None, dtype=object)
    if segments is None or len(segments) == 0:
        return out
    km = segments[col.SEGMENT_KM].to_numpy(float)
    keep = ~(km < 0.5)  # NaN km stays, shown as "?"
    seg = segments[keep]
    km = km[keep]
    labels = []
    for zone, faction, length in zip(seg[col.ZONE_ID], seg[col.FACTION], km, strict=True):
        name = zone if isinstance(zone, str) and zone else col.OUTSIDE_ZONES
        if isinstance(faction, str) and faction and faction != col.OUTSIDE_ZONES:
            name += f" ({faction})"
        labels.append(f"{name} {length:.0f} km" if np.isfinite(length) else f"{name} ? km")
    key = pd.MultiIndex.from_arrays([seg[col.TRANSFER_ID], seg[col.LEG]])
    summary = pd.Series(labels, index=key, dtype=object)
    summary = summary.groupby(level=[0, 1], sort=False).agg("; ".join)
    wanted = pd.MultiIndex.from_arrays([legs[col.TRANSFER_ID], legs[col.LEG]])
    found = summary.reindex(wanted)
    out[:] = [v if isinstance(v, str) else None for v in found]
    return out


def _flatten(df: pd.DataFrame) -> pd.DataFrame:
    """Make every column a plain str/int/float/bool column (nulls as None/NaN)."""
    out = {}
    for name in df.columns:
        s = df[name]
        if pd.api.types.is_datetime64_any_dtype(s):
            out[name] = _iso_dates(s)
        elif pd.api.types.is_float_dtype(s):
            decimals = settings.EXPORT_KM_DECIMALS if name in _ROUND_KM else None
            if name in _ROUND_DEG:
                decimals = settings.COORDINATE_PRECISION
            out[name] = s.round(decimals) if decimals is not None else s
        elif pd.api.types.is_bool_dtype(s) and s.dtype != object:
            out[name] = s.astype(bool) if not s.isna().any() else s.astype("boolean")
        elif pd.api.types.is_integer_dtype(s) and s.dtype != object:
            out[name] = s if not s.isna().any() else s.astype(object)
        else:
            # Comprehensions, not Series.map: map turns None into NaN.
            values = [_scalar(v) for v in s]
            kinds = {type(v) for v in values if v is not None}
            if kinds and kinds <= {bool}:
                # Flags with gaps: a nullable boolean every format can store.
                out[name] = pd.Series(values, dtype="boolean", index=s.index)
            else:
                text = [v if v is None else str(v) for v in values]
                out[name] = pd.Series(text, dtype=object, index=s.index)
    return pd.DataFrame(out, index=df.index).reset_index(drop=True)


def _iso_dates(s: pd.Series) -> pd.Series:
    s = pd.to_datetime(s)
    fmt = (
        "%Y-%m-%d" if bool((s.dropna() == s.dropna().dt.normalize()).all()) else "%Y-%m-%dT%H:%M:%S"
    )
    text = s.dt.strftime(fmt)
    return text.astype(object).where(s.notna(), None)


def _scalar(v: Any) -> Any:
    """Turn one cell into None, bool, int, float or str."""
    if v is None:
        return None
    if isinstance(v, (tuple, list, set, frozenset, np.ndarray)):
        items = sorted(v) if isinstance(v, (set, frozenset)) else list(v)
        return ";".join(str(_scalar(x)) for x in items if _scalar(x) is not None)
    if isinstance(v, pd.Timestamp | dt.datetime):
        if pd.isna(v):
            return None
        ts = pd.Timestamp(v)
        return ts.strftime("%Y-%m-%d") if ts == ts.normalize() else ts.isoformat()
    if isinstance(v, dt.date):
        return v.isoformat()
    if isinstance(v, np.generic):
        v = v.item()
    if isinstance(v, float) and math.isnan(v):
        return None
    if v is pd.NA or v is pd.NaT:
        return None
    return v


def _records(flat: pd.DataFrame) -> list[dict[str, Any]]:
    obj = flat.astype(object)
    obj = obj.where(flat.notna(), None)
    return obj.to_dict("records")  # type: ignore[return-value]


def _rounded(geoms: gpd.GeoSeries) -> np.ndarray:
    """Round coordinates, orient polygons RFC 7946-style (exterior CCW)."""
    arr = np.asarray(geoms.array, dtype=object)
    p = settings.COORDINATE_PRECISION
    # "+ 0.0" turns -0.0 into 0.0 so equal points print equally.
    arr = shapely.transform(arr, lambda xy: np.round(xy, p) + 0.0)
    return shapely.orient_polygons(arr, exterior_cw=False)
