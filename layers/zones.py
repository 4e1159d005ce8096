"""The zones layer: faction-controlled areas, one overlay per zone.

Each zone is a time slice (valid_from..valid_to) of one faction's area;
it is drawn only while the time filter overlaps that slice.  Fill colour
says the faction; a dashed edge says the boundary is approximate.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any

import pandas as pd
import shapely
from folium.template import Template
from geopandas import GeoDataFrame

from geo import columns as col
from layers._element import MovemapElement
from layers.payload import geojson_geometry, unwrap_antimeridian
from layers.style import OTHER_COLOUR, faction_colours

__all__ = [
    "OUTSIDE_LABEL",
    "ZonesLayer",
    "ordered_zones",
    "zone_records",
    "zone_slug",
    "zone_slugs",
]

#: Layer-control label of the pseudo-zone for legs and places outside every zone.
OUTSIDE_LABEL = "Outside mapped zones"
#: Simplification tolerance (degrees, ~1 km) and precision of zone outlines.
ZONE_TOLERANCE = 0.01
ZONE_DIGITS = 3
#: Zones smaller than this (square degrees, ~5,000 km2) get no name on the
#: map (a 3 km disc around an air base would bury its base's label).
MIN_LABEL_AREA = 0.5


def _iso(value: Any) -> str | None:
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return None
    stamp = pd.to_datetime(value, errors="coerce")
    return None if pd.isna(stamp) else stamp.strftime("%Y-%m-%d")


def _text(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, list | tuple):
        return "; ".join(str(v) for v in value)
    if not isinstance(value, str) and pd.isna(value):
        return None
    return str(value)


def ordered_zones(zones: GeoDataFrame) -> GeoDataFrame:
    """Return zones in layer-control order: country, start date, label, id."""
    z = zones.reset_index(drop=True).copy()
    z[col.ZONE_ID] = z[col.ZONE_ID].astype(str)
    order = pd.DataFrame(
        {
            "country": z[col.ZONE_COUNTRY].astype("string").fillna("")
            if col.ZONE_COUNTRY in z
            else "",
            "start": pd.to_datetime(z[col.VALID_FROM], errors="coerce"),
            "label": z[col.ZONE_LABEL].astype("string").fillna(""),
            "id": z[col.ZONE_ID],
        }
    )
    idx = order.sort_values(["country", "start", "label", "id"], na_position="first").index
    return z.loc[idx].reset_index(drop=True)


def zone_slug(zone_id: str) -> str:
    """Return a file-name slug for a zone id (lowercase ASCII, hyphens)."""
    slug = re.sub(r"[^a-z0-9]+", "-", str(zone_id).lower()).strip("-")
    return slug or "zone"


def zone_slugs(zone_ids: list[str]) -> dict[str, str]:
    """Map each zone id to a unique slug (never ``index``)."""
    out: dict[str, str] = {}
    used = {"index"}
    for zid in zone_ids:
        base = zone_slug(zid)
        slug, k = base, 2
        while slug in used:
            slug, k = f"{base}-{k}", k + 1
        used.add(slug)
        out[zid] = slug
    return out


def zone_records(zones: GeoDataFrame, *, focus: str | None = None) -> list[dict[str, Any]]:
    """Build the page data for the zones (plus the "outside" pseudo-zone).

    Parameters
    ----------
    zones
        Output of :func:`ordered_zones`.
    focus
        Zone id drawn emphasised (the zone a per-zone map is about).

    Returns
    -------
    list of dict
        One per zone in order, then the outside pseudo-zone: ``key``
        (zone id), ``label``, ``map_label`` (faction), ``group`` (country
        name, for the layer control), ``detail``, ``faction``,
        ``colour``, validity, ``approximate``, ``geometry`` (GeoJSON) and
        ``label_at`` ([lat, lon], only for zones large enough to name).

    """
    colours = faction_colours(zones[col.FACTION].astype(str)) if len(zones) else {}
    countries = _country_names()
    records: list[dict[str, Any]] = []
    for row in zones.itertuples(index=False):
        rec = row._asdict()
        geom = getattr(row, col.GEOMETRY)
        vf, vt = _iso(rec.get(col.VALID_FROM)), _iso(rec.get(col.VALID_TO))
        faction = _text(rec.get(col.FACTION)) or "unknown faction"
        approximate = (
            bool(rec.get(col.APPROXIMATE)) if rec.get(col.APPROXIMATE) is not None else False
        )
        contested = bool(rec.get(col.CONTESTED)) if rec.get(col.CONTESTED) is not None else False
        as_of = _iso(rec.get(col.AS_OF))
        detail = f"{faction}; {vf or 'open'} \u2013 {vt or 'open'}"
        if as_of:
            detail += f"; as of {as_of}"
        if approximate:
            detail += "; approximate"
        if contested:
            detail += "; contested"
        label_at = None
        country = _text(rec.get(col.ZONE_COUNTRY))
        # A whole country held by itself needs no label: its places say so.
        own_country = faction.lower() in {
            (country or "").lower(),
            _group(country, countries).lower(),
        }
        big = (
            geom is not None and not shapely.is_empty(geom) and shapely.area(geom) >= MIN_LABEL_AREA
        )
        if big and not own_country:
            pt = shapely.point_on_surface(geom)
            label_at = [round(pt.y, 3), round(pt.x, 3)]
        records.append(
            {
                "key": str(rec[col.ZONE_ID]),
                "label": _text(rec.get(col.ZONE_LABEL)) or str(rec[col.ZONE_ID]),
                "map_label": faction,
                "group": _group(country, countries),
                "faction": faction,
                "detail": detail,
                "colour": colours.get(str(rec.get(col.FACTION)), OTHER_COLOUR),
                "valid_from": vf,
                "valid_to": vt,
                "as_of": as_of,
                "approximate": approximate,
                "contested": contested,
                "sources": _text(rec.get(col.ZONE_SOURCES)),
                "focus": focus is not None and str(rec[col.ZONE_ID]) == focus,
                "geometry": _zone_geojson(None if geom is None else shapely.to_wkb(geom)),
                "label_at": label_at,
            }
        )
    records.append(
        {
            "key": col.OUTSIDE_ZONES,
            "label": OUTSIDE_LABEL,
            "map_label": None,
            "group": "Other",
            "faction": None,
            "detail": "legs and places in no mapped zone, or only known to country/region level",
            "colour": "#ffffff",
            "valid_from": None,
            "valid_to": None,
            "as_of": None,
            "approximate": False,
            "contested": False,
            "sources": None,
            "focus": False,
            "geometry": None,
            "label_at": None,
        }
    )
    return records


@lru_cache(maxsize=512)
def _zone_geojson(wkb: bytes | None) -> dict[str, Any] | None:
    # Cached: every map of a build draws the same zones.
    if wkb is None:
        return None
    geom = unwrap_antimeridian(shapely.from_wkb(wkb))
    return geojson_geometry(geom, tolerance=ZONE_TOLERANCE, ndigits=ZONE_DIGITS)


@lru_cache(maxsize=1)
def _country_names() -> dict[str, str]:
    from geo.countries import COUNTRY_NAME, ISO_A2, load_countries

    table = load_countries()
    return dict(zip(table[ISO_A2], table[COUNTRY_NAME], strict=True))


def _group(code: str | None, names: dict[str, str]) -> str:
    if not code:
        return "Other"
    return names.get(code.upper(), code)


class ZonesLayer(MovemapElement):
    """Leaflet layers of zone polygons and labels, one group per zone."""

    _name = "Zones"
    _template = Template(
        """
        {% macro script(this, kwargs) %}
        movemap.addZones({{ this._parent.get_name() }}, {{ this.json() }});
        {% endmacro %}
        """
    )
