"""KML 2.2 export for Google Earth: styled legs with time spans, places, zones by faction.

Descriptions are HTML built from escaped values (only ``http(s)``
links), then XML-escaped; code points XML 1.0 forbids are dropped.
"""

from __future__ import annotations

import html
import math
import re
import xml.etree.ElementTree as ET
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import shapely

from geo import columns as col
from geo import settings
from geo._io import write_text
from geo.datetext import readable_date
from geo.export.tables import DatasetLike, _flatten, _records, legs_table, places_table, zones_table

__all__ = ["faction_colors", "to_kml"]


_KML_NS = "http://www.opengis.net/kml/2.2"
# XML 1.0 forbids these code points even when escaped.
_XML_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
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

    # Legs, one folder per faction zone they end in, then those ending
    # outside every mapped zone, then those whose destination's faction is
    # not known (control changed during the leg's dates, a country-level
    # point in a divided country: the control note says which).
    lfolder = _folder(doc, "Transfer legs")
    ends_in = legs.get(col.TO_FACTION, pd.Series(None, index=legs.index, dtype=object))
    ends_in = [f if isinstance(f, str) and f else None for f in ends_in]
    factions = sorted({f for f in ends_in if f is not None and f != col.OUTSIDE_ZONES})
    for key in [*factions, col.OUTSIDE_ZONES, None]:
        rows = [i for i, f in enumerate(ends_in) if f == key]
        if not rows:
            continue
        fold = _folder(lfolder, _ending_folder(key))
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


#: Folder of the legs whose destination's faction is not known.
UNATTRIBUTED_FOLDER = "Destination faction not determined (see each leg's control note)"


def _ending_folder(faction: str | None) -> str:
    """Name of the KML folder for legs whose destination's faction is ``faction``."""
    if faction is None:
        return UNATTRIBUTED_FOLDER
    if faction == col.OUTSIDE_ZONES:
        return f"Ending {col.OUTSIDE_ZONES}"
    return f"Ending in {faction} zone"


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
