"""Write a :class:`~geo.dataset.Dataset` to standard GIS formats.

One entry point, :func:`export`, for GeoJSON (RFC 7946), KML (Google
Earth), GeoPackage and CSV with WKT geometry. Every file is written
atomically (see :mod:`geo._io`) and the same inputs give the same bytes.

Tables are flattened before writing so every format holds the same
values: tuples become ``;``-joined strings, dates ISO 8601 strings,
missing values null. Each feature has a stable id: ``"<transfer_id>/<leg>"``
for legs, the place id for places, the zone id for zones.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import html
import json
import math
import re
import xml.etree.ElementTree as ET
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any, Literal, Protocol

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio
import shapely

from geo import columns as col
from geo import settings
from geo._errors import MovemapError
from geo._io import atomic_path, write_text
from geo.datetext import readable_date

__all__ = [
    "FORMATS",
    "FORMULA_TRIGGERS",
    "LAYERS",
    "DatasetLike",
    "export",
    "faction_colors",
    "legs_table",
    "places_table",
    "spreadsheet_safe",
    "to_csv",
    "to_geojson",
    "to_geoparquet",
    "to_gpkg",
    "to_kml",
    "zones_table",
]

Format = Literal["geojson", "kml", "gpkg", "csv", "parquet"]
Layer = Literal["legs", "places", "zones", "all"]

#: Formats :func:`export` writes.
FORMATS: tuple[str, ...] = ("geojson", "kml", "gpkg", "csv", "parquet")
#: Layers of a dataset, in the order they are written.
LAYERS: tuple[str, ...] = ("legs", "places", "zones")

_KML_NS = "http://www.opengis.net/kml/2.2"
# XML 1.0 forbids these code points even when escaped.
_XML_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
_ROUND_KM = (col.LENGTH_KM, col.TRANSFER_KM, col.BEARING)
#: Fields shown in a KML description (all fields stay in ExtendedData).
_KML_SHOWN = {
    "leg": (
        col.DATE,
        col.DATE_AS_REPORTED,
        col.EQUIPMENT,
        col.QUANTITY,
        col.CATEGORY,
        col.ACTOR,
        col.ACTOR_GROUP,
        col.MODE,
        col.CARRIER,
        col.CARRIER_ID,
        col.STATUS,
        col.FROM_NAME,
        col.TO_NAME,
        col.FROM_ALT_NAMES,
        col.TO_ALT_NAMES,
        col.VIA_NAMES,
        col.LENGTH_KM,
        col.CANDIDATE_KM,
        col.LINE_METHOD,
        col.FROM_FACTION,
        col.TO_FACTION,
        col.ZONE_SEGMENTS,
        col.CONTROL_NOTE,
        col.NOTE,
    ),
    "place": (
        col.PLACE_NAME,
        col.PLACE_KIND,
        col.PLACE_COUNTRY,
        col.PLACE_PRECISION,
        col.PLACE_ALIASES,
        col.PLACE_NOTE,
    ),
    "zone": (
        col.ZONE_LABEL,
        col.FACTION,
        col.VALID_FROM,
        col.VALID_TO,
        col.AS_OF,
        col.APPROXIMATE,
        col.CONTESTED,
        col.ZONE_SOURCES,
    ),
}
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


# --------------------------------------------------------------------------
# GeoJSON


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


# --------------------------------------------------------------------------
# KML


def faction_colors(factions: Sequence[object]) -> dict[str, str]:
    """Give each faction a fill colour from ``settings.KML_FACTION_PALETTE``.

    Parameters
    ----------
    factions
        Faction names (duplicates and nulls ignored).

    Returns
    -------
    dict
        Faction -> hex colour, assigned in sorted order so the same set of
        factions always gets the same colours.

    """
    names = sorted({str(f) for f in factions if isinstance(f, str) and f})
    pal = settings.KML_FACTION_PALETTE
    return {name: pal[i % len(pal)] for i, name in enumerate(names)}


def to_kml(
    dataset: DatasetLike,
    path: str | Path,
    *,
    name: str = "movemap",
    colours: Mapping[str, str] | None = None,
) -> Path:
    """Write legs, places and zones as one KML 2.2 document for Google Earth.

    Parameters
    ----------
    dataset
        A loaded dataset.
    path
        Output ``.kml`` file.
    name
        Document name shown in Google Earth's sidebar.
    colours
        Leg colour per actor group (else actor), as the maps draw them
        (``layers.style.leg_colours``); ``None`` colours legs by status.

    Returns
    -------
    pathlib.Path
        ``path``.

    Notes
    -----
    Legs are styled by status (line colour and width, or width only when
    ``colours`` is given), carry a TimeSpan
    for Google Earth's time slider, and sit in one folder per faction zone
    they end in; zones sit in one folder per faction. Every field is kept
    in ``ExtendedData``. Descriptions are HTML built from escaped values
    (and only ``http(s)`` links), then XML-escaped, so a hostile string is
    shown as text, never run.

    """
    return write_text(path, _kml_text(dataset, name=name, colours=colours))


def _colour_key(row: pd.Series) -> str:
    # The rule of layers.style.colour_keys: the actor group, else the actor.
    group = row.get(col.ACTOR_GROUP)
    if isinstance(group, str) and group.strip():
        return group.strip()
    actor = row.get(col.ACTOR)
    return actor if isinstance(actor, str) else ""


def _kml_text(dataset: DatasetLike, *, name: str, colours: Mapping[str, str] | None = None) -> str:
    legs = legs_table(dataset)
    places = places_table(dataset)
    zones = zones_table(dataset)
    colors = faction_colors(list(zones[col.FACTION]))
    sources = _sources_by_id(dataset.sources)

    root = ET.Element("kml", {"xmlns": _KML_NS})
    doc = ET.SubElement(root, "Document")
    _text(doc, "name", name)
    _text(doc, "open", "1")
    for status, (hexcolor, width) in settings.KML_STATUS_STYLE.items():
        style = ET.SubElement(doc, "Style", {"id": f"status-{_xml_id(status)}"})
        ls = ET.SubElement(style, "LineStyle")
        _text(ls, "color", _kml_color(hexcolor, 1.0))
        _text(ls, "width", str(width))
        for hexleg in sorted(set((colours or {}).values())):
            style = ET.SubElement(
                doc, "Style", {"id": f"status-{_xml_id(status)}-{hexleg.lstrip('#').lower()}"}
            )
            ls = ET.SubElement(style, "LineStyle")
            _text(ls, "color", _kml_color(hexleg, 1.0))
            _text(ls, "width", str(width))
    for faction, hexcolor in colors.items():
        style = ET.SubElement(doc, "Style", {"id": f"faction-{_xml_id(faction)}"})
        ls = ET.SubElement(style, "LineStyle")
        _text(ls, "color", _kml_color(hexcolor, 1.0))
        _text(ls, "width", "1.5")
        ps = ET.SubElement(style, "PolyStyle")
        _text(ps, "color", _kml_color(hexcolor, 0.25))
    style = ET.SubElement(doc, "Style", {"id": "place"})
    icon = ET.SubElement(style, "IconStyle")
    _text(icon, "scale", "0.8")
    _text(
        ET.SubElement(icon, "Icon"),
        "href",
        "http://maps.google.com/mapfiles/kml/shapes/placemark_circle.png",
    )
    _text(ET.SubElement(style, "LabelStyle"), "scale", "0.8")

    # Zones, one folder per faction.
    zfolder = _folder(doc, "Zones of control (approximate)")
    factions = [f if isinstance(f, str) and f else "unknown faction" for f in zones[col.FACTION]]
    for faction in sorted(set(factions)):
        fold = _folder(zfolder, faction)
        for z in (j for j, f in enumerate(factions) if f == faction):
            zone = zones.iloc[z]
            label = str(zone.get(col.ZONE_LABEL) or zone[col.FEATURE_ID])
            style_url = f"#faction-{_xml_id(faction)}" if faction in colors else None
            # TimeSpan: Google Earth's time slider then shows one period's zones.
            span = (zone.get(col.VALID_FROM), zone.get(col.VALID_TO))
            pm = _placemark(fold, "zone", zone, label, span=span, style=style_url)
            _kml_geometry(pm, zone.geometry, tessellate=False)

    # Legs, one folder per faction zone they end in (then those ending
    # outside every mapped zone).
    lfolder = _folder(doc, "Transfer legs")
    ends_in = legs.get(col.TO_FACTION, pd.Series(None, index=legs.index, dtype=object))
    ends_in = [f if isinstance(f, str) and f else None for f in ends_in]
    for key in [*sorted({f for f in ends_in if f is not None}), None]:
        rows = [i for i, f in enumerate(ends_in) if f == key]
        if not rows:
            continue
        title = f"Ending in {key} zone" if key is not None else f"Ending {col.OUTSIDE_ZONES}"
        fold = _folder(lfolder, title)
        for i in rows:
            row = legs.iloc[i]
            route = f"{row.get(col.FROM_NAME)} \u2192 {row.get(col.TO_NAME)}"
            label = f"{row[col.TRANSFER_ID]} leg {row[col.LEG]}: {route}"
            status = row.get(col.STATUS)
            style_url = f"#status-{_xml_id(status)}" if isinstance(status, str) else None
            hexleg = (colours or {}).get(_colour_key(row))
            if style_url and hexleg:
                style_url += f"-{hexleg.lstrip('#').lower()}"
            span = (row.get(col.DATE_START), row.get(col.DATE_END))
            pm = _placemark(fold, "leg", row, label, sources=sources, span=span, style=style_url)
            _kml_geometry(pm, row.geometry, tessellate=True)

    pfolder = _folder(doc, "Places")
    for i in range(len(places)):
        row = places.iloc[i]
        name = str(row.get(col.PLACE_NAME) or row[col.FEATURE_ID])
        pm = _placemark(pfolder, "place", row, name, style="#place")
        _kml_geometry(pm, row.geometry, tessellate=False)

    ET.indent(root, space=" ")
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"


def _sources_by_id(sources: pd.DataFrame) -> dict[str, dict[str, Any]]:
    if sources is None or len(sources) == 0:
        return {}
    recs = _records(_flatten(pd.DataFrame(sources)))
    return {str(r[col.SOURCE_ID]): r for r in recs}


def _folder(parent: ET.Element, name: str) -> ET.Element:
    fold = ET.SubElement(parent, "Folder")
    _text(fold, "name", name)
    return fold


def _placemark(
    parent: ET.Element,
    kind: str,
    row: pd.Series,
    name: str,
    *,
    sources: Mapping[str, Mapping[str, Any]] | None = None,
    span: tuple[Any, Any] = (None, None),
    style: str | None = None,
) -> ET.Element:
    # Children in KML 2.2 schema order: name, description, TimeSpan,
    # styleUrl, ExtendedData; the caller appends the geometry.
    pm = ET.SubElement(parent, "Placemark", {"id": f"{kind}-{_xml_id(str(row[col.FEATURE_ID]))}"})
    _text(pm, "name", name)
    fields = {str(k): v for k, v in row.drop(labels=[col.GEOMETRY]).items() if _present(v)}
    shown = {k: fields[k] for k in _KML_SHOWN[kind] if k in fields and fields[k] != ""}
    if kind == "leg" and isinstance(shown.get(col.DATE), str):
        words = readable_date(shown[col.DATE])
        if words != shown[col.DATE]:
            shown[col.DATE] = f"{shown[col.DATE]} ({words})"
    ET.SubElement(pm, "description").text = _clean(_description_html(shown, fields, sources))
    begin, end = (v if isinstance(v, str) and v else None for v in span)
    # An open side of a date has no KML bound (a TimeSpan without begin/end is open).
    begin = None if _true(row.get(col.DATE_OPEN_START)) else begin
    end = None if _true(row.get(col.DATE_OPEN_END)) else end
    if begin or end:
        when = ET.SubElement(pm, "TimeSpan")
        if begin:
            _text(when, "begin", begin)
        if end:
            _text(when, "end", end)
    if style:
        _text(pm, "styleUrl", style)
    ext = ET.SubElement(pm, "ExtendedData")
    for key, value in fields.items():
        data = ET.SubElement(ext, "Data", {"name": _clean(str(key))})
        _text(data, "value", _format(value))
    return pm


def _true(v: Any) -> bool:
    """Say whether a flag cell is set (None, NA and NaN are not)."""
    return _present(v) and bool(v)


def _present(v: Any) -> bool:
    return v is not None and v is not pd.NA and not (isinstance(v, float) and math.isnan(v))


def _format(v: Any) -> str:
    if isinstance(v, bool | np.bool_):
        return "true" if v else "false"
    if isinstance(v, float | np.floating):
        return repr(float(v))
    return str(v)


def _description_html(
    shown: Mapping[str, Any],
    fields: Mapping[str, Any],
    sources: Mapping[str, Mapping[str, Any]] | None,
) -> str:
    rows = "".join(
        f"<tr><th align='left'>{html.escape(str(k).replace('_', ' '))}</th>"
        f"<td>{html.escape(_format(v))}</td></tr>"
        for k, v in shown.items()
    )
    out = f"<table>{rows}</table>"
    if sources is not None and isinstance(fields.get(col.SOURCE_IDS), str):
        items = []
        for sid in fields[col.SOURCE_IDS].split(";"):
            src = sources.get(sid, {})
            keys = (col.SOURCE_OUTLET, col.SOURCE_DATE, col.SOURCE_TITLE)
            text = ", ".join(str(src[k]) for k in keys if src.get(k))
            text = html.escape(f"[{sid}] {text}".strip())
            url = src.get(col.SOURCE_URL)
            if isinstance(url, str) and re.match(r"^https?://", url):
                text = f'<a href="{html.escape(url, quote=True)}">{text}</a>'
            items.append(f"<li>{text}</li>")
        out += "<p>Reported by:</p><ul>" + "".join(items) + "</ul>"
    return out


def _kml_geometry(parent: ET.Element, geom: Any, *, tessellate: bool) -> None:
    if geom is None or geom.is_empty:
        return
    p = settings.COORDINATE_PRECISION
    geom = shapely.orient_polygons(shapely.transform(geom, lambda xy: np.round(xy, p) + 0.0))
    parts = list(getattr(geom, "geoms", [geom]))
    holder = ET.SubElement(parent, "MultiGeometry") if len(parts) > 1 else parent
    for part in parts:
        if part.geom_type == "Point":
            _text(ET.SubElement(holder, "Point"), "coordinates", _coords([part.coords[0]]))
        elif part.geom_type == "LineString":
            ls = ET.SubElement(holder, "LineString")
            if tessellate:
                _text(ls, "tessellate", "1")
            _text(ls, "coordinates", _coords(part.coords))
        elif part.geom_type == "Polygon":
            poly = ET.SubElement(holder, "Polygon")
            rings = [("outerBoundaryIs", part.exterior)]
            rings += [("innerBoundaryIs", r) for r in part.interiors]
            for tag, ring in rings:
                lr = ET.SubElement(ET.SubElement(poly, tag), "LinearRing")
                _text(lr, "coordinates", _coords(ring.coords))


def _coords(coords: Any) -> str:
    return " ".join(f"{x!r},{y!r}" for x, y, *_ in coords)


def _text(parent: ET.Element, tag: str, text: str) -> ET.Element:
    el = ET.SubElement(parent, tag)
    el.text = _clean(text)
    return el


def _clean(text: str) -> str:
    return _XML_ILLEGAL.sub("", text)


def _xml_id(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9_.-]", "_", text)


def _kml_color(hexcolor: str, alpha: float) -> str:
    # KML colours are aabbggrr.
    rgb = hexcolor.lstrip("#")
    return f"{round(alpha * 255):02x}{rgb[4:6]}{rgb[2:4]}{rgb[0:2]}".lower()


# --------------------------------------------------------------------------
# GeoPackage and CSV


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


def to_csv(dataset: DatasetLike, path: str | Path, *, raw: bool = False) -> Path:
    r"""Write the legs as CSV with a ``WKT`` geometry column.

    The file is meant for people, who open it in a spreadsheet: text cells
    that begin with ``=``, ``+``, ``-``, ``@``, tab or carriage return
    get a leading ``'`` (OWASP's CSV-injection rule, see
    :func:`spreadsheet_safe`) so that no report text runs as a formula.
    Numeric columns are left alone.

    Parameters
    ----------
    dataset
        A loaded dataset.
    path
        Output ``.csv`` file (UTF-8, ``\n`` line ends, header row).
    raw
        Write every text cell exactly as read (for programs, not spreadsheets).

    Returns
    -------
    pathlib.Path
        ``path``.

    """
    table = legs_table(dataset)
    geoms = _rounded(table.geometry)
    wkt = shapely.to_wkt(geoms, rounding_precision=settings.COORDINATE_PRECISION, trim=True)
    frame = pd.DataFrame(table.drop(columns=table.geometry.name))
    frame[col.WKT] = wkt
    if not raw:
        frame = spreadsheet_safe(frame)
    return write_text(path, frame.to_csv(index=False, lineterminator="\n"))


#: First characters that make a spreadsheet read a cell as a formula (OWASP).
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


def spreadsheet_safe(frame: pd.DataFrame) -> pd.DataFrame:
    """Defuse text cells a spreadsheet would run as formulas.

    Every text cell (in a column of object or string dtype) that begins
    with one of :data:`FORMULA_TRIGGERS` gets a leading ``'``, which
    spreadsheets show as text and do not display. Numeric, boolean and
    date columns are returned unchanged, as are all other cells.

    Parameters
    ----------
    frame
        The table about to be written as CSV.

    Returns
    -------
    pandas.DataFrame
        A copy with defused cells.

    """
    out = frame.copy()
    for name in out.columns:
        column = out[name]
        if not (pd.api.types.is_object_dtype(column) or pd.api.types.is_string_dtype(column)):
            continue
        is_text = column.map(lambda v: isinstance(v, str)).to_numpy(dtype=bool)
        risky = is_text & column.where(is_text, "").astype(str).str.startswith(
            FORMULA_TRIGGERS
        ).to_numpy(dtype=bool)
        if risky.any():
            column = column.astype(object).copy()
            column[risky] = "'" + column[risky].astype(str)
            out[name] = column
    return out


def _data_date(dataset: DatasetLike) -> pd.Timestamp:
    legs = dataset.legs
    if col.DATE_END in legs and legs[col.DATE_END].notna().any():
        return pd.Timestamp(pd.to_datetime(legs[col.DATE_END]).max())
    return pd.Timestamp("2000-01-01")


# --------------------------------------------------------------------------
# GeoParquet


def to_geoparquet(dataset: DatasetLike, folder: str | Path) -> list[Path]:
    """Write the zone-attributed legs and their zone segments as GeoParquet 1.0.

    Unlike the other formats the tables are not flattened: every leg and
    segment column is kept with its type (tuples as lists, dates as
    timestamps), geometry as WKB.  For a ledger too large to hold every
    line in memory, :func:`geo.pipeline.export_geoparquet` writes the same
    files a chunk of transfers at a time (``movemap export --format parquet``).

    Parameters
    ----------
    dataset
        A loaded dataset.
    folder
        Receives ``legs.parquet`` and ``segments.parquet``.

    Returns
    -------
    list of pathlib.Path

    """
    from geo.geoparquet import GeoParquetWriter
    from geo.pipeline import GEOPARQUET_FILES, LINE_TYPES

    paths = []
    for name, frame in zip(GEOPARQUET_FILES, (dataset.legs, dataset.segments), strict=True):
        path = Path(folder) / name
        with atomic_path(path) as tmp, GeoParquetWriter(tmp, geometry_types=LINE_TYPES) as out:
            out.write(frame.reset_index(drop=True))
        paths.append(path)
    return paths


# --------------------------------------------------------------------------
# entry point


def export(
    dataset: DatasetLike,
    *,
    fmt: Format,
    out: str | Path,
    layer: Layer = "all",
    raw_csv: bool = False,
    colours: Mapping[str, str] | None = None,
) -> list[Path]:
    """Export a dataset in one format.

    Parameters
    ----------
    dataset
        A loaded dataset.
    fmt
        ``"geojson"``, ``"kml"``, ``"gpkg"``, ``"csv"`` or ``"parquet"``.
    out
        Output path. For GeoJSON, a path ending in ``.geojson``/``.json``
        gets one FeatureCollection (``layer``); any other path is a folder
        that gets ``legs.geojson``, ``places.geojson`` and ``zones.geojson``.
        CSV holds the legs only; KML and GeoPackage hold every layer.
        Parquet: a folder that gets ``legs.parquet`` and
        ``segments.parquet`` (see :func:`to_geoparquet`).
    layer
        GeoJSON only: which layer to put in a single file.
    raw_csv
        CSV only: write text exactly, without defusing formula-like cells.
    colours
        KML only: leg colours, see :func:`to_kml`.

    Returns
    -------
    list of pathlib.Path
        Files written.

    Raises
    ------
    MovemapError
        On an unknown format or layer.

    """
    out = Path(out)
    if fmt == "geojson":
        if out.suffix.lower() in (".geojson", ".json"):
            return [to_geojson(dataset, out, layer=layer)]
        return [to_geojson(dataset, out / f"{name}.geojson", layer=name) for name in LAYERS]  # type: ignore[arg-type]
    if fmt == "kml":
        return [to_kml(dataset, out, colours=colours)]
    if fmt == "gpkg":
        return [to_gpkg(dataset, out)]
    if fmt == "csv":
        return [to_csv(dataset, out, raw=raw_csv)]
    if fmt == "parquet":
        return to_geoparquet(dataset, out)
    msg = f"unknown export format {fmt!r}; use one of {', '.join(FORMATS)}"
    raise MovemapError(msg)
